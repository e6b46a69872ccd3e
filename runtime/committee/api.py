"""The committee stage over the JSON API: certificates (COM-5), integrity (INT), unit publicity
(PUB-1), expert pools, sessions, opinions and votes (COM-1..4), statistics (STAT-1); the results
publicity (PUB-2) lives in results_api.py."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.committee import (
    certificates,
    experts,
    integrity,
    opinions,
    policy,
    responses,
    results_api,
    statistics,
    unit_publicity,
    votes,
)
from runtime.documents.spreadsheet import overview_xlsx
from runtime.storage.rows import Account
from runtime.web.http import HttpError, form_text, json_response, read_form, read_json, services


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/certificates", issued, methods=["GET"]),
        Route("/api/v1/certificates/{certificate_no}/revoke", revoke, methods=["POST"]),
        Route("/api/v1/integrity-records", integrity_records, methods=["GET", "POST"]),
        Route("/api/v1/me/integrity-records", my_integrity_records, methods=["GET"]),
        Route("/api/v1/unit-publicities", unit_publicities, methods=["GET", "POST"]),
        Route("/api/v1/unit-publicities/{id}", unit_publicity_detail, methods=["GET"]),
        Route("/api/v1/unit-publicities/{id}/objections", unit_publicity_objection, methods=["POST"]),
        Route("/api/v1/unit-publicities/{id}/end", unit_publicity_end, methods=["POST"]),
        Route("/api/v1/unit-publicities/{id}/report-form", unit_publicity_report, methods=["POST"]),
        Route("/api/v1/experts", experts_pool, methods=["GET", "POST"]),
        Route("/api/v1/experts/import", experts_import, methods=["POST"]),
        Route("/api/v1/review-sessions", review_sessions, methods=["GET", "POST"]),
        Route("/api/v1/review-sessions/{id}", review_session, methods=["GET"]),
        Route("/api/v1/review-sessions/{id}/conflicts", review_session_conflict, methods=["POST"]),
        Route("/api/v1/review-sessions/{id}/draw", review_session_draw, methods=["POST"]),
        Route("/api/v1/experts/{id}/account", expert_account, methods=["POST"]),
        Route("/api/v1/review-sessions/{id}/vote", session_vote, methods=["GET", "POST"]),
        Route("/api/v1/review-sessions/{id}/vote/close", session_vote_close, methods=["POST"]),
        Route("/api/v1/review-sessions/{id}/opinions", session_opinions, methods=["GET"]),
        Route("/api/v1/expert/declarations", expert_declarations, methods=["GET"]),
        Route("/api/v1/expert/declarations/{id}", expert_declaration, methods=["GET"]),
        Route("/api/v1/expert/declarations/{id}/opinion", expert_opinion, methods=["PUT"]),
        Route("/api/v1/expert/sessions/{id}/ballots", expert_ballot, methods=["POST"]),
        Route("/api/v1/statistics", statistics_counts, methods=["GET"]),
        Route("/api/v1/statistics/declarations", statistics_list, methods=["GET"]),
        Route("/api/v1/statistics.xlsx", statistics_xlsx, methods=["GET"]),
        Route("/api/v1/statistics/chart.svg", statistics_chart, methods=["GET"]),
        *results_api.routes(),  # PUB-2
    ]


def _certificate(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "certificate_no": row["certificate_no"],
        "declaration_id": row["id"],
        "person_name": row["person_name"],
        "series": row["series"],
        "level": row["level"],
        "revoked_at": row["revoked_at"],
    }


async def issued(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    params = request.query_params
    page = certificates.issued_by(svc, account, limit=params.get("limit"), cursor=params.get("cursor"))
    return json_response(
        {"certificates": [_certificate(r) for r in page.rows], "next_cursor": page.next_cursor, "limit": page.limit}
    )


async def revoke(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_json(request)
    reason = body.get("reason") if isinstance(body, dict) else None
    return json_response(certificates.revoke(svc, account, request.path_params["certificate_no"], reason))


RECORD_FIELDS = ("id", "person_id", "reason", "detail", "starts", "ends", "evidence_name", "created_at")


async def integrity_records(request: Request) -> JSONResponse:
    """INT-2: GET the records the caller's organisation made; POST a new one as multipart
    (`id_number`, `reason`, `detail`, `starts`, file `evidence`)."""
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        params = request.query_params
        page = integrity.recorded_by(svc, account, limit=params.get("limit"), cursor=params.get("cursor"))
        return json_response({"records": page.rows, "next_cursor": page.next_cursor, "limit": page.limit})
    if not integrity.may_record(svc, account):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    spec = policy.section(svc, "integrity")
    form = await read_form(request, files=True, max_size=int(spec["evidence"]["max_size_kb"]) * 1024 + 64 * 1024)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise HttpError(415, "unsupported_body", svc.bundle.text("unsupported_body"))
    fields = {k: form_text(form, k) for k in ("id_number", "reason", "detail", "starts")}
    upload = form.get("evidence")
    evidence = None
    if upload is not None and not isinstance(upload, str):
        evidence = (upload.filename or "", await upload.read())
    record = integrity.create(svc, account, fields, evidence)
    return json_response({k: record[k] for k in RECORD_FIELDS}, status=201)


async def my_integrity_records(request: Request) -> JSONResponse:
    svc = services(request)
    return json_response({"records": integrity.mine(svc, require_account(request))})


def _statistics(request: Request) -> tuple[Account, statistics.Query]:
    svc = services(request)
    account = require_account(request)
    statistics.scope(svc, account)
    return account, statistics.parse_query(svc, request.query_params)


async def statistics_counts(request: Request) -> JSONResponse:
    """STAT-1: `year`, `by` (a dimension) and filters by dimension value."""
    svc = services(request)
    account, query = _statistics(request)
    return json_response(statistics.counts(svc, account, query))


async def statistics_list(request: Request) -> JSONResponse:
    svc = services(request)
    account, query = _statistics(request)
    params = request.query_params
    page = statistics.declarations(svc, account, query, limit=params.get("limit"), cursor=params.get("cursor"))
    rows = [{k: v for k, v in row.items() if k != "updated_at"} for row in page.rows]
    return json_response({"declarations": rows, "next_cursor": page.next_cursor, "limit": page.limit})


async def statistics_xlsx(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics(request)
    content = overview_xlsx(statistics.sheet(svc, statistics.counts(svc, account, query)))
    return responses.download(content, responses.XLSX, f"{svc.bundle.text('statistics_title')}-{query.year}.xlsx")


async def statistics_chart(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics(request)
    return responses.svg(statistics.chart_svg(svc, statistics.counts(svc, account, query)))


async def unit_publicities(request: Request) -> JSONResponse:
    """PUB-1: GET the unit's publicities; POST `{series, level}` starts one."""
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        return json_response({"publicities": unit_publicity.of_unit(svc, account)})
    body = await read_json(request)
    body = body if isinstance(body, dict) else {}
    started = unit_publicity.start(svc, account, body.get("series"), body.get("level"))
    return json_response(unit_publicity.describe(svc, started), status=201)


