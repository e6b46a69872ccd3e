"""Reading notices back: the policy of build/notifications.json (never restated here), the
messages an account got and the SMS the dev gateway took."""

from __future__ import annotations

import re
from typing import Any

from chain_helpers import World

from runtime.notifications.outbox import policy


def notices(world: World, event: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = policy(world.svc)["events"].get(event) or []
    assert found, f"notifications.yaml has no notice for {event}: the test has nothing to check"
    return found


def notice_to(world: World, event: str, to: str) -> dict[str, Any]:
    matching = [n for n in notices(world, event) if n["to"] == to]
    assert matching, f"notifications.yaml tells no {to} about {event}"
    return matching[0]


def pattern(template: str, **known: Any) -> re.Pattern[str]:
    """The template as a regular expression: known placeholders filled, the others any text."""
    parts = re.split(r"(\{[a-z_]+\})", template)
    regex = ""
    for part in parts:
        name = part[1:-1] if part.startswith("{") and part.endswith("}") else None
        if name is None:
            regex += re.escape(part)
        elif name in known:
            regex += re.escape(str(known[name]))
        else:
            regex += ".*?"
    return re.compile(f"^{regex}$", re.DOTALL)


def messages(world: World, account_id: str, event: str | None = None) -> list[dict[str, Any]]:
    rows = world.all("SELECT * FROM messages WHERE account_id = ? ORDER BY id", (account_id,))
    return [r for r in rows if event is None or r["event"] == event]


def sms_to(world: World, mobile: str) -> list[str]:
    return [r["text"] for r in world.all("SELECT text FROM outbox WHERE mobile = ? ORDER BY id", (mobile,))]


def mobile_of(world: World, account_id: str) -> str:
    row = world.one("SELECT mobile FROM accounts WHERE id = ?", (account_id,))
    return str(row["mobile"] or "") if row else ""


def assert_told(world: World, account_id: str, event: str, to: str, **known: Any) -> dict[str, Any]:
    """The account got exactly one message of `event`, in the words notifications.yaml gives, and
    an SMS of it when the notice says so."""
    notice = notice_to(world, event, to)
    got = messages(world, account_id, event)
    assert len(got) == 1, got
    assert pattern(notice["text"], **known).match(got[0]["text"]), (notice["text"], got[0]["text"])
    if notice["sms"] and mobile_of(world, account_id):  # accounts seeded without a mobile get messages only
        prefix = policy(world.svc)["sms"]["prefix"]
        assert prefix + got[0]["text"] in sms_to(world, mobile_of(world, account_id))
    return got[0]
