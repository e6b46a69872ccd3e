"""Expert pools and review sessions (COM-1, COM-2): a committee organising unit keeps its pool
(added one by one or imported from XLSX), sets up a session with declarations it holds and
a number of experts, and draws them at random with a recorded seed. The draw avoids
(recusal) experts who work at an applicant's unit or declared a conflict, takes only experts
at the session's level or above, and refuses, saying how many are missing, when the pool
is too small. The seed and the list drawn from are stored, so anyone can re-check it."""

from __future__ import annotations

import io
import random
import secrets
import uuid
from typing import Any

from runtime.clock import iso
from runtime.committee import policy
from runtime.storage import dumps, loads
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services

BLOCK = "experts"
FIELDS = ("name", "unit", "specialty", "title", "title_level", "mobile")
MAX_TEXT = 100


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(
        status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "COM-2"}], extra=values
    )


def _office(svc: Services, account: Account) -> str:
    if account["kind"] != "organisation" or account["role"] not in policy.roles(svc, BLOCK):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return str(account["org_id"])


def _levels(svc: Services) -> list[str]:
    """Levels from the highest (the code list's order)."""
    return [str(e["value"]) for e in svc.bundle.entries("levels")]


def _clean(svc: Services, fields: dict[str, Any], where: str = "") -> dict[str, str]:
    entry = {}
    for name in FIELDS:
        value = fields.get(name)
        text = str(value).strip() if value is not None else ""
        if len(text) > MAX_TEXT:
            raise _error(svc, 422, "expert_field_invalid", f"{where}/{name}")
        entry[name] = text
    if not entry["name"] or not entry["unit"]:
        raise _error(svc, 422, "expert_field_invalid", f"{where}/name" if not entry["name"] else f"{where}/unit")
    if entry["title_level"] not in _levels(svc):
        raise _error(svc, 422, "expert_field_invalid", f"{where}/title_level")
    return entry


def add(svc: Services, account: Account, fields: dict[str, Any]) -> dict[str, Any]:
    org = _office(svc, account)
    row = {
        "id": uuid.uuid4().hex,
        "org_id": org,
        **_clean(svc, fields),
        "active": 1,
        "created_at": iso(svc.clock.now()),
    }
    svc.storage.insert("experts", row)
    return row


def pool(svc: Services, account: Account) -> list[dict[str, Any]]:
    org = _office(svc, account)
    return svc.storage.all("SELECT * FROM experts WHERE org_id = ? ORDER BY created_at, id LIMIT 5000", (org,))


def import_xlsx(svc: Services, account: Account, content: bytes) -> list[dict[str, Any]]:
    """Every row of the first sheet under the policy's headers; all or nothing, each error
    with its row number."""
    from openpyxl import load_workbook

    org = _office(svc, account)
    spec = policy.section(svc, BLOCK)
    if not content or not content.startswith(b"PK") or len(content) > int(spec["import_max_kb"]) * 1024:
        raise _error(svc, 415, "expert_import_file", "/file")
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=int(spec["import_max_rows"]) + 2))
    except Exception as exc:  # a zip that is no workbook: the client's file, not our fault
        raise _error(svc, 415, "expert_import_file", "/file") from exc
    if not rows:
        raise _error(svc, 422, "expert_import_header", "/file")
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    columns = spec["import_columns"]
    positions = {columns[h]: i for i, h in enumerate(header) if h in columns}
    if {"name", "unit", "title_level"} - set(positions):
        raise _error(svc, 422, "expert_import_header", "/file")
    body = [r for r in rows[1:] if any(c not in (None, "") for c in r)]
    if len(body) > int(spec["import_max_rows"]):
        raise _error(svc, 422, "expert_import_too_many", "/file", limit=spec["import_max_rows"])
    now = iso(svc.clock.now())
    made = []
    for number, cells in enumerate(body, start=2):
        fields = {name: cells[i] if i < len(cells) else None for name, i in positions.items()}
        made.append(
            {
                "id": uuid.uuid4().hex,
                "org_id": org,
                **_clean(svc, fields, f"/rows/{number}"),
                "active": 1,
                "created_at": now,
            }
        )
    with svc.storage.transaction():
        for row in made:
            svc.storage.insert("experts", row)
    return made


