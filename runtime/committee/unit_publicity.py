"""Unit publicity (of the recommended candidates, PUB-1): before a declaring unit reports a series × level
upward it publishes the list inside the unit for the policy's working days, takes
objections, ends the publicity and uploads the stamped publicity report form. The workflow takes
part through the transition START (each listed declaration enters the publicity state)
and the report guard `unit_publicity_done`."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from runtime.clock import iso
from runtime.committee import policy, workdays
from runtime.declarations import uploads
from runtime.documents import documents
from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services

BLOCK = "unit_publicity"
START = "start_unit_publicity"  # the workflow transition that puts a declaration in publicity


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "PUB-1"}])


def _staff(svc: Services, account: Account) -> str:
    if account["kind"] != "organisation" or account["role"] not in policy.roles(svc, BLOCK):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return str(account["org_id"])


def start(svc: Services, account: Account, series: Any, level: Any) -> dict[str, Any]:
    """Publish every declaration of this series × level that the unit declared and holds in a
    state the START transition leaves; all of them enter the publicity together."""
    unit = _staff(svc, account)
    step = workflow.transition(svc, START)
    if step is None:
        raise HttpError(404, "unknown_transition", svc.bundle.text("unknown_transition"))
    if not isinstance(series, str) or not isinstance(level, str) or not series or not level:
        raise _error(svc, 422, "bad_request", "/series")
    rows = svc.storage.all(
        "SELECT * FROM declarations WHERE holder_org_id = ? AND unit_id = ? AND series = ? AND level = ?"
        " ORDER BY created_at",
        (unit, unit, series, level),
    )
    rows = [r for r in rows if r["state"] in step["from"] and loads(r["chain"], [None])[0] == unit]
    if not rows:
        raise _error(svc, 422, "publicity_empty", "/series")
    now = svc.clock.now()
    publicity = {
        "id": uuid.uuid4().hex,
        "unit_id": unit,
        "series": series,
        "level": level,
        "starts_on": now.date().isoformat(),
        "working_days": policy.number(svc, BLOCK, "working_days"),
        "created_by": account["id"],
        "created_at": iso(now),
    }
    with svc.storage.transaction():
        svc.storage.insert("unit_publicities", publicity)
        for row in rows:
            fresh = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (row["id"],))
            assert fresh is not None
            workflow.apply(svc, fresh, account, START)  # type: ignore[arg-type]
            svc.storage.insert("unit_publicity_items", {"publicity_id": publicity["id"], "declaration_id": row["id"]})
    return publicity


def load(svc: Services, account: Account, publicity_id: str) -> dict[str, Any]:
    """A publicity this account may see: the unit's staff, and people who declared through the
    unit (the list is published inside the unit); 404 otherwise."""
    if not isinstance(publicity_id, str) or len(publicity_id) > 64:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    row = svc.storage.one("SELECT * FROM unit_publicities WHERE id = ?", (publicity_id,))
    if row is None or not _inside(svc, account, row["unit_id"]):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    return row


def _inside(svc: Services, account: Account, unit: str) -> bool:
    if account["kind"] == "organisation":
        return bool(account["org_id"] == unit)
    return (
        svc.storage.one(
            "SELECT 1 AS x FROM declarations WHERE person_id = ? AND unit_id = ? LIMIT 1", (account["id"], unit)
        )
        is not None
    )


def of_unit(svc: Services, account: Account) -> list[dict[str, Any]]:
    """The unit's publicities, newest first, with their state."""
    unit = _staff(svc, account)
    rows = svc.storage.all(
        "SELECT * FROM unit_publicities WHERE unit_id = ? ORDER BY created_at DESC LIMIT 200", (unit,)
    )
    return [describe(svc, r) for r in rows]


def visible_to_person(svc: Services, account: Account) -> list[dict[str, Any]]:
    """Publicities running in the units a person declared through."""
    rows = svc.storage.all(
        "SELECT p.* FROM unit_publicities p WHERE p.ended_at IS NULL AND p.unit_id IN"
        " (SELECT unit_id FROM declarations WHERE person_id = ?) ORDER BY p.created_at DESC",
        (account["id"],),
    )
    return [describe(svc, r) for r in rows]


def ends_on(svc: Services, row: dict[str, Any]) -> date:
    return workdays.add(svc, date.fromisoformat(row["starts_on"]), int(row["working_days"]))


def describe(svc: Services, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "series": row["series"],
        "level": row["level"],
        "starts_on": row["starts_on"],
        "ends_on": ends_on(svc, row).isoformat(),
        "working_days": row["working_days"],
        "ended_at": row.get("ended_at"),
        "report_name": row.get("report_name"),
    }


