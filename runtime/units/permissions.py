"""Permission requests for title review (UNIT-3, UNIT-4): the automatic check, manual review by the
region's HR authority, and its decision."""

from __future__ import annotations

import uuid
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso
from runtime.notifications import platform_events
from runtime.paths import routing
from runtime.storage import dumps
from runtime.storage.rows import Account, Organisation
from runtime.units import names
from runtime.units.units import (
    UNIT_KINDS,
    _error,
    _permission_view,
    account_org,
    check_form,
    hr_org,
    kinds,
    not_found,
    organisation,
)
from runtime.web.http import HttpError, Services
from vocabulary.formats import is_uscc, uscc_division

# -- permission (UNIT-3, UNIT-4) --------------------------------------------------------


def _same_name_permitted(svc: Services, org: Organisation) -> bool:
    """A permitted unit whose name is this one's once normalised (UNIT-4, names.name_key)."""
    names.fill_missing_keys(svc)
    return bool(
        svc.storage.one(
            "SELECT 1 AS x FROM organisations WHERE name_key = ? AND permitted = 1 AND id != ?",
            (names.name_key(org["name"]), org["id"]),
        )
    )


def _same_uscc_permitted(svc: Services, uscc: str, org_id: str) -> bool:
    """One permitted unit per credit code (issue 13, finding 10): a second registration of the
    same legal entity is refused, whatever name it gave."""
    return bool(
        svc.storage.one(
            "SELECT 1 AS x FROM organisations WHERE uscc = ? AND permitted = 1 AND id != ?", (uscc.upper(), org_id)
        )
    )


def automatic_check(svc: Services, uscc: str, where: dict[str, Any]) -> list[str]:
    """Why the automatic check fails (UNIT-3): the check character, and the code's division
    digits (characters 3-8) against the chosen region's code. They must be equal: a code of
    a county-level city (371082) claiming the city level (371000) would otherwise report straight to a city
    department past its own HR bureau, so such a request goes to manual review instead."""
    reasons = []
    if not is_uscc(uscc):
        reasons.append("checksum")
    if (uscc_division(uscc) or "") != str(where["code"]):
        reasons.append("region")
    return reasons


def request_permission(svc: Services, account: Account, document: Any) -> dict[str, Any]:
    org = account_org(svc, account)
    if org["authority"] or not set(UNIT_KINDS) & set(kinds(org)):
        raise _error(svc, 403, "unit_only")
    cleaned, errors = check_form(svc, "permission_request", document)
    if errors:
        raise accounts.validation_error(svc, errors)
    where = routing.region_by_code(svc, str(cleaned["region"]))
    assert where is not None
    reasons = automatic_check(svc, str(cleaned["uscc"]), where)
    state = "pending_manual" if reasons else "auto_approved"
    request_id = uuid.uuid4().hex
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        fresh = organisation(svc, org["id"])
        assert fresh is not None
        if fresh["permitted"]:
            raise _error(svc, 409, "already_permitted")
        if svc.storage.one(
            "SELECT 1 AS x FROM permission_requests WHERE org_id = ? AND state = 'pending_manual'", (org["id"],)
        ):
            raise _error(svc, 409, "permission_pending_exists")
        if _same_name_permitted(svc, fresh):
            raise _error(svc, 409, "duplicate_unit")
        if _same_uscc_permitted(svc, str(cleaned["uscc"]), org["id"]):
            raise _error(svc, 409, "duplicate_uscc")
        svc.storage.insert(
            "permission_requests",
            {
                "id": request_id,
                "org_id": org["id"],
                "region": where["id"],
                "data": dumps({k: cleaned.get(k) for k in ("uscc", "region", "supervisor")}),
                "state": state,
                "reasons": dumps(reasons),
                "created_at": now,
                "decided_at": None if reasons else now,
            },
        )
        svc.storage.execute(
            "UPDATE organisations SET uscc = ?, region = ?, supervisor_id = ?, permitted = ? WHERE id = ?",
            (cleaned["uscc"], where["id"], cleaned.get("supervisor") or None, 0 if reasons else 1, org["id"]),
        )
        accounts.audit(svc, account["id"], "permission_requested", org["id"], {"state": state, "reasons": reasons})
        if reasons:
            platform_events.permission_pending(svc, org["id"], where["id"])
    row = svc.storage.one("SELECT * FROM permission_requests WHERE id = ?", (request_id,))
    assert row is not None
    return _permission_view(svc, row)


def permission_requests(svc: Services, account: Account, state: str | None = None) -> list[dict[str, Any]]:
    """The requests of the caller's region only, pending first."""
    org = hr_org(svc, account)
    rows = svc.storage.all(
        "SELECT * FROM permission_requests WHERE region = ?"
        " ORDER BY state != 'pending_manual', created_at DESC, rowid DESC",
        (org["region"],),
    )
    return [_permission_view(svc, r) for r in rows if state in (None, "", r["state"])]


def decide_permission(
    svc: Services, account: Account, request_id: str, *, approve: bool, comment: str
) -> dict[str, Any]:
    org = hr_org(svc, account)
    if not approve and not comment.strip():
        raise _comment_required(svc)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        row = svc.storage.one("SELECT * FROM permission_requests WHERE id = ?", (str(request_id)[:64],))
        if row is None or row["region"] != org["region"]:
            raise not_found(svc)
        if row["state"] != "pending_manual":
            raise _error(svc, 409, "already_decided")
        unit = organisation(svc, row["org_id"])
        assert unit is not None
        if approve and _same_name_permitted(svc, unit):
            raise _error(svc, 409, "duplicate_unit")
        if approve and _same_uscc_permitted(svc, str(unit["uscc"] or ""), unit["id"]):
            raise _error(svc, 409, "duplicate_uscc")
        state = "approved" if approve else "rejected"
        svc.storage.execute(
            "UPDATE permission_requests SET state = ?, comment = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            (state, comment.strip(), account["id"], now, row["id"]),
        )
        if approve:
            svc.storage.execute("UPDATE organisations SET permitted = 1 WHERE id = ?", (unit["id"],))
        accounts.audit(
            svc, account["id"], f"permission_{state}", unit["id"], {"request": row["id"], "comment": comment}
        )
        platform_events.permission_decided(svc, unit["id"], approved=approve, comment=comment.strip())
        fresh = svc.storage.one("SELECT * FROM permission_requests WHERE id = ?", (row["id"],))
    assert fresh is not None
    return _permission_view(svc, fresh)


def _comment_required(svc: Services) -> HttpError:
    message = svc.bundle.text("reject_comment_required")
    return HttpError(
        422,
        "comment_required",
        message,
        errors=[{"path": "/comment", "code": "comment_required", "message": message, "rule": "UNIT-3"}],
    )
