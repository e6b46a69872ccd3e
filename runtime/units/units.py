"""Units: registration (UNIT-1), title-review permission (UNIT-3, UNIT-4) and recovery by the
region's HR authority (UNIT-5).

Which role a self-registered unit's account gets, and which role reviews permission
requests, are role names of platform.yaml `roles`: the machinery gives them these powers,
and the workflow's powers come from schemas/workflow/.
"""

from __future__ import annotations

import uuid
from typing import Any

from runtime.accounts import accounts, password_change
from runtime.clock import iso
from runtime.declarations import queues
from runtime.paths import routing
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, Organisation, account_row
from runtime.units.names import name_key
from runtime.web.http import HttpError, Services
from vocabulary.formats import uscc_shape_ok

UNIT_KINDS = ("employer",)
# A self-registered unit has one account that both reviews its applicants and reports upward.
UNIT_ROLE = "reviewer"
# The role of an HR authority's staff: permission requests and unit passwords of its region.
HR_ROLE = "hr_admin"
HR_KIND = "region_hr"
SUPERVISOR_KIND = "supervisor"
# Roles of organisation staff who may request and decide paths (everyone but platform support).
STAFF_ROLES = ("unit_admin", "reviewer", "hr_admin", "committee_office")
UNIT_EDITABLE = ("contact", "mobile")  # what a unit may change after confirming (UNIT-1)


def _error(svc: Services, status: int, code: str, **values: object) -> HttpError:
    return HttpError(status, code, svc.bundle.text(code, **values))


def not_found(svc: Services) -> HttpError:
    return _error(svc, 404, "not_found")


def organisation(svc: Services, org_id: str | None) -> Organisation | None:
    if not org_id:
        return None
    return svc.storage.organisation(org_id)


def account_org(svc: Services, account: Account) -> Organisation:
    """The caller's organisation; people have none (403)."""
    org = organisation(svc, account["org_id"]) if account["kind"] == "organisation" else None
    if org is None:
        raise _error(svc, 403, "forbidden")
    return org


def kinds(org: Organisation) -> list[str]:
    return list(loads(org["kinds"], []))


def is_staff(account: Account) -> bool:
    return bool(account["kind"] == "organisation" and account["role"] in STAFF_ROLES)


def region_choice(svc: Services, value: Any) -> dict[str, Any] | None:
    """A region of the deployment from a division code (the forms) or a platform region id."""
    if not isinstance(value, str) or not value:
        return None
    return routing.region_by_code(svc, value) or routing.region(svc, value)


def supervisors(svc: Services) -> list[dict[str, Any]]:
    rows = svc.storage.all("SELECT id, name, kinds, region FROM organisations ORDER BY authority DESC, name")
    return [r for r in rows if SUPERVISOR_KIND in loads(r["kinds"], [])]


def resolve_supervisor(svc: Services, value: Any) -> str | None:
    """A supervising department chosen by id or typed by name; None when not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    found = next((s for s in supervisors(svc) if value.strip() in (s["id"], s["name"])), None)
    return str(found["id"]) if found else None


def _region_and_supervisor(svc: Services, form_id: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Turns region and supervisor into the form's values in place; the errors they have."""
    errors = []
    where = region_choice(svc, document.get("region"))
    if where is not None:
        document["region"] = where["code"]
    supervisor = document.get("supervisor")
    if isinstance(supervisor, str) and supervisor.strip():
        resolved = resolve_supervisor(svc, supervisor)
        if resolved is None:
            errors.append(accounts.field_error(svc, form_id, "supervisor", "supervisor_unknown"))
        else:
            document["supervisor"] = resolved
    return errors


def check_form(svc: Services, form_id: str, document: Any) -> tuple[dict[str, Any], list[Any]]:
    """A unit form's errors, letting a well-shaped credit code with a bad check character
    through: that is for the permission check to judge (UNIT-3)."""
    if not isinstance(document, dict):
        raise accounts.validation_error(svc, [accounts.field_error(svc, form_id, "", "invalid_document")])
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in document.items()}
    if isinstance(cleaned.get("uscc"), str):
        cleaned["uscc"] = cleaned["uscc"].upper()
    errors: list[Any] = _region_and_supervisor(svc, form_id, cleaned)
    form = svc.bundle.forms[form_id]
    for error in form.validator.errors(cleaned, svc.bundle.context(today=svc.clock.today())):
        if error.severity != "error":
            continue
        if error.path == "/uscc" and error.code == "format" and uscc_shape_ok(cleaned.get("uscc", "")):
            continue
        if error.path == "/supervisor" and any(e["path"] == "/supervisor" for e in errors if isinstance(e, dict)):
            continue
        errors.append(error)
    outside = cleaned.get("region") and routing.region_by_code(svc, str(cleaned["region"])) is None
    if outside and not any(getattr(e, "path", None) == "/region" for e in errors):
        errors.append(accounts.field_error(svc, form_id, "region", "region_outside"))
    return cleaned, errors


