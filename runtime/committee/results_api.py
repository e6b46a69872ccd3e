"""The results publicity over the JSON API (PUB-2): the public list and objections (no token),
the committee office's objections and decisions. Routed through api.py."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.committee import policy, results_publicity
from runtime.web.http import HttpError, client_ip, form_text, json_response, read_form, read_json, services

OBJECTION_FIELDS = ("name", "id_number", "unit", "contact", "text")


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/results-publicity", public_list, methods=["GET"]),
        Route("/api/v1/results-publicity/{id}", public_entry, methods=["GET"]),
        Route("/api/v1/results-publicity/{id}/objections", objection, methods=["POST"]),
        Route("/api/v1/result-objections", office_list, methods=["GET"]),
        Route("/api/v1/result-objections/{id}/decision", decide, methods=["POST"]),
    ]


async def public_list(request: Request) -> JSONResponse:
    """No token: one page of the results under publicity; `cursor` (or, as first published,
    `after`) = the previous page's `next_cursor` (also given as `next`)."""
    svc = services(request)
    after = request.query_params.get("cursor") or request.query_params.get("after") or None
    listing = results_publicity.public_list(svc, after[:64] if after else None)
    return json_response({**listing, "next_cursor": listing["next"]})


async def public_entry(request: Request) -> JSONResponse:
    svc = services(request)
    return json_response(results_publicity.public_entry(svc, request.path_params["id"]))


async def objection(request: Request) -> JSONResponse:
    """No token, real name: JSON `{name, id_number?, unit?, contact, text}`, or the same as
    multipart with an optional `evidence` file."""
    svc = services(request)
    evidence = None
    if "application/json" in request.headers.get("content-type", ""):
        body = await read_json(request)
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
    else:
        spec = policy.section(svc, results_publicity.BLOCK)
        form = await read_form(request, files=True, max_size=int(spec["evidence"]["max_size_kb"]) * 1024 + 64 * 1024)
        if "multipart/form-data" not in request.headers.get("content-type", ""):
            raise HttpError(415, "unsupported_body", svc.bundle.text("unsupported_body"))
        fields = {k: form_text(form, k) for k in OBJECTION_FIELDS}
        upload = form.get("evidence")
        if upload is not None and not isinstance(upload, str):
            evidence = (upload.filename or "", await upload.read())
    made = results_publicity.object_to(svc, client_ip(request), request.path_params["id"], fields, evidence)
    return json_response(
        {"id": made["id"], "declaration_id": made["declaration_id"], "created_at": made["created_at"]}, status=201
    )


async def office_list(request: Request) -> JSONResponse:
    """The objections to results the caller's organisation holds; `state=open` for undecided;
    keyset pages (`limit`, `cursor`; the answer's `next_cursor`)."""
    svc = services(request)
    account = require_account(request)
    params = request.query_params
    state = "open" if params.get("state") == "open" else ""
    page = results_publicity.for_office(svc, account, state, limit=params.get("limit"), cursor=params.get("cursor"))
    return json_response({"objections": page.rows, "next_cursor": page.next_cursor, "limit": page.limit})


async def decide(request: Request) -> JSONResponse:
    """`{decision: upheld | dismissed, reason}`, once, audited."""
    svc = services(request)
    account = require_account(request)
    body = await read_json(request)
    body = body if isinstance(body, dict) else {}
    made = results_publicity.decide(svc, account, request.path_params["id"], body.get("decision"), body.get("reason"))
    return json_response(made)
