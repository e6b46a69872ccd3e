"""Limits on text messages that anyone can make the platform send (issue 13, REG-6).

Every request that could send an SMS is counted, whether or not it sends one, per address,
per typed account text and per mobile, so the answer (202 or 429) is the same for a real
account and an unknown one, and nobody can make the platform flood one mobile. Numbers come
from platform.yaml `accounts`.
"""

from __future__ import annotations

from datetime import timedelta

from runtime.clock import iso
from runtime.web.http import HttpError, Services
from runtime.web.security import digest


def _count(svc: Services, column: str, value: str, since: str) -> int:
    row = svc.storage.one(f"SELECT COUNT(*) AS n FROM sms_requests WHERE {column} = ? AND at > ?", (value, since))
    return int(row["n"]) if row else 0


def admit(svc: Services, ip: str, account_text: str, mobile: str) -> None:
    """Counts this request; 429 when the address, the account text or the mobile is over its
    hourly limit (the request is still counted, so hammering does not help)."""
    now = svc.clock.now()
    since = iso(now - timedelta(hours=1))
    account_key = digest("account:" + account_text.strip().upper()[:64])
    mobile_key = digest("mobile:" + mobile.strip()[:32])
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM sms_requests WHERE at < ?", (since,))
        over = (
            _count(svc, "ip", ip, since) >= svc.policy("sms_per_ip_hour")
            or _count(svc, "account_key", account_key, since) >= svc.policy("sms_per_hour")
            or _count(svc, "mobile_key", mobile_key, since) >= svc.policy("sms_per_hour")
        )
        svc.storage.insert(
            "sms_requests", {"ip": ip, "account_key": account_key, "mobile_key": mobile_key, "at": iso(now)}
        )
    if over:
        raise HttpError(429, "throttled", svc.bundle.text("too_many_codes"), headers={"Retry-After": "3600"})


def mobile_allows(svc: Services, mobile: str) -> bool:
    """Whether a mobile may get one more notice this hour (a notice nobody asked for, such as
    'someone registered with your ID number', must not become a way to flood it)."""
    since = iso(svc.clock.now() - timedelta(hours=1))
    mobile_key = digest("mobile:" + mobile.strip()[:32])
    if _count(svc, "mobile_key", mobile_key, since) >= svc.policy("sms_per_hour"):
        return False
    with svc.storage.transaction():
        svc.storage.insert(
            "sms_requests", {"ip": "-", "account_key": "", "mobile_key": mobile_key, "at": iso(svc.clock.now())}
        )
    return True


def send(svc: Services, mobile: str, text: str) -> None:
    """The default SMS gateway: the operator's outbox (REG-6)."""
    svc.storage.insert("outbox", {"mobile": mobile, "text": text, "created_at": iso(svc.clock.now())})
