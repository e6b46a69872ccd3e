"""Pages of issue 13, finding 11: an organisation admin's staff accounts (/staff) and an HR
authority's audit of its region (/audit, also as XLSX). Routes are listed in pages.py."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from runtime.units import audit_log, staff
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import errors_by_path
from runtime.web.http import HttpError, check_csrf, form_text, read_form, services


async def staff_page(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    roles = [{"value": r, "title": svc.bundle.platform["roles"][r]["title"]} for r in staff.staff_roles(svc, account)]
    if request.method == "GET":
        return render_org(request, "staff.html", account, people=staff.list_staff(svc, account), roles=roles, doc={})
    form = await read_form(request)
    check_csrf(request, form)
    doc = {k: form_text(form, k) for k in ("login_name", "name", "mobile", "role")}
    try:
        created = await run_in_threadpool(staff.create_staff, svc, account, doc)
    except HttpError as error:
        if error.status != 422:
            raise
        people = staff.list_staff(svc, account)
        errors = errors_by_path(error.errors or [])
        return render_org(
            request, "staff.html", account, status=422, people=people, roles=roles, doc=doc, errors=errors
        )
    flash = svc.bundle.text("staff_created", name=created["name"])
    people = staff.list_staff(svc, account)
    return render_org(request, "staff.html", account, people=people, roles=roles, doc={}, flashes=[flash])


def _filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:64] for k in ("from", "to", "org", "action")}


async def audit_page(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    filters = _filters(request)
    limit = int(svc.bundle.platform.get("lists", {}).get("max_page_size", 200))
    rows = audit_log.entries(svc, account, filters, limit)
    if request.query_params.get("format") == "xlsx":
        body = await run_in_threadpool(audit_log.spreadsheet, svc, rows)
        name = f"audit-{audit_log.stamp(svc)}.xlsx"
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return render_org(
        request,
        "audit.html",
        account,
        rows=rows,
        filters=filters,
        actions=audit_log.actions(svc),
        organisations=audit_log.organisations_of(svc, account),
        query=request.url.query,
    )
