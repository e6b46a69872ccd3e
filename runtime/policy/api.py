"""Discovery endpoints of the JSON API: forms, code lists, notices, contacts, captcha."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.accounts.captcha import new_captcha
from runtime.bundle import Bundle
from runtime.policy import versions
from runtime.review import workflow
from runtime.web.http import HttpError, client_ip, json_response, services


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        Route("/api/v1/forms", forms, methods=["GET"]),
        Route("/api/v1/forms/{form_id:path}", form, methods=["GET"]),
        Route("/api/v1/dictionaries/{name}", dictionary, methods=["GET"]),
        Route("/api/v1/notices", notices, methods=["GET"]),
        Route("/api/v1/contacts", contacts, methods=["GET"]),
        Route("/api/v1/captcha", captcha, methods=["GET"]),
        Route("/api/v1/dev/outbox", outbox, methods=["GET"]),
    ]


async def openapi(request: Request) -> Response:
    return Response(services(request).bundle.openapi, media_type="application/json")


def _bundle(request: Request) -> Bundle:
    """The current build, or with `?version=` a past policy version still in use (VER-1)."""
    svc = services(request)
    wanted = request.query_params.get("version")
    if not wanted:
        return svc.bundle
    found = versions.loaded(svc).get(wanted)
    if found is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    return found


async def forms(request: Request) -> JSONResponse:
    manifest = _bundle(request).manifest
    return json_response(
        {"forms": manifest["forms"], "schema_hash": manifest["schema_hash"], "policy_version": manifest["schema_hash"]}
    )


async def form(request: Request) -> JSONResponse:
    bundle = _bundle(request)
    form_id = request.path_params["form_id"]
    found: Any = bundle.forms.get(form_id)
    if found is None and "/" in form_id:
        parent, section = form_id.split("/", 1)
        found = bundle.sections.get(parent, {}).get(section)
    if found is None:
        raise HttpError(404, "not_found", bundle.text("not_found"))
    return json_response(found.compiled["schema"])


async def dictionary(request: Request) -> JSONResponse:
    bundle = services(request).bundle
    found = bundle.dictionaries.get(request.path_params["name"])
    if found is None:
        raise HttpError(404, "not_found", bundle.text("not_found"))
    return json_response(found)


async def notices(request: Request) -> JSONResponse:
    return json_response({"notices": workflow.open_notices(services(request))})


async def contacts(request: Request) -> JSONResponse:
    return json_response({"contacts": services(request).bundle.platform.get("contacts") or []})


async def captcha(request: Request) -> JSONResponse:
    svc = services(request)
    made = await run_in_threadpool(new_captcha, svc, client_ip(request))
    body = {"captcha_id": made.id, "image": made.image}
    if svc.dev:
        body["answer"] = made.answer
    return json_response(body)


async def outbox(request: Request) -> JSONResponse:
    svc = services(request)
    if not svc.dev:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    rows = svc.storage.all("SELECT * FROM outbox ORDER BY id DESC LIMIT 200")
    return json_response({"messages": rows})
