"""Correcting a unit's name, credit code, region or supervising department.

Only the HR staff of the unit's own region may (others get 404, as for password resets); every
correction needs a reason, is kept in unit_corrections (before, after, who, why) and the audit
log, and is told to the unit. A declaration submitted before a name correction keeps printing
the name it was submitted under, with the correction noted (printed_unit_names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso, parse
from runtime.declarations import queues
from runtime.notifications.outbox import notify, staff
from runtime.paths import routing
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, Organisation
from runtime.units import units
from runtime.web.http import HttpError, Services

# The unit_registration / permission_request field ids a correction may change (contract fields).
FIELDS = ("unit_name", "uscc", "region", "supervisor")
MAX_REASON = 500
SUBMIT = "submit"  # the workflow step that hands a declaration to its unit (a contract step)


def _error(svc: Services, status: int, code: str, path: str = "") -> HttpError:
    message = svc.bundle.text(code)
    errors = [{"path": path, "code": code, "message": message, "rule": "UNIT-1"}] if path else None
    return HttpError(status, code, message, errors=errors)


def region_units(svc: Services, account: Account, *, text: str = "", cursor: str | None = None) -> queues.Page:
    """One page of the self-registered units of the caller's region (HR staff only)."""
    return units.region_units(svc, account, text=text, cursor=cursor)


def unit_of_region(svc: Services, account: Account, org_id: str) -> Organisation:
    org = units.hr_org(svc, account)
    unit = units.organisation(svc, str(org_id)[:64])
    if unit is None or unit["authority"] or unit["region"] != org["region"]:
        raise units.not_found(svc)
    return unit


def current(svc: Services, unit: Organisation) -> dict[str, str]:
    """The correctable fields as the forms hold them (region as its division code)."""
    where = routing.region(svc, unit["region"])
    return {
        "unit_name": unit["name"],
        "uscc": unit["uscc"] or "",
        "region": where["code"] if where else "",
        "supervisor": unit["supervisor_id"] or "",
    }


def correct(svc: Services, account: Account, org_id: str, changes: dict[str, Any], reason: str) -> Organisation:
    """Apply a correction; 422 with every problem when the values or the reason are not right."""
    unit = unit_of_region(svc, account, org_id)
    before = current(svc, unit)
    wanted = {k: str(changes.get(k) or "").strip() for k in FIELDS}
    errors = _check(svc, unit, wanted)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        errors.append(_field(svc, "reason", "correction_reason_required"))
    if errors:
        raise accounts.validation_error(svc, errors)
    changed = {k: wanted[k] for k in FIELDS if wanted[k] != before[k]}
    if not changed:
        raise _error(svc, 422, "correction_unchanged")
    where = units.region_choice(svc, wanted["region"])
    assert where is not None
    authority = units.hr_org(svc, account)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        if "unit_name" in changed and svc.storage.one(
            "SELECT 1 AS x FROM organisations WHERE name = ? AND permitted = 1 AND id != ?",
            (wanted["unit_name"], unit["id"]),
        ):
            raise _error(svc, 409, "duplicate_unit")
        svc.storage.execute(
            "UPDATE organisations SET name = ?, uscc = ?, region = ?, supervisor_id = ? WHERE id = ?",
            (wanted["unit_name"], wanted["uscc"] or None, where["id"], wanted["supervisor"] or None, unit["id"]),
        )
        svc.storage.insert(
            "unit_corrections",
            {
                "org_id": unit["id"],
                "actor_id": account["id"],
                "authority_id": authority["id"],
                "reason": reason,
                "before": dumps({k: before[k] for k in changed}),
                "after": dumps(changed),
                "at": now,
            },
        )
        accounts.audit(
            svc, account["id"], "unit_corrected", unit["id"], {"before": before, "after": changed, "reason": reason}
        )
        values = {
            "unit": wanted["unit_name"],
            "fields": svc.bundle.text("list_separator").join(field_title(svc, k) for k in changed),
            "reason": reason,
            "authority": authority["name"],
        }
        notify(svc, "unit_corrected", {"unit": staff(svc, unit["id"])}, values, {"organisation": "/units/corrections"})
    found = units.organisation(svc, unit["id"])
    assert found is not None
    return found