# -- registration (UNIT-1) -------------------------------------------------------------


def validate_unit(svc: Services, document: Any) -> dict[str, Any]:
    """Every error of a unit registration, or the cleaned document."""
    cleaned, errors = check_form(svc, "unit_registration", document)
    password = cleaned.get("password")
    if isinstance(password, str) and password:
        personal = {"login_name": str(cleaned.get("login_name") or ""), "id_number": None}
        errors += accounts.check_password_policy(svc, "unit_registration", password, personal)
    login_name = str(cleaned.get("login_name") or "")
    if login_name and svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (login_name,)):
        errors.append(accounts.field_error(svc, "unit_registration", "login_name", "duplicate_login_name"))
    if errors:
        raise accounts.validation_error(svc, errors)
    return cleaned


def create_unit(svc: Services, cleaned: dict[str, Any], password_hash: str) -> tuple[str, str]:
    """The confirmed unit: an organisation without permission yet, and its account."""
    org_id = "u_" + uuid.uuid4().hex[:16]
    account_id = uuid.uuid4().hex
    where = routing.region_by_code(svc, str(cleaned["region"]))
    assert where is not None
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        if svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (cleaned["login_name"],)):
            raise accounts.validation_error(
                svc, [accounts.field_error(svc, "unit_registration", "login_name", "duplicate_login_name")]
            )
        svc.storage.insert(
            "organisations",
            {
                "id": org_id,
                "name": cleaned["unit_name"],
                "name_key": name_key(cleaned["unit_name"]),
                "kinds": dumps(list(UNIT_KINDS)),
                "region": where["id"],
                "supervisor_id": cleaned.get("supervisor") or None,
                "uscc": cleaned["uscc"],
                "authority": 0,
                "permitted": 0,
                "data": dumps({"contact": cleaned.get("contact", "")}),
                "created_at": now,
            },
        )
        svc.storage.insert(
            "accounts",
            {
                "id": account_id,
                "kind": "organisation",
                "role": UNIT_ROLE,
                "login_name": cleaned["login_name"],
                "id_number": None,
                "name": cleaned["unit_name"],
                "mobile": cleaned.get("mobile"),
                "org_id": org_id,
                "password_hash": password_hash,
                "data": dumps({"contact": cleaned.get("contact", "")}),
                "created_at": now,
                "org_admin": 1,  # who registered the unit manages its staff accounts (finding 11)
            },
        )
        accounts.audit(svc, account_id, "unit_registered", org_id, {"name": cleaned["unit_name"]})
    return org_id, account_id


def unit_info(svc: Services, account: Account) -> dict[str, Any]:
    org = account_org(svc, account)
    where = routing.region(svc, org["region"])
    supervisor = organisation(svc, org["supervisor_id"])
    return {
        "id": org["id"],
        "unit_name": org["name"],
        "uscc": org["uscc"],
        "region": where["code"] if where else None,
        "region_id": org["region"],
        "region_name": where["name"] if where else None,
        "supervisor": org["supervisor_id"],
        "supervisor_name": supervisor["name"] if supervisor else None,
        "permitted": bool(org["permitted"]),
        "kinds": kinds(org),
        "login_name": account["login_name"],
        "contact": loads(account["data"], {}).get("contact", ""),
        "mobile": account["mobile"],
        "role": account["role"],
        "permission": latest_permission(svc, org["id"]),
    }


def update_unit(svc: Services, account: Account, changes: Any) -> None:
    """Contact and mobile stay editable; the unit name is frozen after confirmation (UNIT-1)."""
    account_org(svc, account)
    if not isinstance(changes, dict):
        raise _error(svc, 422, "invalid_document")
    form = svc.bundle.forms["unit_registration"]
    errors: list[Any] = []
    for key in changes:
        descriptor = form.field_index.get(key)
        if descriptor is not None and descriptor.get("frozen"):
            errors.append(accounts.field_error(svc, "unit_registration", key, "frozen_field"))
        elif key not in UNIT_EDITABLE:
            errors.append(
                {
                    "path": f"/{key}",
                    "code": "additionalProperties",
                    "message": svc.bundle.text("unknown_field"),
                    "rule": "UNIT-1",
                }
            )
    if errors:
        raise accounts.validation_error(svc, errors)
    current = {"contact": loads(account["data"], {}).get("contact", ""), "mobile": account["mobile"]}
    merged = {**current, **{k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}}
    found = [
        e
        for e in form.validator.errors(merged, svc.bundle.context(today=svc.clock.today()))
        if e.severity == "error" and e.path.strip("/") in changes
    ]
    if found:
        raise accounts.validation_error(svc, found)
    with svc.storage.transaction():
        data = {**loads(account["data"], {}), "contact": merged["contact"]}
        svc.storage.execute(
            "UPDATE accounts SET data = ?, mobile = ? WHERE id = ?", (dumps(data), merged["mobile"], account["id"])
        )
        accounts.audit(svc, account["id"], "unit_info", account["org_id"] or "", {"fields": sorted(changes)})


