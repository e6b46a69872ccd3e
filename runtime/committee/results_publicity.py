"""Results publicity (PUB-2): the public page lists the results in the publicity
states policy names, with only the fields policy lists (PUB-3); anyone may object in real
name (name, ID number or unit, contact, reasons, optional evidence), throttled per client
address; the committee office holding the result upholds or dismisses each objection with a
reason (audited). The workflow guard `objections_settled` keeps a result from becoming final
while an objection of its publicity is undecided or upheld."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso, parse
from runtime.committee import policy, throttle, workdays
from runtime.declarations import uploads
from runtime.declarations.queues import Page, decode_cursor, encode_cursor, page_limit
from runtime.documents import documents
from runtime.documents.documents import mask_last4
from runtime.storage.rows import Account, Declaration
from runtime.web.http import HttpError, Services
from vocabulary.formats import is_id_card, is_mobile_cn
from vocabulary.terms import PARAMETRISED_GUARDS

BLOCK = "results_publicity"
DECISIONS = ("upheld", "dismissed")


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(
        status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "PUB-2"}], extra=values
    )


def _not_found(svc: Services) -> HttpError:
    return HttpError(404, "not_found", svc.bundle.text("not_found"))


def listed_states(svc: Services) -> list[str]:
    return [str(s) for s in policy.section(svc, BLOCK).get("states") or []]


def working_days(svc: Services, state: str) -> int:
    """The publicity's length: the `working_days:N` guard of the step that leaves the state."""
    for step in (svc.bundle.workflow.get("declaration") or {}).get("transitions") or []:
        if state in step["from"]:
            for guard in step.get("guards") or []:
                match = PARAMETRISED_GUARDS["working_days"].match(guard)
                if match:
                    return int(match.group(1))
    return 0


def period(svc: Services, declaration: dict[str, Any]) -> tuple[str, str]:
    """First day and the day the publicity's working days are complete (PUB-3 calendar)."""
    started = parse(declaration["state_since"] or declaration["updated_at"]).astimezone(svc.clock.zone).date()
    days = working_days(svc, declaration["state"])
    return started.isoformat(), workdays.add(svc, started, days).isoformat() if days else ""


