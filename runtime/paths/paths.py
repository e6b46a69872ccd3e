"""Path requests (PATH-1): an organisation asks the next organisation of its chain to accept
what it reports for one series × level; nothing goes up without an approved path.

Which organisation is "next" is the routing of schemas/routing/ (PATH-2, PATH-3), worked
out by runtime.paths.routing; the form's fields come from schemas/forms/path_request.yaml.
"""

from __future__ import annotations

import uuid
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso
from runtime.notifications import platform_events
from runtime.paths import routing
from runtime.storage.rows import Account, Organisation, organisation_row
from runtime.units import units
from runtime.web.http import HttpError, Services

FORM = "path_request"
NO_PATH_MESSAGES = {
    "empty_cell": "routing_empty_cell",
    "no_authority": "routing_no_authority",
    "no_chain": "routing_no_chain",
    "no_region": "routing_no_chain",
}


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    errors = [{"path": path, "code": code, "message": message, "rule": "PATH-1"}] if path else None
    return HttpError(status, code, message, errors=errors)


def no_path_error(svc: Services, exc: routing.NoPath, status: int = 422) -> HttpError:
    code = NO_PATH_MESSAGES.get(exc.reason, "no_route")
    message = svc.bundle.text(code)
    return HttpError(status, code, message, errors=[{"path": "", "code": code, "message": message, "rule": "PATH-3"}])


def staff_org(svc: Services, account: Account) -> Organisation:
    if not units.is_staff(account):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return units.account_org(svc, account)


def allowed_uppers(svc: Services, org: Organisation, series: str, level: str) -> list[Organisation]:
    ids = routing.uppers_for(svc, org, series, level)
    return [o for o in (units.organisation(svc, i) for i in ids) if o is not None]


def request_path(svc: Services, account: Account, document: Any) -> dict[str, Any]:
    org = staff_org(svc, account)
    if not org["permitted"]:
        raise HttpError(403, "not_permitted_self", svc.bundle.text("not_permitted_self"))
    if not isinstance(document, dict):
        raise HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
    document = dict(document)
    if "upper_unit_id" in document:  # the API contract's name for the form's `upper_unit`
        document.setdefault("upper_unit", document.pop("upper_unit_id"))
    form = svc.bundle.forms[FORM]
    errors = [e for e in form.validator.errors(document, svc.bundle.context()) if e.severity == "error"]
    if errors:
        raise accounts.validation_error(svc, errors)
    series, level = str(document["series"]), str(document["level"])
    upper = units.organisation(svc, str(document["upper_unit"])[:64])
    if upper is None:
        named = svc.storage.one("SELECT * FROM organisations WHERE name = ?", (str(document["upper_unit"]),))
        upper = organisation_row(named) if named else None
    try:
        allowed = allowed_uppers(svc, org, series, level)
    except routing.NoPath as exc:
        raise no_path_error(svc, exc) from exc
    if not allowed:
        raise _error(svc, 422, "path_chain_end", "/upper_unit")
    if upper is None or upper["id"] not in [a["id"] for a in allowed]:
        raise _error(
            svc,
            422,
            "path_wrong_upper",
            "/upper_unit",
            names=svc.bundle.text("list_separator").join(a["name"] for a in allowed),
        )
    path_id = uuid.uuid4().hex
    with svc.storage.transaction():
        if svc.storage.one(
            "SELECT 1 AS x FROM paths WHERE org_id = ? AND upper_org_id = ? AND series = ? AND level = ?"
            " AND state IN ('pending', 'approved')",
            (org["id"], upper["id"], series, level),
        ):
            raise _error(svc, 409, "path_duplicate")
        svc.storage.insert(
            "paths",
            {
                "id": path_id,
                "org_id": org["id"],
                "series": series,
                "level": level,
                "upper_org_id": upper["id"],
                "state": "pending",
                "created_at": iso(svc.clock.now()),
            },
        )
        accounts.audit(svc, account["id"], "path_requested", path_id, {"upper": upper["id"]})
        platform_events.path_requested(
            svc, {"org_id": org["id"], "upper_org_id": upper["id"], "series": series, "level": level}
        )
    return view(svc, path_id)