# -- recovery by the region's HR authority (UNIT-5) --------------------------------------


def region_units(
    svc: Services, account: Account, *, text: str = "", limit: str | int | None = None, cursor: str | None = None
) -> queues.Page:
    """One page of the self-registered units of the HR authority's region, by name (keyset over
    name and id, as every list: a city holds thousands), with their admin account; `text` finds
    a part of the name or the credit code."""
    org = hr_org(svc, account)
    size = queues.page_limit(svc, limit)
    clauses, params = ["o.authority = 0", "o.region = ?"], [org["region"]]
    text = text.strip()[:60]
    if text:
        like = "ILIKE" if svc.storage.backend == "postgresql" else "LIKE"
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(f"(o.name {like} ? ESCAPE '\\' OR COALESCE(o.uscc, '') {like} ? ESCAPE '\\')")
        params += [pattern, pattern]
    # names in code-point order on both backends (PostgreSQL's own collation would differ by server)
    name = 'o.name COLLATE "C"' if svc.storage.backend == "postgresql" else "o.name"
    after, values = queues.after_cursor(svc, cursor, name, "o.id", ascending=True)
    clauses, params = clauses + after, params + values
    rows = svc.storage.all(
        "SELECT o.id, o.name, o.uscc, o.region, o.supervisor_id, o.permitted, a.login_name, a.mobile"
        " FROM organisations o LEFT JOIN accounts a ON a.id = (SELECT b.id FROM accounts b WHERE b.org_id = o.id"
        " ORDER BY b.org_admin DESC, b.created_at, b.id LIMIT 1)"
        f" WHERE {' AND '.join(clauses)} ORDER BY {name}, o.id LIMIT ?",
        (*params, size + 1),
    )
    return queues.cut([{**r, "permitted": bool(r["permitted"])} for r in rows], size, "name")


def reset_unit_password(svc: Services, account: Account, org_id: str) -> dict[str, str]:
    """UNIT-5 by the region's HR authority: a one-time password goes by SMS to the unit's
    registered mobile, never to the operator (issue 13, finding 9); the unit must change it at
    its next login; TOTP stays on; audited."""
    org = hr_org(svc, account)
    unit = organisation(svc, str(org_id)[:64])
    if unit is None or unit["authority"] or unit["region"] != org["region"]:
        raise not_found(svc)
    target = svc.storage.one(
        "SELECT * FROM accounts WHERE org_id = ? AND kind = 'organisation' ORDER BY org_admin DESC, created_at, id"
        " LIMIT 1",
        (unit["id"],),
    )
    if target is None:
        raise not_found(svc)
    found = account_row(target)
    masked = password_change.send_temporary_password(svc, account, found, org["name"], "password_reset")
    return {"account_id": found["id"], "login_name": found["login_name"], "sent_to": masked}


def latest_permission(svc: Services, org_id: str) -> dict[str, Any] | None:
    row = svc.storage.one(
        "SELECT * FROM permission_requests WHERE org_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1", (org_id,)
    )
    return _permission_view(svc, row) if row else None


def _permission_view(svc: Services, row: dict[str, Any]) -> dict[str, Any]:
    org = organisation(svc, row["org_id"])
    where = routing.region(svc, row["region"])
    return {
        "id": row["id"],
        "org_id": row["org_id"],
        "unit_name": org["name"] if org else None,
        "region": row["region"],
        "region_name": where["name"] if where else row["region"],
        "data": loads(row["data"], {}),
        "state": row["state"],
        "state_title": svc.bundle.text(f"permission_{row['state']}"),
        "reasons": loads(row["reasons"], []),
        "reason_titles": [svc.bundle.text(f"reason_{r}") for r in loads(row["reasons"], [])],
        "comment": row["comment"],
        "created_at": row["created_at"],
        "decided_at": row["decided_at"],
    }


def hr_org(svc: Services, account: Account) -> Organisation:
    """The caller's HR authority, when the caller is its HR staff; else 403."""
    org = account_org(svc, account)
    if account["role"] != HR_ROLE or HR_KIND not in kinds(org):
        raise _error(svc, 403, "forbidden")
    return org
