"""Unit pages: registration with a confirmation step (UNIT-1), the permission request
(UNIT-3, UNIT-4), the HR authority's permission queue and password resets (UNIT-5), and the
TOTP second factor. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.accounts import accounts, password_change, totp
from runtime.storage.rows import Account
from runtime.units import people_pages, permissions, units
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import errors_by_path
from runtime.web.http import HttpError, Services, check_csrf, form_text, read_form, render, services
from runtime.web.security import hash_password


def routes() -> list[BaseRoute]:
    return [
        Route("/register/unit", register, methods=["GET", "POST"]),
        Route("/register/unit/confirm", register_confirm, methods=["POST"]),
        Route("/register/unit/back", register_back, methods=["POST"]),
        Route("/units/permission", permission, methods=["GET", "POST"]),
        Route("/permission-requests", permission_requests, methods=["GET"]),
        Route("/permission-requests/{id}/{decision:str}", decide_permission, methods=["POST"]),
        Route("/units/{id}/password-reset", password_reset, methods=["POST"]),
        Route("/me/totp", second_factor, methods=["GET", "POST"]),
        Route("/staff", people_pages.staff_page, methods=["GET", "POST"]),
        Route("/audit", people_pages.audit_page, methods=["GET"]),
    ]


def _choices(svc: Services) -> dict[str, Any]:
    regions = [{"value": r["code"], "title": r["name"]} for r in svc.bundle.platform.get("regions") or []]
    return {"regions": regions, "supervisors": units.supervisors(svc)}


def _form_values(form: Any, known: dict[str, Any]) -> dict[str, str]:
    return {k: form_text(form, k) for k in known if k in form}


# -- registration (UNIT-1) ----------------------------------------------------------------


async def register(request: Request) -> Response:
    svc = services(request)
    spec = svc.bundle.forms["unit_registration"]
    if request.method == "GET":
        return render(request, "register_unit.html", form=spec, doc={}, errors={}, **_choices(svc))
    form = await read_form(request)
    check_csrf(request, form)
    values = _form_values(form, spec.field_index)
    try:
        cleaned = units.validate_unit(svc, values)
    except HttpError as error:
        shown = {k: v for k, v in values.items() if spec.field_index[k]["type"] != "password"}
        return render(
            request,
            "register_unit.html",
            status=422,
            form=spec,
            doc=shown,
            errors=errors_by_path(error.errors or []),
            **_choices(svc),
        )
    password_hash = await run_in_threadpool(hash_password, cleaned["password"])
    pending = accounts.hold_pending(svc, "unit", cleaned, password_hash)
    return render(request, "register_unit_confirm.html", form=spec, doc=_readable(svc, cleaned), pending=pending)


def _readable(svc: Services, cleaned: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation step shows: names rather than codes and ids."""
    shown = dict(cleaned)
    where = units.region_choice(svc, cleaned.get("region"))
    shown["region"] = where["name"] if where else ""
    supervisor = units.organisation(svc, cleaned.get("supervisor"))
    shown["supervisor"] = supervisor["name"] if supervisor else svc.bundle.text("no_supervisor")
    return shown


async def register_back(request: Request) -> Response:
    """Back (the return button) on the confirm step: the form again with every value typed (passwords excepted), as
    person registration does (issue 16). The held registration is dropped; sending the form holds
    it anew."""
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    spec = svc.bundle.forms["unit_registration"]
    held = accounts.take_pending(svc, "unit", form_text(form, "pending"))
    doc = (
        {k: v for k, v in held[0].items() if k in spec.field_index and spec.field_index[k]["type"] != "password"}
        if held
        else {}
    )
    return render(request, "register_unit.html", form=spec, doc=doc, errors={}, **_choices(svc))


async def register_confirm(request: Request) -> Response:
    svc = services(request)
    form = await read_form(request)
    check_csrf(request, form)
    held = accounts.take_pending(svc, "unit", form_text(form, "pending"))
    if held is None:
        raise HttpError(409, "registration_expired", svc.bundle.text("registration_expired"))
    cleaned, password_hash = held
    units.create_unit(svc, cleaned, password_hash)
    return render(request, "register_unit_confirm.html", done=True, flashes=[svc.bundle.text("unit_registered")])