async def unit_publicity_detail(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    found = unit_publicity.load(svc, account, request.path_params["id"])
    return json_response(unit_publicity.listing(svc, found))


async def unit_publicity_objection(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_json(request)
    body = body if isinstance(body, dict) else {}
    made = unit_publicity.object_to(
        svc, account, request.path_params["id"], body.get("declaration_id"), body.get("text")
    )
    return json_response({k: made[k] for k in ("id", "declaration_id", "text", "created_at")}, status=201)


async def unit_publicity_end(request: Request) -> JSONResponse:
    svc = services(request)
    return json_response(unit_publicity.end(svc, require_account(request), request.path_params["id"]))


async def unit_publicity_report(request: Request) -> JSONResponse:
    """The stamped report form as multipart `file`."""
    svc = services(request)
    account = require_account(request)
    limit = int(policy.section(svc, "unit_publicity")["report_form"]["max_size_kb"]) * 1024 + 64 * 1024
    form = await read_form(request, files=True, max_size=limit)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HttpError(415, "unsupported_body", svc.bundle.text("unsupported_body"))
    content = await upload.read()
    return json_response(
        unit_publicity.upload_report(svc, account, request.path_params["id"], upload.filename or "", content)
    )


async def _object(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    return body if isinstance(body, dict) else {}


async def experts_pool(request: Request) -> JSONResponse:
    """COM-1: GET the office's pool; POST one expert `{name, unit, specialty, title, title_level, mobile}`."""
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        return json_response({"experts": experts.pool(svc, account)})
    return json_response(experts.add(svc, account, await _object(request)), status=201)


async def experts_import(request: Request) -> JSONResponse:
    """COM-1: an XLSX list (multipart `file`) under the policy's column headers, all or nothing."""
    svc = services(request)
    account = require_account(request)
    limit = int(policy.section(svc, "experts")["import_max_kb"]) * 1024 + 64 * 1024
    form = await read_form(request, files=True, max_size=limit)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HttpError(415, "unsupported_body", svc.bundle.text("unsupported_body"))
    made = experts.import_xlsx(svc, account, await upload.read())
    return json_response({"imported": len(made)}, status=201)


async def review_sessions(request: Request) -> JSONResponse:
    """COM-2: GET the office's sessions; POST `{series, level, expert_count, declaration_ids}`."""
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        return json_response({"sessions": experts.sessions(svc, account)})
    body = await _object(request)
    session = experts.create_session(
        svc, account, body.get("series"), body.get("level"), body.get("expert_count"), body.get("declaration_ids")
    )
    return json_response(experts.describe(svc, session), status=201)


async def review_session(request: Request) -> JSONResponse:
    svc = services(request)
    session = experts.load_session(svc, require_account(request), request.path_params["id"])
    return json_response(experts.describe(svc, session))


async def review_session_conflict(request: Request) -> JSONResponse:
    """COM-2: an expert's declared conflict with one applicant of the session `{expert_id, declaration_id, reason}`."""
    svc = services(request)
    account = require_account(request)
    body = await _object(request)
    experts.declare_conflict(
        svc, account, request.path_params["id"], body.get("expert_id"), body.get("declaration_id"), body.get("reason")
    )
    return json_response({"ok": True}, status=201)


async def review_session_draw(request: Request) -> JSONResponse:
    """COM-2: the random draw with its recorded seed; 409 naming how many experts are missing."""
    svc = services(request)
    return json_response(experts.draw(svc, require_account(request), request.path_params["id"]))


async def expert_account(request: Request) -> JSONResponse:
    """COM-3: a login account for a pool expert `{login_name, password}`."""
    svc = services(request)
    account = require_account(request)
    body = await _object(request)
    made = votes.create_account(svc, account, request.path_params["id"], body.get("login_name"), body.get("password"))
    return json_response(made, status=201)


async def session_vote(request: Request) -> JSONResponse:
    """COM-4: POST `{attending: [expert ids]}` opens the vote (quorum); GET the tallies."""
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        return json_response(votes.tally(svc, account, request.path_params["id"]))
    body = await _object(request)
    return json_response(votes.open_vote(svc, account, request.path_params["id"], body.get("attending")), status=201)


async def expert_declarations(request: Request) -> JSONResponse:
    svc = services(request)
    return json_response({"declarations": votes.assigned(svc, require_account(request))})


async def expert_declaration(request: Request) -> JSONResponse:
    """One assigned declaration, read-only, with the expert's own opinion (COM-3)."""
    svc = services(request)
    account = require_account(request)
    found = votes.assigned_declaration(svc, account, request.path_params["id"])
    return json_response({**found, "opinion": opinions.mine(svc, account, request.path_params["id"])})


async def expert_opinion(request: Request) -> JSONResponse:
    """COM-3: `{opinion, score}` on an assigned declaration while the session is open."""
    svc = services(request)
    account = require_account(request)
    body = await _object(request)
    return json_response(
        opinions.record(svc, account, request.path_params["id"], body.get("opinion"), body.get("score"))
    )


async def session_vote_close(request: Request) -> JSONResponse:
    """COM-4: end the vote; no ballot or opinion after it."""
    svc = services(request)
    return json_response(votes.close_vote(svc, require_account(request), request.path_params["id"]))


async def session_opinions(request: Request) -> JSONResponse:
    """COM-3: the signed opinions of the office's session."""
    svc = services(request)
    return json_response({"opinions": opinions.of_session(svc, require_account(request), request.path_params["id"])})


async def expert_ballot(request: Request) -> JSONResponse:
    """COM-4: one secret ballot `{declaration_id, choice}`."""
    svc = services(request)
    account = require_account(request)
    body = await _object(request)
    votes.cast(svc, account, request.path_params["id"], body.get("declaration_id"), body.get("choice"))
    return json_response({"ok": True}, status=201)