def create_session(
    svc: Services, account: Account, series: Any, level: Any, expert_count: Any, declaration_ids: Any
) -> dict[str, Any]:
    """A session for declarations the office holds, of one series × level (COM-2)."""
    org = _office(svc, account)
    spec = policy.section(svc, BLOCK)
    if not isinstance(level, str) or level not in _levels(svc) or not isinstance(series, str) or not series:
        raise _error(svc, 422, "session_invalid", "/level")
    minimum = int((spec.get("session_minimum") or {}).get(level, 1))
    if (
        not isinstance(expert_count, int)
        or isinstance(expert_count, bool)
        or expert_count % 2 == 0
        or not minimum <= expert_count <= int(spec["session_maximum"])
    ):
        raise _error(svc, 422, "session_expert_count", "/expert_count", minimum=minimum)
    if not isinstance(declaration_ids, list) or not declaration_ids or len(declaration_ids) > 500:
        raise _error(svc, 422, "session_invalid", "/declaration_ids")
    for declaration_id in declaration_ids:
        row = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (str(declaration_id),))
        if row is None or row["holder_org_id"] != org or (row["series"], row["level"]) != (series, level):
            raise _error(svc, 422, "session_invalid", "/declaration_ids")
    session = {
        "id": uuid.uuid4().hex,
        "org_id": org,
        "series": series,
        "level": level,
        "expert_count": expert_count,
        "created_by": account["id"],
        "created_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        svc.storage.insert("review_sessions", session)
        for declaration_id in dict.fromkeys(str(d) for d in declaration_ids):
            svc.storage.insert("session_declarations", {"session_id": session["id"], "declaration_id": declaration_id})
    return session


def load_session(svc: Services, account: Account, session_id: str) -> dict[str, Any]:
    org = _office(svc, account)
    row = svc.storage.one("SELECT * FROM review_sessions WHERE id = ?", (str(session_id)[:64],))
    if row is None or row["org_id"] != org:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    return row


def declare_conflict(
    svc: Services, account: Account, session_id: str, expert_id: Any, declaration_id: Any, reason: Any
) -> None:
    """A conflict an expert declared (recorded by the office before the draw)."""
    session = load_session(svc, account, session_id)
    expert = svc.storage.one("SELECT * FROM experts WHERE id = ? AND org_id = ?", (str(expert_id), session["org_id"]))
    listed = svc.storage.one(
        "SELECT 1 AS x FROM session_declarations WHERE session_id = ? AND declaration_id = ?",
        (session["id"], str(declaration_id)),
    )
    if expert is None or listed is None:
        raise _error(svc, 422, "session_invalid", "/expert_id" if expert is None else "/declaration_id")
    text = reason.strip()[:500] if isinstance(reason, str) else ""
    svc.storage.execute(
        "DELETE FROM expert_conflicts WHERE expert_id = ? AND declaration_id = ?", (expert["id"], str(declaration_id))
    )
    svc.storage.insert(
        "expert_conflicts",
        {
            "expert_id": expert["id"],
            "declaration_id": str(declaration_id),
            "reason": text,
            "created_at": iso(svc.clock.now()),
        },
    )


def eligible(svc: Services, session: dict[str, Any]) -> list[str]:
    """Ids of the experts the draw may take, in a fixed order: active, at the session's level
    or above, not working at an applicant's unit, no declared conflict with an applicant."""
    return [e["id"] for e in screening(svc, session) if not e["avoided"]]


def screening(svc: Services, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Every active pool expert with why the draw must pass them over (recusal): `level` (below
    the session's), `unit` (works at an applicant's unit), `conflict` (declared one), or ""."""
    levels = _levels(svc)
    allowed = set(levels[: levels.index(session["level"]) + 1])
    declarations = svc.storage.all(
        "SELECT d.id, o.name AS unit_name, s.data AS header FROM session_declarations x"
        " JOIN declarations d ON d.id = x.declaration_id LEFT JOIN organisations o ON o.id = d.unit_id"
        " LEFT JOIN sections s ON s.declaration_id = d.id AND s.section_id = 'header' WHERE x.session_id = ?",
        (session["id"],),
    )
    units = set()
    for row in declarations:
        units.add(_norm(row["unit_name"]))
        units.add(_norm((loads(row["header"], {}) or {}).get("work_unit")))
    units.discard("")
    conflicted = {
        r["expert_id"]
        for r in svc.storage.all(
            "SELECT c.expert_id FROM expert_conflicts c"
            " JOIN session_declarations x ON x.declaration_id = c.declaration_id WHERE x.session_id = ?",
            (session["id"],),
        )
    }
    experts = svc.storage.all("SELECT * FROM experts WHERE org_id = ? AND active = 1 ORDER BY id", (session["org_id"],))
    found = []
    for e in experts:
        reason = ""
        if e["title_level"] not in allowed:
            reason = "level"
        elif _norm(e["unit"]) in units:
            reason = "unit"
        elif e["id"] in conflicted:
            reason = "conflict"
        found.append({"id": e["id"], "name": e["name"], "unit": e["unit"], "avoided": reason})
    return found


def _norm(text: Any) -> str:
    return "".join(str(text or "").split())


def pick(ids: list[str], count: int, seed: str) -> list[str]:
    """The draw itself: deterministic for a seed and a list, so it can be re-checked."""
    return random.Random(seed).sample(ids, count)


def draw(svc: Services, account: Account, session_id: str) -> dict[str, Any]:
    session = load_session(svc, account, session_id)
    if session["drawn_at"]:
        raise _error(svc, 409, "session_drawn")
    ids = eligible(svc, session)
    if len(ids) < int(session["expert_count"]):
        missing = int(session["expert_count"]) - len(ids)
        raise _error(svc, 409, "pool_too_small", "/expert_count", missing=missing, available=len(ids))
    seed = secrets.token_hex(16)
    chosen = pick(ids, int(session["expert_count"]), seed)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE review_sessions SET seed = ?, eligible = ?, drawn_at = ? WHERE id = ? AND drawn_at IS NULL",
            (seed, dumps(ids), now, session["id"]),
        )
        for position, expert_id in enumerate(chosen, start=1):
            svc.storage.insert(
                "session_experts", {"session_id": session["id"], "expert_id": expert_id, "position": position}
            )
    return describe(svc, {**session, "seed": seed, "eligible": dumps(ids), "drawn_at": now})


def describe(svc: Services, session: dict[str, Any]) -> dict[str, Any]:
    drawn = svc.storage.all(
        "SELECT e.id, e.name, e.unit, e.specialty, e.title, e.title_level, x.position FROM session_experts x"
        " JOIN experts e ON e.id = x.expert_id WHERE x.session_id = ? ORDER BY x.position",
        (session["id"],),
    )
    declarations = [
        r["declaration_id"]
        for r in svc.storage.all(
            "SELECT declaration_id FROM session_declarations WHERE session_id = ?", (session["id"],)
        )
    ]
    return {
        "id": session["id"],
        "series": session["series"],
        "level": session["level"],
        "expert_count": session["expert_count"],
        "declaration_ids": declarations,
        "seed": session.get("seed"),
        "eligible": loads(session.get("eligible"), []),
        "drawn_at": session.get("drawn_at"),
        "experts": drawn,
    }


def sessions(svc: Services, account: Account) -> list[dict[str, Any]]:
    org = _office(svc, account)
    rows = svc.storage.all("SELECT * FROM review_sessions WHERE org_id = ? ORDER BY created_at DESC LIMIT 200", (org,))
    return [describe(svc, r) for r in rows]
