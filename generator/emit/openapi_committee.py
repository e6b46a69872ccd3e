"""The committee stage's part of openapi.json (COM-5, INT-1..2, STAT-1): every route with
every status code it can answer."""

from __future__ import annotations

from typing import Any

ERRORS = {"$ref": "#/components/schemas/Errors"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def _op(
    summary: str,
    codes: tuple[str, ...],
    *,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    content: str = "application/json",
    ok: str = "200",
    media_type: str = "application/json",
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {content: {"schema": body}}}
    schema: dict[str, Any] = {"type": "object"}
    if media_type != "application/json":
        schema = {"type": "string", "format": "binary"}
    op["responses"][ok] = {"description": "OK", "content": {media_type: {"schema": schema}}}
    for code in codes:
        op["responses"][code] = {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ERRORS}}}
    return op


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]


def revoked_download(op: dict[str, Any]) -> dict[str, Any]:
    """The certificate download also answers 410 once the certificate is revoked (COM-5)."""
    op["responses"]["410"] = {"description": DESCRIPTIONS["410"], "content": {"application/json": {"schema": ERRORS}}}
    return op


def paths(v: str) -> dict[str, Any]:
    reason = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
    record = {
        "type": "object",
        "required": ["id_number", "reason", "evidence"],
        "properties": {
            "id_number": {"type": "string"},
            "reason": {"type": "string"},
            "detail": {"type": "string"},
            "starts": {"type": "string", "format": "date"},
            "evidence": {"type": "string", "format": "binary"},
        },
    }
    return {
        f"{v}/certificates": {
            "get": _op("Certificates the caller's organisation issued, with revocations (COM-5)", ("401", "403")),
        },
        f"{v}/certificates/{{certificate_no}}/revoke": {
            "post": _op(
                "Revoke an issued certificate with a reason, audited; /verify then says since when (COM-5)",
                ("400", "401", "403", "404", "409", "415", "422"),
                params=[_path("certificate_no")],
                body=reason,
            ),
        },
        f"{v}/integrity-records": {
            "get": _op("Integrity records the caller's organisation made (INT-2)", ("401", "403")),
            "post": _op(
                "Record a person in the integrity archive with reason, evidence and start date, audited (INT-1, INT-2)",
                ("400", "401", "403", "413", "415", "422"),
                body=record,
                content="multipart/form-data",
                ok="201",
            ),
        },
        f"{v}/unit-publicities": {
            "get": _op("The declaring unit's publicities (PUB-1)", ("401", "403")),
            "post": _op(
                "Start the unit publicity of a series × level: its declarations enter the publicity step (PUB-1)",
                ("400", "401", "403", "404", "415", "422"),
                body={
                    "type": "object",
                    "required": ["series", "level"],
                    "properties": {"series": {"type": "string"}, "level": {"type": "string"}},
                },
                ok="201",
            ),
        },
        f"{v}/unit-publicities/{{id}}": {
            "get": _op(
                "The list published inside the unit, only the fields policy names, with objections (PUB-1)",
                ("401", "404"),
                params=[_path("id")],
            ),
        },
        f"{v}/unit-publicities/{{id}}/objections": {
            "post": _op(
                "A real-name objection while the publicity runs, limited per person (PUB-1)",
                ("400", "401", "404", "409", "415", "422", "429"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}, "declaration_id": {"type": "string"}},
                },
                ok="201",
            ),
        },
        f"{v}/unit-publicities/{{id}}/end": {
            "post": _op(
                "End the publicity once its working days are over (PUB-1, PUB-3)",
                ("401", "403", "404", "409"),
                params=[_path("id")],
            ),
        },
        f"{v}/unit-publicities/{{id}}/report-form": {
            "post": _op(
                "Upload the stamped 公示情况报告表 after the publicity ended (PUB-1)",
                ("400", "401", "403", "404", "409", "413", "415", "422"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                },
                content="multipart/form-data",
            ),
        },
        f"{v}/experts": {
            "get": _op("The expert pool of the caller's committee organising unit (COM-1)", ("401", "403")),
            "post": _op(
                "Add an expert to the pool (COM-1)",
                ("400", "401", "403", "415", "422"),
                body={
                    "type": "object",
                    "required": ["name", "unit", "title_level"],
                    "properties": {
                        k: {"type": "string"} for k in ("name", "unit", "specialty", "title", "title_level", "mobile")
                    },
                },
                ok="201",
            ),
        },
        f"{v}/experts/import": {
            "post": _op(
                "Import experts from an XLSX list under the policy's column headers, all or nothing (COM-1)",
                ("400", "401", "403", "413", "415", "422"),
                body={
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                },
                content="multipart/form-data",
                ok="201",
            ),
        },
        f"{v}/review-sessions": {
            "get": _op("The office's review sessions with their draws (COM-2)", ("401", "403")),
            "post": _op(
                "Set up a session: declarations held here of one series × level, an odd number of experts (COM-2)",
                ("400", "401", "403", "415", "422"),
                body={
                    "type": "object",
                    "required": ["series", "level", "expert_count", "declaration_ids"],
                    "properties": {
                        "series": {"type": "string"},
                        "level": {"type": "string"},
                        "expert_count": {"type": "integer"},
                        "declaration_ids": {"type": "array", "items": {"type": "string"}},
                    },
                },
                ok="201",
            ),
        },
        f"{v}/review-sessions/{{id}}": {
            "get": _op(
                "A session: declarations, seed, the list drawn from, the drawn experts (COM-2)",
                ("401", "403", "404"),
                params=[_path("id")],
            ),
        },
        f"{v}/review-sessions/{{id}}/conflicts": {
            "post": _op(
                "Record an expert's declared conflict with an applicant of the session (COM-2)",
                ("400", "401", "403", "404", "415", "422"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["expert_id", "declaration_id"],
                    "properties": {k: {"type": "string"} for k in ("expert_id", "declaration_id", "reason")},
                },
                ok="201",
            ),
        },
        f"{v}/review-sessions/{{id}}/draw": {
            "post": _op(
                "Draw the experts at random with a recorded seed, avoiding same-unit experts and conflicts;"
                " 409 names how many are missing (COM-2)",
                ("401", "403", "404", "409"),
                params=[_path("id")],
            ),
        },
        f"{v}/experts/{{id}}/account": {
            "post": _op(
                "Give a pool expert a login account (COM-3)",
                ("400", "401", "403", "404", "409", "415", "422"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["login_name", "password"],
                    "properties": {"login_name": {"type": "string"}, "password": {"type": "string"}},
                },
                ok="201",
            ),
        },
        f"{v}/review-sessions/{{id}}/vote": {
            "get": _op(
                "Tallies per declaration; never who voted what (COM-4)",
                ("401", "403", "404", "409"),
                params=[_path("id")],
            ),
            "post": _op(
                "Open the vote with the attending experts; refused without quorum (COM-4)",
                ("400", "401", "403", "404", "409", "415", "422"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["attending"],
                    "properties": {"attending": {"type": "array", "items": {"type": "string"}}},
                },
                ok="201",
            ),
        },
        f"{v}/expert/declarations": {
            "get": _op("The declarations an expert was drawn for, less declared conflicts (COM-3)", ("401", "403")),
        },
        f"{v}/expert/declarations/{{id}}": {
            "get": _op(
                "One assigned declaration, read-only; 404 for any other (COM-3)",
                ("401", "403", "404"),
                params=[_path("id")],
            ),
        },
        f"{v}/expert/sessions/{{id}}/ballots": {
            "post": _op(
                "One secret ballot of an attending expert on one declaration, once (COM-4)",
                ("400", "401", "403", "404", "409", "415", "422"),
                params=[_path("id")],
                body={
                    "type": "object",
                    "required": ["declaration_id", "choice"],
                    "properties": {"declaration_id": {"type": "string"}, "choice": {"type": "string"}},
                },
                ok="201",
            ),
        },
        f"{v}/statistics": {
            "get": _op(
                "Counts of a notice year by one dimension, scoped by role and region (STAT-1)",
                ("401", "403", "422"),
                params=_query("year", "by", "series", "level", "region", "state"),
            ),
        },
        f"{v}/statistics/declarations": {
            "get": _op(
                "The declarations behind a count (STAT-1 drill-down)",
                ("401", "403", "422"),
                params=_query("year", "series", "level", "region", "state"),
            ),
        },
        f"{v}/statistics.xlsx": {
            "get": _op(
                "The counts as a spreadsheet (STAT-1)",
                ("401", "403", "422"),
                params=_query("year", "by", "series", "level", "region", "state"),
                media_type=XLSX,
            ),
        },
        f"{v}/statistics/chart.svg": {
            "get": _op(
                "The counts as an SVG bar chart rendered on the server (STAT-1)",
                ("401", "403", "422"),
                params=_query("year", "by", "series", "level", "region", "state"),
                media_type="image/svg+xml",
            ),
        },
        f"{v}/me/integrity-records": {
            "get": _op("The caller's own integrity records (INT-2)", ("401", "403")),
        },
    }
