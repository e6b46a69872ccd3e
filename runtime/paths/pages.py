"""Path pages (PATH-1): unit path requests — new path, own requests, requests to approve — and the
routing lookup (PATH-2, PATH-3)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.paths import paths, routing
from runtime.storage.rows import Account, Organisation
from runtime.units import units
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import errors_by_path
from runtime.web.http import HttpError, Services, check_csrf, form_text, read_form, services


def routes() -> list[BaseRoute]:
    return [
        Route("/paths", path_page, methods=["GET", "POST"]),
        Route("/paths/{id}/{decision:str}", decide, methods=["POST"]),
        Route("/routing", routing_page, methods=["GET"]),
    ]


def _choices(svc: Services) -> dict[str, Any]:
    return {
        "series_options": [e["value"] for e in svc.bundle.entries("series")],
        "level_options": [e["value"] for e in svc.bundle.entries("levels")],
        "regions": [{"value": r["code"], "title": r["name"]} for r in svc.bundle.platform.get("regions") or []],
        "supervisors": units.supervisors(svc),
    }


def _uppers(svc: Services, account: Account, series: str, level: str) -> tuple[list[Organisation], str]:
    """The organisations this one may ask (shown once series and level are chosen), or why there
    is none: an empty routing-table cell, the end of the chain (PATH-3; issue 16)."""
    if not series or not level:
        return [], ""
    try:
        found = paths.allowed_uppers(svc, units.account_org(svc, account), series, level)
    except routing.NoPath as exc:
        code = "path_empty_cell" if exc.reason == "empty_cell" else paths.NO_PATH_MESSAGES.get(exc.reason, "no_route")
        return [], svc.bundle.text(code, series=series, level=level)
    return found, "" if found else svc.bundle.text("path_no_upper", series=series, level=level)


def _page(request: Request, account: Account, doc: dict[str, Any], status: int = 200, **context: Any) -> Response:
    svc = services(request)
    uppers, no_upper = _uppers(svc, account, doc.get("series", ""), doc.get("level", ""))
    return render_org(
        request,
        "paths.html",
        account,
        status=status,
        form=svc.bundle.forms[paths.FORM],
        doc=doc,
        lists=paths.list_paths(svc, account),
        uppers=uppers,
        no_upper=no_upper,
        **_choices(svc),
        **context,
    )


async def path_page(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    if request.method == "GET":
        doc = {k: request.query_params.get(k, "") for k in ("series", "level")}
        return _page(request, account, doc, errors={})
    form = await read_form(request)
    check_csrf(request, form)
    doc = {k: form_text(form, k) for k in ("series", "level", "upper_unit")}
    try:
        paths.request_path(svc, account, doc)
    except HttpError as error:
        if error.status not in (403, 409, 422):
            raise
        return _page(
            request, account, doc, status=error.status, errors=errors_by_path(error.errors or []), error=error.message
        )
    return _page(request, account, {}, errors={}, flashes=[svc.bundle.text("path_requested")])


async def decide(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    decision = request.path_params["decision"]
    if decision not in ("approve", "reject"):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    form = await read_form(request)
    check_csrf(request, form)
    try:
        paths.decide_path(
            svc, account, request.path_params["id"], approve=decision == "approve", comment=form_text(form, "comment")
        )
    except HttpError as error:
        if error.status not in (409, 422):
            raise
        return _page(request, account, {}, status=error.status, errors={}, error=error.message)
    return _page(request, account, {}, errors={}, flashes=[svc.bundle.text("reviewed")])


async def routing_page(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    query = {k: request.query_params.get(k, "") for k in ("series", "level", "region", "supervisor")}
    chain: list[dict[str, Any]] | None = None
    error = None
    status = 200
    if query["series"] and query["level"] and query["region"]:
        try:
            chain = paths.describe_routing(
                svc,
                series=query["series"],
                level=query["level"],
                region=query["region"],
                supervisor=query["supervisor"] or None,
            )
        except HttpError as failure:
            if failure.status not in (404, 422):
                raise
            messages = [e["message"] for e in failure.errors or []] or [failure.message]
            error, status = svc.bundle.text("message_separator").join(messages), failure.status
    return render_org(
        request, "routing.html", account, status=status, query=query, chain=chain, error=error, **_choices(svc)
    )