# -- permission (UNIT-3, UNIT-4) -----------------------------------------------------------


async def permission(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    spec = svc.bundle.forms["permission_request"]
    info = units.unit_info(svc, account)
    doc = {"uscc": info["uscc"] or "", "region": info["region"] or "", "supervisor": info["supervisor"] or ""}
    context = {"form": spec, "info": info, **_choices(svc)}
    if request.method == "GET":
        return render_org(request, "unit_permission.html", account, doc=doc, errors={}, **context)
    form = await read_form(request)
    check_csrf(request, form)
    values = _form_values(form, spec.field_index)
    try:
        permissions.request_permission(svc, account, values)
    except HttpError as error:
        if error.status not in (403, 409, 422):
            raise
        return render_org(
            request,
            "unit_permission.html",
            account,
            status=error.status,
            doc=values,
            errors=errors_by_path(error.errors or []),
            error=error.message,
            **context,
        )
    info = units.unit_info(svc, account)
    return render_org(
        request,
        "unit_permission.html",
        account,
        doc=values,
        errors={},
        flashes=[info["permission"]["state_title"]] if info["permission"] else [],
        **{**context, "info": info},
    )


# -- the HR authority: permission queue and password resets (UNIT-3, UNIT-5) ----------------


def _hr_page(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    q = request.query_params.get("q") or ""
    found = units.region_units(svc, account, text=q, cursor=request.query_params.get("cursor"))
    return render_org(
        request,
        "permission_requests.html",
        account,
        status=status,
        requests=permissions.permission_requests(svc, account),
        region_units=found.rows,
        next_cursor=found.next_cursor,
        q=q,
        **context,
    )


async def permission_requests(request: Request) -> Response:
    account = org_page(request)
    return _hr_page(request, account)


async def decide_permission(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    decision = request.path_params["decision"]
    if decision not in ("approve", "reject"):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    form = await read_form(request)
    check_csrf(request, form)
    try:
        permissions.decide_permission(
            svc, account, request.path_params["id"], approve=decision == "approve", comment=form_text(form, "comment")
        )
    except HttpError as error:
        if error.status not in (409, 422):
            raise
        return _hr_page(request, account, status=error.status, error=error.message)
    return _hr_page(request, account, flashes=[svc.bundle.text("reviewed")])


async def password_reset(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    form = await read_form(request)
    check_csrf(request, form)
    try:
        found = await run_in_threadpool(units.reset_unit_password, svc, account, request.path_params["id"])
    except HttpError as error:
        if error.status != 409:
            raise
        return _hr_page(request, account, status=error.status, error=error.message)
    shown = svc.bundle.text("temporary_password_sent", login=found["login_name"], mobile=found["sent_to"])
    return _hr_page(request, account, flashes=[shown])


# -- TOTP second factor ----------------------------------------------------------------------


async def second_factor(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    if request.method == "GET":
        required_now = password_change.gate(svc, account) == "totp_setup_required"
        return render_org(request, "totp.html", account, status_now=totp.status(account), required_now=required_now)
    form = await read_form(request)
    check_csrf(request, form)
    action = form_text(form, "action")
    setup = None
    flashes: list[str] = []
    try:
        if action == "enable":
            setup = totp.start(svc, account)
        elif action == "confirm":
            totp.confirm(svc, account, form_text(form, "code"))
            flashes.append(svc.bundle.text("totp_enabled"))
        elif action == "disable":
            totp.disable(svc, account, form_text(form, "code"))
            flashes.append(svc.bundle.text("totp_disabled"))
        else:
            raise HttpError(422, "bad_request", svc.bundle.text("bad_request"))
    except HttpError as error:
        if error.status not in (409, 422):
            raise
        fresh = svc.storage.account(account["id"]) or account
        return render_org(
            request, "totp.html", account, status=error.status, status_now=totp.status(fresh), error=error.message
        )
    fresh = svc.storage.account(account["id"]) or account
    return render_org(request, "totp.html", account, status_now=totp.status(fresh), setup=setup, flashes=flashes)
