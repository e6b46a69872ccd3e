"""/units/corrections: HR staff list their region's units and correct one (name, credit code,
region, supervising department) with a reason; a unit sees the corrections made to it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.corrections import service
from runtime.storage.rows import Account
from runtime.units import navigation, units
from runtime.web.forms import errors_by_path, page_account
from runtime.web.http import HttpError, check_csrf, form_text, read_form, services


def routes() -> list[BaseRoute]:
    return [
        Route("/units/corrections", corrections_page, methods=["GET"]),
        Route("/units/corrections/{id}", correction_page, methods=["GET", "POST"]),
    ]


def _is_hr(svc: Any, account: Account) -> bool:
    org = units.organisation(svc, account["org_id"])
    return bool(org and account["role"] == units.HR_ROLE and units.HR_KIND in units.kinds(org))


async def corrections_page(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=False)
    if _is_hr(svc, account):
        q = request.query_params.get("q") or ""
        found = service.region_units(svc, account, text=q, cursor=request.query_params.get("cursor"))
        return navigation.render_org(
            request,
            "unit_corrections.html",
            account,
            region_units=found.rows,
            next_cursor=found.next_cursor,
            q=q,
            **_choices(svc),
        )
    org = units.account_org(svc, account)
    return navigation.render_org(
        request, "unit_corrections.html", account, own=org, history=service.history(svc, org["id"])
    )


def _choices(svc: Any) -> dict[str, Any]:
    regions = [{"value": r["code"], "title": r["name"]} for r in svc.bundle.platform.get("regions") or []]
    supervisors = [{"value": s["id"], "title": s["name"]} for s in units.supervisors(svc)]
    titles = {k: service.field_title(svc, k) for k in (*service.FIELDS,)}
    return {"regions": regions, "supervisors": supervisors, "titles": titles}


async def correction_page(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=False)
    unit = service.unit_of_region(svc, account, request.path_params["id"])
    doc: dict[str, str] = service.current(svc, unit)
    status, context = 200, {}
    if request.method == "POST":
        form = await read_form(request)
        check_csrf(request, form)
        doc = {k: form_text(form, k) for k in service.FIELDS}
        reason = form_text(form, "reason")
        try:
            unit = service.correct(svc, account, unit["id"], doc, reason)
        except HttpError as error:
            if error.status not in (409, 422):
                raise
            status = error.status
            context = {"error": error.message, "errors": errors_by_path(error.errors or []), "reason": reason}
        else:
            doc = service.current(svc, unit)
            context = {"flashes": [svc.bundle.text("correction_saved")]}
    return navigation.render_org(
        request,
        "unit_correction.html",
        account,
        status=status,
        unit=unit,
        doc=doc,
        history=service.history(svc, unit["id"]),
        **_choices(svc),
        **context,
    )
