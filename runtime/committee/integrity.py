"""The integrity archive (INT-1, INT-2): records made by HR authorities and
committee organising units with a reason, evidence and a period; while one is in force the
person cannot submit a declaration (the workflow guard `no_integrity_record`)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, timedelta
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso
from runtime.committee import policy
from runtime.declarations import queues, uploads
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services

BLOCK = "integrity"


def _invalid(svc: Services, code: str, path: str, status: int = 422, **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "INT-2"}])


def _end(svc: Services, starts: date) -> date:
    """The last day in force: the policy's years after the start, less one day."""
    years = policy.number(svc, BLOCK, "years")
    try:
        return starts.replace(year=starts.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return starts.replace(year=starts.year + years, day=28)


def may_record(svc: Services, account: Account) -> bool:
    return bool(account["kind"] == "organisation" and account["role"] in policy.roles(svc, BLOCK))


def create(
    svc: Services,
    account: Account,
    fields: dict[str, Any],
    evidence: tuple[str, bytes] | None,
) -> dict[str, Any]:
    """INT-2: a record for the person with this ID number; every field checked, audited."""
    if not may_record(svc, account):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    spec = policy.section(svc, BLOCK)
    id_number = fields.get("id_number")
    person = None
    if isinstance(id_number, str) and re.fullmatch(r"[0-9]{17}[0-9Xx]", id_number.strip()):
        person = svc.storage.one(
            "SELECT * FROM accounts WHERE kind = 'person' AND id_number = ?", (id_number.strip().upper(),)
        )
    if person is None:
        raise _invalid(svc, "integrity_person_unknown", "/id_number")
    reason = fields.get("reason")
    if reason not in spec["reasons"]:
        raise _invalid(svc, "integrity_reason_unknown", "/reason")
    detail = fields.get("detail") or ""
    limit = int(spec["reason_detail_max_length"])
    if not isinstance(detail, str) or len(detail) > limit:
        raise _invalid(svc, "integrity_detail_too_long", "/detail", limit=limit)
    starts_text = fields.get("starts") or svc.clock.today().isoformat()
    try:
        starts = date.fromisoformat(str(starts_text)) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(starts_text)) else None
    except ValueError:
        starts = None
    if starts is None:
        raise _invalid(svc, "integrity_starts_invalid", "/starts")
    stored = _store_evidence(svc, spec["evidence"], evidence)
    record = {
        "id": uuid.uuid4().hex,
        "person_id": person["id"],
        "reason": reason,
        "detail": detail.strip(),
        **stored,
        "starts": starts.isoformat(),
        "ends": _end(svc, starts).isoformat(),
        "created_by": account["id"],
        "org_id": account["org_id"],
        "created_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        svc.storage.insert("integrity_records", record)
        accounts.audit(svc, account["id"], "integrity_record", person["id"], {"record": record["id"], "reason": reason})
    return record


def _store_evidence(svc: Services, spec: dict[str, Any], evidence: tuple[str, bytes] | None) -> dict[str, Any]:
    """The evidence file, checked like every upload: magic bytes, size; stored by hash."""
    if evidence is None or not evidence[1]:
        raise _invalid(svc, "empty_file", "/evidence")
    name, content = evidence
    kind = uploads.sniff(content)
    if kind is None or kind not in spec["types"]:
        raise _invalid(svc, "unsupported_file_type", "/evidence", status=415)
    if len(content) > int(spec["max_size_kb"]) * 1024:
        raise _invalid(svc, "file_too_large", "/evidence", status=413, limit=spec["max_size_kb"])
    sha = hashlib.sha256(content).hexdigest()
    uploads.file_store(svc).put(sha, content)
    return {
        "evidence_sha256": sha,
        "evidence_name": uploads.clean_filename(name, kind),
        "evidence_type": uploads.MEDIA_TYPES[kind],
    }


def in_force(svc: Services, person_id: str) -> dict[str, Any] | None:
    """The record in force today that lasts longest, or None."""
    today = svc.clock.today().isoformat()
    return svc.storage.one(
        "SELECT * FROM integrity_records WHERE person_id = ? AND starts <= ? AND ends >= ? ORDER BY ends DESC LIMIT 1",
        (person_id, today, today),
    )


def refuse_if_recorded(svc: Services, person_id: str) -> None:
    """INT-1: 409 naming the last day in force while a record is in force."""
    record = in_force(svc, person_id)
    if record is not None:
        message = svc.bundle.text("integrity_in_force", ends=record["ends"])
        raise HttpError(
            409,
            "integrity_in_force",
            message,
            errors=[{"path": "", "code": "integrity_in_force", "message": message, "rule": "INT-1"}],
            extra={"ends": record["ends"]},
        )


def _with_names(svc: Services, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    today = svc.clock.today().isoformat()
    for row in rows:
        row["in_force"] = row["starts"] <= today <= row["ends"]
    return rows


def mine(svc: Services, account: Account) -> list[dict[str, Any]]:
    """INT-2: a person sees their own records (and who recorded them)."""
    if account["kind"] != "person":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return _with_names(
        svc,
        svc.storage.all(
            "SELECT r.id, r.reason, r.detail, r.starts, r.ends, o.name AS org_name FROM integrity_records r"
            " JOIN organisations o ON o.id = r.org_id WHERE r.person_id = ? ORDER BY r.starts DESC",
            (account["id"],),
        ),
    )


def recorded_by(
    svc: Services, account: Account, *, limit: str | int | None = None, cursor: str | None = None
) -> queues.Page:
    """One page of the records this organisation made, newest first (keyset over created_at
    and id with limit/cursor, as every list)."""
    if not may_record(svc, account):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    size = queues.page_limit(svc, limit)
    after, values = queues.after_cursor(svc, cursor, "r.created_at", "r.id")
    where, params = " AND ".join(["r.org_id = ?", *after]), [account["org_id"], *values]
    rows = svc.storage.all(
        "SELECT r.id, r.reason, r.detail, r.starts, r.ends, r.evidence_name, r.created_at, a.name AS person_name"
        f" FROM integrity_records r JOIN accounts a ON a.id = r.person_id WHERE {where}"
        " ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
        (*params, size + 1),
    )
    page = queues.cut(rows, size, "created_at")
    _with_names(svc, page.rows)
    return page