def _values(svc: Services, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = list(policy.section(svc, BLOCK)["fields"])
    wanted = {c["source"].split(".", 1)[0] for c in columns} - {"person", "declaration", "certificate"}
    subjects = documents.load_subjects(svc, rows, wanted)  # type: ignore[arg-type]
    lines = []
    for subject in subjects:
        values = []
        for column in columns:
            text = documents.source_value(svc, subject, column["source"])
            values.append(mask_last4(text) if column.get("mask") == "last4" else text)
        starts, ends = period(svc, subject.declaration)  # type: ignore[arg-type]
        lines.append({"declaration_id": subject.declaration["id"], "values": values, "starts": starts, "ends": ends})
    return lines


def public_list(svc: Services, after: str | None = None) -> dict[str, Any]:
    """One page of the public list, oldest publicity first; `after` is the last row's
    declaration id of the previous page (keyset on state_since, id)."""
    states = listed_states(svc)
    size = int(policy.section(svc, BLOCK)["page_size"])
    marks = ",".join("?" * len(states))
    params: list[Any] = list(states)
    where = f"state IN ({marks})"
    if after:
        last = svc.storage.one(f"SELECT state_since, id FROM declarations WHERE id = ? AND {where}", (after, *states))
        if last is None:
            raise _error(svc, 422, "list_cursor_invalid", "/after")
        where += " AND (state_since > ? OR (state_since = ? AND id > ?))"
        params += [last["state_since"], last["state_since"], last["id"]]
    rows = svc.storage.all(
        f"SELECT * FROM declarations WHERE {where} ORDER BY state_since, id LIMIT ?", (*params, size + 1)
    )
    more = len(rows) > size
    rows = rows[:size]
    return {
        "columns": [c["title"] for c in policy.section(svc, BLOCK)["fields"]],
        "rows": _values(svc, rows),
        "next": rows[-1]["id"] if more and rows else None,
    }


def public_entry(svc: Services, declaration_id: str) -> dict[str, Any]:
    """One listed result; 404 for anything not under publicity now."""
    row = _listed(svc, declaration_id)
    return {"columns": [c["title"] for c in policy.section(svc, BLOCK)["fields"]], **_values(svc, [row])[0]}


def _listed(svc: Services, declaration_id: Any) -> dict[str, Any]:
    if not isinstance(declaration_id, str) or len(declaration_id) > 64:
        raise _not_found(svc)
    row = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (declaration_id,))
    if row is None or row["state"] not in listed_states(svc):
        raise _not_found(svc)
    return row


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def object_to(
    svc: Services, address: str, declaration_id: str, fields: dict[str, Any], evidence: tuple[str, bytes] | None
) -> dict[str, Any]:
    """A real-name objection to a listed result: name, ID number or unit, and a mobile
    number are required (an anonymous one is refused), every text bounded, evidence checked
    like every upload; at most the policy's count per client address and window."""
    spec = policy.section(svc, BLOCK)
    declaration = _listed(svc, declaration_id)
    name, id_number, unit = _text(fields, "name"), _text(fields, "id_number").upper(), _text(fields, "unit")
    contact, text = _text(fields, "contact"), _text(fields, "text")
    if not name or not contact or not (id_number or unit):
        missing = "/name" if not name else "/contact" if not contact else "/id_number"
        raise _error(svc, 422, "objection_anonymous", missing)
    if len(name) > int(spec["name_max_length"]):
        raise _error(svc, 422, "objection_name_invalid", "/name", limit=spec["name_max_length"])
    if id_number and not is_id_card(id_number, svc.clock.today()):
        raise _error(svc, 422, "objection_id_number_invalid", "/id_number")
    if len(unit) > int(spec["unit_max_length"]):
        raise _error(svc, 422, "objection_unit_invalid", "/unit", limit=spec["unit_max_length"])
    if not is_mobile_cn(contact):
        raise _error(svc, 422, "objection_contact_invalid", "/contact")
    limit = int(spec["objection_max_length"])
    if not text or len(text) > limit:
        raise _error(svc, 422, "objection_text", "/text", limit=limit)
    stored = _evidence(svc, spec["evidence"], evidence)
    wait = throttle.hit(
        svc, "result_objection", address, int(spec["objections_per_address"]), int(spec["objection_window_minutes"])
    )
    if wait:
        raise HttpError(
            429,
            "objections_throttled",
            svc.bundle.text("objections_throttled"),
            headers={"retry-after": str(wait)},
            extra={"retry_after": wait},
        )
    objection = {
        "id": uuid.uuid4().hex,
        "declaration_id": declaration["id"],
        "round": declaration["state_since"] or declaration["updated_at"],
        "name": name,
        "id_number": id_number,
        "unit": unit,
        "contact": contact,
        "text": text,
        **stored,
        "created_at": iso(svc.clock.now()),
    }
    svc.storage.insert("result_objections", objection)
    return objection


def _evidence(svc: Services, spec: dict[str, Any], evidence: tuple[str, bytes] | None) -> dict[str, Any]:
    if evidence is None or not evidence[1]:
        return {}
    name, content = evidence
    kind = uploads.sniff(content)
    if kind is None or kind not in spec["types"]:
        raise _error(svc, 415, "unsupported_file_type", "/evidence")
    if len(content) > int(spec["max_size_kb"]) * 1024:
        raise _error(svc, 413, "file_too_large", "/evidence", limit=spec["max_size_kb"])
    sha = hashlib.sha256(content).hexdigest()
    uploads.file_store(svc).put(sha, content)
    return {
        "evidence_sha256": sha,
        "evidence_name": uploads.clean_filename(name, kind),
        "evidence_type": uploads.MEDIA_TYPES[kind],
    }


def _office(svc: Services, account: Account) -> str:
    if account["kind"] != "organisation" or account["role"] not in policy.section(svc, BLOCK)["decided_by"]:
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return str(account["org_id"])


OFFICE_FIELDS = (
    "id",
    "declaration_id",
    "name",
    "id_number",
    "unit",
    "contact",
    "text",
    "evidence_name",
    "created_at",
    "decision",
    "decision_reason",
    "decided_at",
)


