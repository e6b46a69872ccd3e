"""Paths and routing over the JSON API (PATH-1..3)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.paths import paths
from runtime.units.decisions import decision
from runtime.web.http import json_response, read_json, services


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/paths", list_or_request, methods=["GET", "POST"]),
        Route("/api/v1/paths/{id}/approve", approve, methods=["POST"]),
        Route("/api/v1/paths/{id}/reject", reject, methods=["POST"]),
        Route("/api/v1/routing", routing_chain, methods=["GET"]),
    ]


async def list_or_request(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "POST":
        found = paths.request_path(svc, account, await read_json(request))
        return json_response(found, status=201)
    return json_response(paths.list_paths(svc, account))


async def approve(request: Request) -> JSONResponse:
    return await decision(request, paths.decide_path, True)


async def reject(request: Request) -> JSONResponse:
    return await decision(request, paths.decide_path, False)


async def routing_chain(request: Request) -> JSONResponse:
    svc = services(request)
    require_account(request)
    query = request.query_params
    chain = paths.describe_routing(
        svc,
        series=query.get("series", ""),
        level=query.get("level", ""),
        region=query.get("region", ""),
        supervisor=query.get("supervisor") or None,
    )
    return json_response({"chain": chain, "names": [o["name"] for o in chain]})
