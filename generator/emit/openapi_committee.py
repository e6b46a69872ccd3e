"""The committee stage's part of openapi.json (PUB-1..2, COM-1..5, INT-1..2, STAT-1): every
route with every status code it can answer, written as one table row per operation. Texts a
person reads in Chinese come from messages.yaml (`ui`), never from here."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

ERRORS = {"$ref": "#/components/schemas/Errors"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG = "image/svg+xml"
MULTIPART = "multipart/form-data"
DESCRIPTIONS = {
    "400": "malformed request",
    "401": "no or bad token",
    "403": "not allowed (role, region or organisation)",
    "404": "not found, or not visible to the caller",
    "409": "state conflict",
    "410": "gone: the certificate was revoked",
    "413": "body too large",
    "415": "unsupported body",
    "422": "validation failed",
    "429": "too many requests (retry_after)",
}
STATISTICS_QUERY = ("year", "by", "series", "level", "region", "state")


def _object(required: tuple[str, ...], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


TEXT: dict[str, Any] = {"type": "string"}
FILE: dict[str, Any] = {"type": "string", "format": "binary"}
IDS: dict[str, Any] = {"type": "array", "items": TEXT}
OBJECTION = {"name": TEXT, "id_number": TEXT, "unit": TEXT, "contact": TEXT, "text": TEXT}

# request bodies by name (the table below names them)
BODIES: dict[str, dict[str, Any]] = {
    "reason": _object(("reason",), reason=TEXT),
    "record": _object(
        ("id_number", "reason", "evidence"),
        id_number=TEXT,
        reason=TEXT,
        detail=TEXT,
        starts={"type": "string", "format": "date"},
        evidence=FILE,
    ),
    "series_level": _object(("series", "level"), series=TEXT, level=TEXT),
    "objection_text": _object(("text",), text=TEXT, declaration_id=TEXT),
    "file": _object(("file",), file=FILE),
    "expert": _object(
        ("name", "unit", "title_level"),
        **{k: TEXT for k in ("name", "unit", "specialty", "title", "title_level", "mobile")},
    ),
    "session": _object(
        ("series", "level", "expert_count", "declaration_ids"),
        series=TEXT,
        level=TEXT,
        expert_count={"type": "integer"},
        declaration_ids=IDS,
    ),
    "conflict": _object(("expert_id", "declaration_id"), expert_id=TEXT, declaration_id=TEXT, reason=TEXT),
    "login": _object(("login_name", "password"), login_name=TEXT, password=TEXT),
    "attending": _object(("attending",), attending=IDS),
    "ballot": _object(("declaration_id", "choice"), declaration_id=TEXT, choice=TEXT),
    "opinion": _object(("opinion",), opinion=TEXT, score={"type": "integer"}),
    "result_objection": _object(("name", "contact", "text"), **OBJECTION, evidence=FILE),
    "decision": _object(("decision", "reason"), decision={"enum": ["upheld", "dismissed"]}, reason=TEXT),
}


class Row(NamedTuple):
    method: str
    path: str
    summary: str
    statuses: str  # the error statuses, space-separated
    body: str = ""  # a name of BODIES
    content: str = "application/json"
    ok: str = "200"
    query: tuple[str, ...] = ()
    media_type: str = "application/json"
    public: bool = False  # no token needed
    text: str = ""  # a messages.yaml ui key: the Chinese name of what the route is about


POST_JSON = "400 401 403 404 415 422"
ROUTES: tuple[Row, ...] = (
    Row("get", "/certificates", "Certificates the caller's organisation issued, with revocations (COM-5)", "401 403"),
    Row(
        "post",
        "/certificates/{certificate_no}/revoke",
        "Revoke an issued certificate with a reason, audited; /verify then says since when (COM-5)",
        "400 401 403 404 409 415 422",
        "reason",
    ),
    Row("get", "/integrity-records", "Integrity records the caller's organisation made (INT-2)", "401 403"),
    Row(
        "post",
        "/integrity-records",
        "Record a person in the integrity archive with reason, evidence and start date, audited (INT-1, INT-2)",
        "400 401 403 413 415 422",
        "record",
        MULTIPART,
        "201",
    ),
    Row("get", "/me/integrity-records", "The caller's own integrity records (INT-2)", "401 403"),
    Row("get", "/unit-publicities", "The declaring unit's publicities (PUB-1)", "401 403"),
    Row(
        "post",
        "/unit-publicities",
        "Start the unit publicity of a series × level: its declarations enter the publicity step (PUB-1)",
        POST_JSON,
        "series_level",
        ok="201",
    ),
    Row(
        "get",
        "/unit-publicities/{id}",
        "The list published inside the unit, only the fields policy names, with objections (PUB-1)",
        "401 404",
    ),
    Row(
        "post",
        "/unit-publicities/{id}/objections",
        "A real-name objection while the publicity runs, limited per person (PUB-1)",
        "400 401 404 409 415 422 429",
        "objection_text",
        ok="201",
    ),
    Row(
        "post",
        "/unit-publicities/{id}/end",
        "End the publicity once its working days are over (PUB-1, PUB-3)",
        "401 403 404 409",
    ),
    Row(
        "post",
        "/unit-publicities/{id}/report-form",
        "Upload the stamped report form of the unit publicity after it ended (PUB-1)",
        "400 401 403 404 409 413 415 422",
        "file",
        MULTIPART,
        text="unit_publicity_report",
    ),
    Row("get", "/experts", "The expert pool of the caller's committee organising unit (COM-1)", "401 403"),
    Row("post", "/experts", "Add an expert to the pool (COM-1)", "400 401 403 415 422", "expert", ok="201"),
    Row(
        "post",
        "/experts/import",
        "Import experts from an XLSX list under the policy's column headers, all or nothing (COM-1)",
        "400 401 403 413 415 422",
        "file",
        MULTIPART,
        "201",
    ),
    Row(
        "post",
        "/experts/{id}/account",
        "Give a pool expert a login account (COM-3)",
        "400 401 403 404 409 415 422",
        "login",
        ok="201",
    ),
    Row("get", "/review-sessions", "The office's review sessions with their draws (COM-2)", "401 403"),
    Row(
        "post",
        "/review-sessions",
        "Set up a session: declarations held here of one series × level, an odd number of experts (COM-2)",
        "400 401 403 415 422",
        "session",
        ok="201",
    ),
    Row(
        "get",
        "/review-sessions/{id}",
        "A session: declarations, seed, the list drawn from, the drawn experts (COM-2)",
        "401 403 404",
    ),
    Row(
        "post",
        "/review-sessions/{id}/conflicts",
        "Record an expert's declared conflict with an applicant of the session (COM-2)",
        POST_JSON,
        "conflict",
        ok="201",
    ),
    Row(
        "post",
        "/review-sessions/{id}/draw",
        "Draw the experts at random with a recorded seed, avoiding same-unit experts and conflicts;"
        " 409 names how many are missing (COM-2)",
        "401 403 404 409",
    ),
    Row(
        "get",
        "/review-sessions/{id}/vote",
        "Tallies per declaration, quorum and threshold; never who voted what (COM-4)",
        "401 403 404 409",
    ),
    Row(
        "post",
        "/review-sessions/{id}/vote",
        "Open the vote with the attending experts; refused without quorum (COM-4)",
        "400 401 403 404 409 415 422",
        "attending",
        ok="201",
    ),
    Row(
        "post",
        "/review-sessions/{id}/vote/close",
        "Close the vote: no ballot and no opinion after it (COM-3, COM-4)",
        "401 403 404 409",
    ),
    Row(
        "get",
        "/review-sessions/{id}/opinions",
        "The experts' signed opinions and scores of a session (COM-3)",
        "401 403 404",
    ),
    Row(
        "get",
        "/expert/declarations",
        "The declarations an expert was drawn for, less declared conflicts (COM-3)",
        "401 403",
    ),
    Row(
        "get",
        "/expert/declarations/{id}",
        "One assigned declaration, read-only, with the expert's opinion; 404 for any other (COM-3)",
        "401 403 404",
    ),
    Row(
        "put",
        "/expert/declarations/{id}/opinion",
        "Record the expert's opinion and score on an assigned declaration while the session is open (COM-3)",
        "400 401 403 404 409 415 422",
        "opinion",
    ),
    Row(
        "post",
        "/expert/sessions/{id}/ballots",
        "One secret ballot of an attending expert on one declaration, once, while the vote is open (COM-4)",
        "400 401 403 404 409 415 422",
        "ballot",
        ok="201",
    ),
    Row(
        "get",
        "/results-publicity",
        "Public: one page of the results under publicity, only the fields policy lists (PUB-2)",
        "422",
        query=("after",),
        public=True,
    ),
    Row("get", "/results-publicity/{id}", "Public: one result under publicity (PUB-2)", "404", public=True),
    Row(
        "post",
        "/results-publicity/{id}/objections",
        "Public, real name only: an objection to a result under publicity, JSON or multipart with evidence;"
        " throttled per client address (PUB-2)",
        "400 404 413 415 422 429",
        "result_objection",
        ok="201",
        public=True,
    ),
    Row(
        "get",
        "/result-objections",
        "Objections to the results the caller's organisation holds (PUB-2)",
        "401 403",
        query=("state",),
    ),
    Row(
        "post",
        "/result-objections/{id}/decision",
        "Uphold or dismiss an objection with a written reason, once, audited (PUB-2)",
        "400 401 403 404 409 415 422",
        "decision",
    ),
    Row(
        "get",
        "/statistics",
        "Counts of a notice year by one dimension, scoped by role and region (STAT-1)",
        "401 403 422",
        query=STATISTICS_QUERY,
    ),
    Row(
        "get",
        "/statistics/declarations",
        "The declarations behind a count (STAT-1 drill-down)",
        "401 403 422",
        query=STATISTICS_QUERY[:1] + STATISTICS_QUERY[2:],
    ),
    Row(
        "get",
        "/statistics.xlsx",
        "The counts as a spreadsheet (STAT-1)",
        "401 403 422",
        query=STATISTICS_QUERY,
        media_type=XLSX,
    ),
    Row(
        "get",
        "/statistics/chart.svg",
        "The counts as an SVG bar chart rendered on the server (STAT-1)",
        "401 403 422",
        query=STATISTICS_QUERY,
        media_type=SVG,
    ),
)


def _operation(row: Row, ui: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": row.summary, "responses": {}}
    if row.text and ui.get(row.text):
        op["description"] = str(ui[row.text])
    params = [{"name": n, "in": "path", "required": True, "schema": TEXT} for n in re.findall(r"{(\w+)}", row.path)]
    params += [{"name": n, "in": "query", "required": False, "schema": TEXT} for n in row.query]
    if params:
        op["parameters"] = params
    if row.body:
        op["requestBody"] = {"required": True, "content": {row.content: {"schema": BODIES[row.body]}}}
    schema: dict[str, Any] = {"type": "object"} if row.media_type == "application/json" else FILE
    op["responses"][row.ok] = {"description": "OK", "content": {row.media_type: {"schema": schema}}}
    for code in row.statuses.split():
        op["responses"][code] = {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ERRORS}}}
    if row.public:
        op["security"] = []
    return op


def revoked_download(op: dict[str, Any]) -> dict[str, Any]:
    """The certificate download also answers 410 once the certificate is revoked (COM-5)."""
    op["responses"]["410"] = {"description": DESCRIPTIONS["410"], "content": {"application/json": {"schema": ERRORS}}}
    return op


def paths(v: str, ui: dict[str, Any]) -> dict[str, Any]:
    """Every committee-stage operation under the API prefix `v`; `ui` = messages.yaml's ui texts."""
    found: dict[str, Any] = {}
    for row in ROUTES:
        found.setdefault(f"{v}{row.path}", {})[row.method] = _operation(row, ui)
    return found
