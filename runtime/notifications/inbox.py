"""A person's message list: newest first, a page at a time (keyset on id), unread counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.clock import iso
from runtime.web.http import Services

PAGE = 30


def unread(svc: Services, account_id: str) -> Unread:
    """What every page's header shows: how many messages are unread and the newest of them,
    in one query (the header is on every page)."""
    row = svc.storage.one(
        "SELECT m.*, (SELECT COUNT(*) FROM messages WHERE account_id = ? AND read_at IS NULL) AS unread_total"
        " FROM messages AS m WHERE m.account_id = ? AND m.read_at IS NULL ORDER BY m.id DESC LIMIT 1",
        (account_id, account_id),
    )
    if row is None:
        return Unread(0, None)
    count = int(row.pop("unread_total"))
    return Unread(count, row)


@dataclass(frozen=True)
class Unread:
    count: int
    newest: dict[str, Any] | None


def page(svc: Services, account_id: str, before: int | None = None) -> list[dict[str, Any]]:
    """Only the caller's own messages; `before` continues from the last id of a previous page."""
    if before is None:
        return svc.storage.all(
            "SELECT * FROM messages WHERE account_id = ? ORDER BY id DESC LIMIT ?", (account_id, PAGE + 1)
        )
    return svc.storage.all(
        "SELECT * FROM messages WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        (account_id, before, PAGE + 1),
    )


def mark_all_read(svc: Services, account_id: str) -> int:
    with svc.storage.transaction():
        return svc.storage.execute(
            "UPDATE messages SET read_at = ? WHERE account_id = ? AND read_at IS NULL",
            (iso(svc.clock.now()), account_id),
        )
