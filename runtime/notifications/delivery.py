"""Sending what sms_outbox holds, after the actions that wrote it committed.

Each due row is claimed first (state `sending` with a lease), so several server processes never
send it twice; then handed to the SMS gateway outside any transaction. A failing gateway costs an
attempt and the row waits (retry_minutes, doubled per attempt) until `attempts` are used up.
A person who got max_per_hour SMS in the last hour waits for the oldest of them to age out.
Nothing here raises into the request that triggered it: the action was saved already.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Protocol

from runtime.clock import iso, parse
from runtime.notifications.outbox import policy
from runtime.storage import Database
from runtime.web.http import Services

log = logging.getLogger("runtime.notifications")

BATCH = 50
LEASE = timedelta(minutes=5)  # a claim older than this was lost with its process: send again


class SmsGateway(Protocol):
    def send(self, mobile: str, text: str) -> None:
        """Hand one SMS over; raise to say it was not taken."""


class DevOutbox:
    """The development gateway: the `outbox` table the operator reads at /dev/outbox (REG-6)."""

    def __init__(self, storage: Database, clock: Any) -> None:
        self.storage = storage
        self.clock = clock

    def send(self, mobile: str, text: str) -> None:
        self.storage.insert("outbox", {"mobile": mobile, "text": text, "created_at": iso(self.clock.now())})


def gateway(svc: Services) -> SmsGateway:
    found = svc.extras.get("sms_gateway")
    if found is None:
        found = svc.extras["sms_gateway"] = DevOutbox(svc.storage, svc.clock)
    gateway_found: SmsGateway = found
    return gateway_found


def has_due(svc: Services) -> bool:
    now = iso(svc.clock.now())
    return (
        svc.storage.one(
            "SELECT 1 AS x FROM sms_outbox WHERE state IN ('pending', 'sending') AND next_at <= ? LIMIT 1", (now,)
        )
        is not None
    )


def deliver_due(svc: Services) -> int:
    """Send what is due now; returns how many went out."""
    settings = policy(svc)["sms"]
    sent = 0
    now = svc.clock.now()
    rows = svc.storage.all(
        "SELECT * FROM sms_outbox WHERE state IN ('pending', 'sending') AND next_at <= ? ORDER BY id LIMIT ?",
        (iso(now), BATCH),
    )
    for row in rows:
        if not _claim(svc, row, int(settings["max_per_hour"])):
            continue
        try:
            gateway(svc).send(row["mobile"], row["text"])
        except Exception as exc:  # any gateway failure: retried later, never the action's problem
            _failed(svc, row, exc, int(settings["attempts"]), int(settings["retry_minutes"]))
            continue
        svc.storage.execute(
            "UPDATE sms_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ?",
            (iso(svc.clock.now()), row["id"]),
        )
        sent += 1
    return sent


def _claim(svc: Services, row: dict[str, Any], max_per_hour: int) -> bool:
    """Take the row for this process, or put it off when its person hit the hourly limit."""
    now = svc.clock.now()
    with svc.storage.transaction():
        recent = svc.storage.all(
            "SELECT sent_at FROM sms_outbox WHERE account_id = ? AND state = 'sent' AND sent_at > ?"
            " ORDER BY sent_at LIMIT ?",
            (row["account_id"], iso(now - timedelta(hours=1)), max_per_hour),
        )
        if len(recent) >= max_per_hour:
            later = parse(recent[0]["sent_at"]) + timedelta(hours=1)
            svc.storage.execute(
                "UPDATE sms_outbox SET state = 'pending', next_at = ? WHERE id = ?", (iso(later), row["id"])
            )
            return False
        claimed = svc.storage.execute(
            "UPDATE sms_outbox SET state = 'sending', next_at = ? WHERE id = ? AND state = ? AND next_at = ?",
            (iso(now + LEASE), row["id"], row["state"], row["next_at"]),
        )
    return claimed == 1


def _failed(svc: Services, row: dict[str, Any], exc: Exception, attempts: int, retry_minutes: int) -> None:
    tried = int(row["attempts"]) + 1
    log.warning("SMS %s failed (attempt %d of %d): %s", row["id"], tried, attempts, exc)
    wait = timedelta(minutes=retry_minutes * 2 ** (tried - 1))
    svc.storage.execute(
        "UPDATE sms_outbox SET state = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ?",
        (
            "failed" if tried >= attempts else "pending",
            tried,
            iso(svc.clock.now() + wait),
            str(exc)[:200],
            row["id"],
        ),
    )