def for_office(
    svc: Services, account: Account, state: str = "", *, limit: str | int | None = None, cursor: str | None = None
) -> Page:
    """One page of the objections to results the caller's organisation holds (undecided first,
    then newest first), with the applicant's name; nobody else sees them. Keyset pages over
    (decided, created_at, id), as every list (issue 14): the cursor is the last row's key."""
    org = _office(svc, account)
    size = page_limit(svc, limit)
    decided = "CASE WHEN o.decision IS NULL THEN 0 ELSE 1 END"
    clauses: list[str] = ["d.holder_org_id = ?"]
    params: list[Any] = [org]
    if state == "open":
        clauses.append("o.decision IS NULL")
    after = decode_cursor(svc, cursor)
    if after is not None:
        key, last_id = after
        if key[:1] not in ("0", "1"):
            raise HttpError(422, "list_cursor_invalid", svc.bundle.text("list_cursor_invalid"))
        flag, created = int(key[0]), key[1:]
        clauses.append(f"({decided} > ? OR ({decided} = ? AND (o.created_at < ? OR (o.created_at = ? AND o.id < ?))))")
        params += [flag, flag, created, created, last_id]
    rows = svc.storage.all(
        "SELECT o.*, a.name AS applicant, d.series, d.level FROM result_objections o"
        " JOIN declarations d ON d.id = o.declaration_id JOIN accounts a ON a.id = d.person_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY {decided}, o.created_at DESC, o.id DESC LIMIT ?",
        (*params, size + 1),
    )
    more = len(rows) > size
    rows = rows[:size]
    found = [
        {
            **{k: row[k] for k in OFFICE_FIELDS},
            "applicant": row["applicant"],
            "series": row["series"],
            "level": row["level"],
        }
        for row in rows
    ]
    last = rows[-1] if rows else None
    key = f"{0 if last and last['decision'] is None else 1}{last['created_at']}" if last else ""
    return Page(found, encode_cursor(key, last["id"]) if more and last else None, size)


def _held(svc: Services, account: Account, objection_id: Any) -> dict[str, Any]:
    org = _office(svc, account)
    if not isinstance(objection_id, str) or len(objection_id) > 64:
        raise _not_found(svc)
    row = svc.storage.one(
        "SELECT o.*, d.holder_org_id FROM result_objections o JOIN declarations d ON d.id = o.declaration_id"
        " WHERE o.id = ?",
        (objection_id,),
    )
    if row is None or row["holder_org_id"] != org:
        raise _not_found(svc)
    return row


def evidence_of(svc: Services, account: Account, objection_id: str) -> tuple[bytes, str, str]:
    """The evidence file, for the office holding the result only."""
    row = _held(svc, account, objection_id)
    if not row["evidence_sha256"]:
        raise _not_found(svc)
    try:
        content = uploads.file_store(svc).get(row["evidence_sha256"])
    except OSError as exc:
        raise _not_found(svc) from exc
    return content, str(row["evidence_type"]), str(row["evidence_name"])


def decide(svc: Services, account: Account, objection_id: str, decision: Any, reason: Any) -> dict[str, Any]:
    """Uphold or dismiss, with a written reason, once (PUB-2); audited."""
    row = _held(svc, account, objection_id)
    spec = policy.section(svc, BLOCK)
    if decision not in DECISIONS:
        raise _error(svc, 422, "objection_decision_invalid", "/decision")
    limit = int(spec["decision_reason_max_length"])
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > limit:
        raise _error(svc, 422, "objection_reason_required", "/reason", limit=limit)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        done = svc.storage.execute(
            "UPDATE result_objections SET decision = ?, decision_reason = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND decision IS NULL",
            (decision, text, account["id"], now, row["id"]),
        )
        if not done:
            raise _error(svc, 409, "objection_decided")
        accounts.audit(
            svc,
            account["id"],
            "objection_decision",
            row["declaration_id"],
            {"objection": row["id"], "decision": decision},
        )
    return {**{k: row[k] for k in OFFICE_FIELDS}, "decision": decision, "decision_reason": text, "decided_at": now}


def objections_of(svc: Services, declaration: Declaration) -> list[dict[str, Any]]:
    """The objections of a declaration's current publicity, for the review page of its holder."""
    round_start = declaration["state_since"] or declaration["updated_at"]
    return svc.storage.all(
        "SELECT id, name, text, decision, decision_reason, created_at FROM result_objections"
        " WHERE declaration_id = ? AND round >= ? ORDER BY created_at",
        (declaration["id"], round_start),
    )
