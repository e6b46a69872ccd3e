"""A sliding-window counter in the database, so every server process sees the same hits."""

from __future__ import annotations

from datetime import timedelta

from runtime.clock import iso, parse
from runtime.web.http import Services


def hit(svc: Services, scope: str, key: str, limit: int, window_minutes: int) -> int:
    """Record one hit; the seconds to wait when the window already holds `limit` hits, else 0."""
    now = svc.clock.now()
    since = iso(now - timedelta(minutes=window_minutes))
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM throttle_hits WHERE scope = ? AND key = ? AND at <= ?", (scope, key, since))
        row = svc.storage.one(
            "SELECT COUNT(*) AS n, MIN(at) AS first FROM throttle_hits WHERE scope = ? AND key = ?", (scope, key)
        )
        count = int(row["n"]) if row else 0
        if count >= limit and row and row["first"]:
            wait = parse(row["first"]) + timedelta(minutes=window_minutes) - now
            return max(1, int(wait.total_seconds()))
        svc.storage.insert("throttle_hits", {"scope": scope, "key": key, "at": iso(now)})
    return 0