def _check(svc: Services, unit: Organisation, wanted: dict[str, str]) -> list[dict[str, Any]]:
    form = svc.bundle.forms["unit_registration"]
    doc = {"unit_name": wanted["unit_name"], "uscc": wanted["uscc"]}
    errors = [
        e
        for e in form.validator.errors(doc, svc.bundle.context(today=svc.clock.today()))
        if e.severity == "error" and e.path.strip("/") in doc
    ]
    found: list[Any] = list(errors)
    if not wanted["unit_name"]:
        found.append(_field(svc, "unit_name", "correction_name_required"))
    if units.region_choice(svc, wanted["region"]) is None:
        found.append(_field(svc, "region", "region_outside"))
    if wanted["supervisor"]:
        supervisor = units.resolve_supervisor(svc, wanted["supervisor"])
        if supervisor is None or supervisor == unit["id"]:
            found.append(_field(svc, "supervisor", "supervisor_unknown"))
        else:
            wanted["supervisor"] = supervisor
    return found


def _field(svc: Services, field: str, code: str) -> dict[str, Any]:
    return {"path": f"/{field}", "code": code, "message": svc.bundle.text(code), "rule": "UNIT-1"}


def field_title(svc: Services, field: str) -> str:
    for form_id in ("unit_registration", "permission_request"):
        descriptor = svc.bundle.forms[form_id].field_index.get(field)
        if descriptor is not None:
            return str(descriptor["title"])
    return field


def history(svc: Services, org_id: str) -> list[dict[str, Any]]:
    rows = svc.storage.all(
        "SELECT c.*, o.name AS authority_name FROM unit_corrections c"
        " LEFT JOIN organisations o ON o.id = c.authority_id WHERE c.org_id = ? ORDER BY c.id DESC",
        (org_id,),
    )
    return [
        {
            **r,
            "changes": [
                {"title": field_title(svc, k), "before": loads(r["before"], {}).get(k, ""), "after": v}
                for k, v in loads(r["after"], {}).items()
            ],
        }
        for r in rows
    ]


def printed_unit_names(svc: Services, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """For declarations submitted before their unit's name was corrected: the name they were
    submitted under, with the correction noted (declaration id -> text to print)."""
    unit_ids = sorted({r["unit_id"] for r in rows if r.get("unit_id")})
    if not unit_ids:
        return {}
    marks = ",".join("?" * len(unit_ids))
    renames: dict[str, list[dict[str, Any]]] = {}
    for c in svc.storage.all(f"SELECT * FROM unit_corrections WHERE org_id IN ({marks}) ORDER BY id", tuple(unit_ids)):
        before = loads(c["before"], {})
        if "unit_name" in before:
            renames.setdefault(c["org_id"], []).append({**c, "old": before["unit_name"]})
    wanted = [r for r in rows if r.get("unit_id") in renames]
    if not wanted:
        return {}
    ids = [r["id"] for r in wanted]
    marks = ",".join("?" * len(ids))
    submitted = {
        h["declaration_id"]: h["at"]
        for h in svc.storage.all(
            f"SELECT declaration_id, MIN(at) AS at FROM history WHERE transition = ? AND declaration_id IN ({marks})"
            " GROUP BY declaration_id",
            (SUBMIT, *ids),
        )
    }
    found: dict[str, str] = {}
    for row in wanted:
        at = submitted.get(row["id"])
        later = [c for c in renames[row["unit_id"]] if at is not None and c["at"] >= at]
        if later:
            unit = units.organisation(svc, row["unit_id"])
            found[row["id"]] = svc.bundle.text(
                "print_unit_renamed",
                name=later[0]["old"],
                new_name=unit["name"] if unit else "",
                date=_date(svc, later[0]["at"]),
            )
    return found


def _date(svc: Services, stamp: str) -> str:
    moment = parse(stamp).astimezone(svc.clock.zone)
    return svc.bundle.text("print_date", year=moment.year, month=moment.month, day=moment.day)