def listing(svc: Services, publicity: dict[str, Any]) -> dict[str, Any]:
    """The published list: only the fields policy names, long texts cut short."""
    spec = policy.section(svc, BLOCK)
    limit = int(spec["summary_length"])
    rows = svc.storage.all(
        "SELECT d.* FROM declarations d JOIN unit_publicity_items i ON i.declaration_id = d.id"
        " WHERE i.publicity_id = ? ORDER BY d.created_at",
        (publicity["id"],),
    )
    columns = list(spec["fields"])
    wanted = {c["source"].split(".", 1)[0] for c in columns} - {"person", "declaration", "certificate"}
    subjects = documents.load_subjects(svc, rows, wanted)  # type: ignore[arg-type]
    lines = []
    for subject in subjects:
        values = []
        for column in columns:
            text = documents.source_value(svc, subject, column["source"])
            values.append(text if len(text) <= limit else text[:limit] + "…")
        lines.append({"declaration_id": subject.declaration["id"], "values": values})
    objections = svc.storage.all(
        "SELECT o.id, o.declaration_id, o.text, o.created_at, a.name AS by_name FROM publicity_objections o"
        " JOIN accounts a ON a.id = o.account_id WHERE o.publicity_id = ? ORDER BY o.created_at",
        (publicity["id"],),
    )
    return {
        **describe(svc, publicity),
        "columns": [c["title"] for c in columns],
        "rows": lines,
        "objections": objections,
    }


def object_to(svc: Services, account: Account, publicity_id: str, declaration_id: Any, text: Any) -> dict[str, Any]:
    """A real-name objection (the logged-in account) while the publicity runs."""
    publicity = load(svc, account, publicity_id)
    spec = policy.section(svc, BLOCK)
    if publicity["ended_at"]:
        raise _error(svc, 409, "publicity_ended")
    limit = int(spec["objection_max_length"])
    if not isinstance(text, str) or not text.strip() or len(text) > limit:
        raise _error(svc, 422, "objection_text", "/text", limit=limit)
    listed = {
        r["declaration_id"]
        for r in svc.storage.all(
            "SELECT declaration_id FROM unit_publicity_items WHERE publicity_id = ?", (publicity_id,)
        )
    }
    if declaration_id not in (None, "") and declaration_id not in listed:
        raise _error(svc, 422, "objection_unknown_applicant", "/declaration_id")
    objection = {
        "id": uuid.uuid4().hex,
        "publicity_id": publicity_id,
        "declaration_id": declaration_id or None,
        "account_id": account["id"],
        "text": text.strip(),
        "created_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        count = svc.storage.one(
            "SELECT COUNT(*) AS n FROM publicity_objections WHERE publicity_id = ? AND account_id = ?",
            (publicity_id, account["id"]),
        )
        if count and int(count["n"]) >= int(spec["objections_per_person"]):
            raise _error(svc, 429, "objections_too_many", limit=spec["objections_per_person"])
        svc.storage.insert("publicity_objections", objection)
    return objection


def end(svc: Services, account: Account, publicity_id: str) -> dict[str, Any]:
    """End after the working days (PUB-1, PUB-3); 409 naming the first day it may end."""
    unit = _staff(svc, account)
    publicity = load(svc, account, publicity_id)
    if publicity["unit_id"] != unit:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if publicity["ended_at"]:
        raise _error(svc, 409, "publicity_ended")
    last = ends_on(svc, publicity)
    if svc.clock.today() < last:
        raise _error(svc, 409, "publicity_too_early", days=publicity["working_days"], date=last.isoformat())
    now = iso(svc.clock.now())
    svc.storage.execute("UPDATE unit_publicities SET ended_at = ? WHERE id = ?", (now, publicity_id))
    return describe(svc, {**publicity, "ended_at": now})


def upload_report(svc: Services, account: Account, publicity_id: str, name: str, content: bytes) -> dict[str, Any]:
    """The stamped publicity report form, checked like every upload, once the publicity ended."""
    unit = _staff(svc, account)
    publicity = load(svc, account, publicity_id)
    if publicity["unit_id"] != unit:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if not publicity["ended_at"]:
        raise _error(svc, 409, "publicity_not_ended")
    spec = policy.section(svc, BLOCK)["report_form"]
    if not content:
        raise _error(svc, 422, "empty_file", "/file")
    kind = uploads.sniff(content)
    if kind is None or kind not in spec["types"]:
        raise _error(svc, 415, "unsupported_file_type", "/file")
    if len(content) > int(spec["max_size_kb"]) * 1024:
        raise _error(svc, 413, "file_too_large", "/file", limit=spec["max_size_kb"])
    sha = hashlib.sha256(content).hexdigest()
    target = uploads.files_dir(svc) / sha[:2] / sha
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)
    filename = uploads.clean_filename(name, kind)
    svc.storage.execute(
        "UPDATE unit_publicities SET report_sha256 = ?, report_name = ?, report_type = ? WHERE id = ?",
        (sha, filename, uploads.MEDIA_TYPES[kind], publicity_id),
    )
    return describe(svc, {**publicity, "report_name": filename})
