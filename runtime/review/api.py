"""Review and reporting over the JSON API (REV-1..5): pass, return, report, result, and any
other step the workflow schema defines."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.declarations import concurrency, declarations
from runtime.review import review
from runtime.web.http import json_response, read_json, read_optional_json, services


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/declarations/{id}/pass", pass_, methods=["POST"]),
        Route("/api/v1/declarations/{id}/return", return_, methods=["POST"]),
        Route("/api/v1/declarations/{id}/result", result, methods=["POST"]),
        Route("/api/v1/declarations/{id}/transitions/{transition_id}", transition, methods=["POST"]),
        Route("/api/v1/reports", report, methods=["POST"]),
    ]


async def _act(request: Request, transition_id: str) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_optional_json(request)
    try:
        updated = review.act(
            svc,
            account,
            request.path_params["id"],
            transition_id,
            comment=body.get("comment", ""),
            sections=body.get("sections"),
            expected_version=concurrency.parse_if_match(request.headers.get("if-match")),
        )
    except concurrency.StaleVersion as stale:
        raise concurrency.precondition_failed(svc, stale.current) from None
    return concurrency.tagged(declarations.summary(svc, updated))


async def pass_(request: Request) -> JSONResponse:
    return await _act(request, review.PASS)


async def return_(request: Request) -> JSONResponse:
    return await _act(request, review.RETURN)


async def transition(request: Request) -> JSONResponse:
    return await _act(request, request.path_params["transition_id"])


async def result(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_optional_json(request)
    updated = review.result(svc, account, request.path_params["id"], body.get("passed"), body.get("comment", ""))
    return json_response(declarations.summary(svc, updated))


async def report(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        body = {}
    done = review.report(svc, account, body.get("series"), body.get("level"), body.get("declaration_ids"))
    return json_response({"reported": [declarations.summary(svc, d) for d in done]})
