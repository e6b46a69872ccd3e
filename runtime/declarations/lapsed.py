"""What an applicant typed when the session had lapsed (issue 16, "nothing typed is lost").

A section saved after the idle timeout reaches the server without a live session. When the
cookie still names a recently lapsed session of the applicant and the posted CSRF token is that
session's, the posted fields are kept here — server-side, tied to the account and the section,
for platform.yaml's `accounts.lapsed_draft_minutes` — and shown again in the section after the
next login, until saved. Nothing is written into the declaration before the applicant saves.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from runtime.clock import iso
from runtime.web.http import Services

KIND = "lapsed_draft"
MAX_FIELDS = 3000
MAX_VALUE = 10000


def _key(account_id: str, declaration_id: str, section_id: str) -> str:
    return f"{KIND}:{account_id}:{declaration_id}:{section_id}"


def minutes(svc: Services) -> int:
    return int(svc.accounts_policy.get("lapsed_draft_minutes", 0))


def keep(svc: Services, account_id: str, declaration_id: str, section_id: str, fields: list[tuple[str, str]]) -> None:
    """Keep the posted fields (bounded: field count and length), replacing an older copy."""
    kept = [(str(k)[:100], str(v)[:MAX_VALUE]) for k, v in fields[:MAX_FIELDS] if k not in ("csrf_token",)]
    now = svc.clock.now()
    expires = iso(now + timedelta(minutes=minutes(svc)))
    key = _key(account_id, declaration_id, section_id)
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM pending WHERE kind = ? AND expires_at < ?", (KIND, iso(now)))
        svc.storage.execute("DELETE FROM pending WHERE id_hash = ?", (key,))
        svc.storage.insert("pending", {"id_hash": key, "kind": KIND, "data": json.dumps(kept), "expires_at": expires})


def fields(svc: Services, account_id: str, declaration_id: str, section_id: str) -> list[tuple[str, str]] | None:
    """The kept fields of this section for this account, while they last."""
    row = svc.storage.one(
        "SELECT data FROM pending WHERE id_hash = ? AND kind = ? AND expires_at >= ?",
        (_key(account_id, declaration_id, section_id), KIND, iso(svc.clock.now())),
    )
    if row is None:
        return None
    return [(str(k), str(v)) for k, v in json.loads(row["data"])]


def drop(svc: Services, account_id: str, declaration_id: str, section_id: str) -> None:
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM pending WHERE id_hash = ?", (_key(account_id, declaration_id, section_id),))


def waiting(svc: Services, account_id: str) -> dict[str, Any] | None:
    """The newest kept section of this account, as {declaration_id, section_id}, if any."""
    rows = svc.storage.all(
        "SELECT id_hash FROM pending WHERE kind = ? AND id_hash LIKE ? AND expires_at >= ? ORDER BY expires_at DESC",
        (KIND, _key(account_id, "", "").rstrip(":") + ":%", iso(svc.clock.now())),
    )
    for row in rows:
        parts = str(row["id_hash"]).split(":")
        if len(parts) == 4 and parts[1] == account_id:
            return {"declaration_id": parts[2], "section_id": parts[3]}
    return None
