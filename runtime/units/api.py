"""Units over the JSON API: registration (UNIT-1), permission (UNIT-3, UNIT-4), the HR
authority's queue and unit password resets (UNIT-5), and the TOTP second factor."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runtime.accounts import totp
from runtime.accounts.sessions import require_account
from runtime.units import audit_log, permissions, staff, units
from runtime.units.decisions import decision
from runtime.web.http import Services, json_response, read_json, read_optional_json, services, text_of
from runtime.web.security import hash_password


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/units", register_unit, methods=["POST"]),
        Route("/api/v1/units/me", unit_me, methods=["GET", "PATCH"]),
        Route("/api/v1/units/me/permission", permission, methods=["GET", "POST"]),
        Route("/api/v1/units/{id}/password-reset", password_reset, methods=["POST"]),
        Route("/api/v1/permission-requests", permission_requests, methods=["GET"]),
        Route("/api/v1/permission-requests/{id}/approve", approve_permission, methods=["POST"]),
        Route("/api/v1/permission-requests/{id}/reject", reject_permission, methods=["POST"]),
        Route("/api/v1/region-units", region_units, methods=["GET"]),
        Route("/api/v1/me/totp", totp_status, methods=["GET", "POST"]),
        Route("/api/v1/me/totp/confirm", totp_confirm, methods=["POST"]),
        Route("/api/v1/me/totp/disable", totp_disable, methods=["POST"]),
        Route("/api/v1/units/me/staff", staff_accounts, methods=["GET", "POST"]),
        Route("/api/v1/audit", audit_entries, methods=["GET"]),
    ]


async def register_unit(request: Request) -> JSONResponse:
    svc = services(request)
    body = await read_json(request)
    cleaned = units.validate_unit(svc, body)
    password_hash = await run_in_threadpool(hash_password, cleaned["password"])
    org_id, account_id = units.create_unit(svc, cleaned, password_hash)
    return json_response({"id": org_id, "account_id": account_id}, status=201)


async def unit_me(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "PATCH":
        units.update_unit(svc, account, await read_json(request))
        account = require_account(request)
    return json_response(units.unit_info(svc, account))


async def permission(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "GET":
        org = units.account_org(svc, account)
        return json_response({"permitted": bool(org["permitted"]), "request": units.latest_permission(svc, org["id"])})
    found = permissions.request_permission(svc, account, await read_json(request))
    return json_response(found, status=201)


async def permission_requests(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    state = request.query_params.get("state")
    return json_response({"requests": permissions.permission_requests(svc, account, state)})


async def approve_permission(request: Request) -> JSONResponse:
    return await decision(request, permissions.decide_permission, True)


async def reject_permission(request: Request) -> JSONResponse:
    return await decision(request, permissions.decide_permission, False)


async def region_units(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    params = request.query_params
    page = units.region_units(
        svc, account, text=params.get("q") or "", limit=params.get("limit"), cursor=params.get("cursor")
    )
    return json_response({"units": page.rows, "next_cursor": page.next_cursor, "limit": page.limit})


async def password_reset(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    found = await run_in_threadpool(units.reset_unit_password, svc, account, request.path_params["id"])
    return json_response(found)


async def totp_status(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    if request.method == "POST":
        return json_response(totp.start(svc, account), status=201)
    return json_response({"status": totp.status(account)})


async def totp_confirm(request: Request) -> JSONResponse:
    svc: Services = services(request)
    account = require_account(request)
    body = await read_optional_json(request)
    totp.confirm(svc, account, text_of(body, "code"))
    return json_response({"status": "on"})


async def totp_disable(request: Request) -> JSONResponse:
    svc = services(request)
    account = require_account(request)
    body = await read_optional_json(request)
    totp.disable(svc, account, text_of(body, "code"))
    return json_response({"status": "off"})


async def staff_accounts(request: Request) -> JSONResponse:
    """Issue 13, finding 11: the organisation admin lists and creates named staff accounts."""
    svc = services(request)
    account = require_account(request)
    if request.method == "POST":
        body = await read_json(request)
        created = await run_in_threadpool(staff.create_staff, svc, account, body)
        return json_response(created, status=201)
    return json_response({"staff": staff.list_staff(svc, account), "roles": staff.staff_roles(svc, account)})


async def audit_entries(request: Request) -> JSONResponse:
    """Issue 13, finding 11: the HR authority's audit of its region, newest first."""
    svc = services(request)
    account = require_account(request)
    filters = {k: request.query_params.get(k, "")[:64] for k in ("from", "to", "org", "action")}
    limit = int(svc.bundle.platform.get("lists", {}).get("max_page_size", 200))
    return json_response({"entries": audit_log.entries(svc, account, filters, limit)})