def view(svc: Services, path_id: str) -> dict[str, Any]:
    row = svc.storage.one(
        "SELECT p.*, o.name AS org_name, u.name AS upper_name FROM paths p"
        " JOIN organisations o ON o.id = p.org_id JOIN organisations u ON u.id = p.upper_org_id WHERE p.id = ?",
        (path_id,),
    )
    assert row is not None
    return {**row, "state_title": svc.bundle.text(f"path_{row['state']}")}


def list_paths(svc: Services, account: Account) -> dict[str, list[dict[str, Any]]]:
    """The caller's own requests and those addressed to it; nobody else's."""
    org = staff_org(svc, account)
    rows = svc.storage.all(
        "SELECT id, org_id FROM paths WHERE org_id = ? OR upper_org_id = ? ORDER BY created_at DESC, rowid DESC",
        (org["id"], org["id"]),
    )
    mine = [view(svc, r["id"]) for r in rows if r["org_id"] == org["id"]]
    to_me = [view(svc, r["id"]) for r in rows if r["org_id"] != org["id"]]
    return {"mine": mine, "to_me": to_me}


def decide_path(svc: Services, account: Account, path_id: str, *, approve: bool, comment: str) -> dict[str, Any]:
    """Only the upper organisation decides; the requester may not (403); others do not see it (404)."""
    org = staff_org(svc, account)
    with svc.storage.transaction():
        row = svc.storage.one("SELECT * FROM paths WHERE id = ?", (str(path_id)[:64],))
        if row is None or org["id"] not in (row["org_id"], row["upper_org_id"]):
            raise units.not_found(svc)
        if org["id"] != row["upper_org_id"]:
            raise _error(svc, 403, "path_own")
        if row["state"] != "pending":
            raise _error(svc, 409, "already_decided")
        if not approve and not comment.strip():
            raise _error(svc, 422, "reject_comment_required", "/comment")
        state = "approved" if approve else "rejected"
        svc.storage.execute(
            "UPDATE paths SET state = ?, comment = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            (state, comment.strip(), account["id"], iso(svc.clock.now()), row["id"]),
        )
        accounts.audit(svc, account["id"], f"path_{state}", row["id"], {"comment": comment})
        platform_events.path_decided(svc, row, approved=approve, comment=comment.strip())
    return view(svc, row["id"])


def describe_routing(
    svc: Services, *, series: str, level: str, region: str, supervisor: str | None
) -> list[dict[str, Any]]:
    """What the routing table says for a unit of this region and supervisor (PATH-2, PATH-3)."""
    errors = []
    if series not in [e["value"] for e in svc.bundle.entries("series")]:
        errors.append(_field(svc, "series"))
    if level not in [e["value"] for e in svc.bundle.entries("levels")]:
        errors.append(_field(svc, "level"))
    where = units.region_choice(svc, region)
    if where is None:
        errors.append(
            {
                "path": "/region",
                "code": "region_outside",
                "message": svc.bundle.text("region_outside"),
                "rule": "PATH-2",
            }
        )
    supervisor_id = None
    if supervisor:
        supervisor_id = units.resolve_supervisor(svc, supervisor)
        if supervisor_id is None:
            errors.append(
                {
                    "path": "/supervisor",
                    "code": "supervisor_unknown",
                    "message": svc.bundle.text("supervisor_unknown"),
                    "rule": "PATH-2",
                }
            )
    if errors:
        raise accounts.validation_error(svc, errors)
    assert where is not None
    try:
        chain = routing.chain_above(svc, where["id"], supervisor_id, series, level)
    except routing.NoPath as exc:
        raise no_path_error(svc, exc, status=404) from exc
    found = [units.organisation(svc, org_id) for org_id in chain]
    return [{"id": o["id"], "name": o["name"], "kinds": units.kinds(o)} for o in found if o is not None]


def _field(svc: Services, field: str) -> dict[str, Any]:
    title = svc.bundle.forms[FORM].field_index[field]["title"]
    template = str((svc.bundle.messages.get("validation") or {}).get("enum", "{title}"))
    return {"path": f"/{field}", "code": "enum", "message": template.replace("{title}", title), "rule": "PATH-3"}
