"""The committee stage's pages: certificates and revocation (COM-5), integrity (INT), unit publicity
(PUB-1), statistics (STAT-1); results publicity (PUB-2) and the pool, sessions and expert pages
(COM-1..4) live in results_pages.py and session_pages.py."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.committee import (
    certificates,
    integrity,
    policy,
    responses,
    results_pages,
    session_pages,
    statistics,
    unit_publicity,
)
from runtime.documents.spreadsheet import overview_xlsx
from runtime.storage.rows import Account
from runtime.units.navigation import org_page, render_org
from runtime.web.forms import page_account, redirect
from runtime.web.http import HttpError, check_csrf, form_text, read_form, render, services


def routes() -> list[BaseRoute]:
    return [
        Route("/certificates", certificates_page, methods=["GET"]),
        Route("/certificates/{certificate_no}/revoke", revoke, methods=["POST"]),
        Route("/integrity", integrity_page, methods=["GET", "POST"]),
        Route("/me/integrity", my_integrity, methods=["GET"]),
        Route("/unit-publicity", unit_publicity_page, methods=["GET", "POST"]),
        Route("/unit-publicity/mine", unit_publicity_mine, methods=["GET"]),
        Route("/unit-publicity/{id}", unit_publicity_detail, methods=["GET"]),
        Route("/unit-publicity/{id}/{action}", unit_publicity_action, methods=["POST"]),
        Route("/statistics", statistics_page, methods=["GET"]),
        Route("/statistics/list", statistics_list, methods=["GET"]),
        Route("/statistics.xlsx", statistics_xlsx, methods=["GET"]),
        Route("/statistics/chart.svg", statistics_chart, methods=["GET"]),
        *results_pages.routes(),  # PUB-2
        *session_pages.routes(),  # COM-1..4
    ]


def _certificates(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    page = certificates.issued_by(svc, account, cursor=request.query_params.get("cursor"))
    return render_org(
        request,
        "committee_certificates.html",
        account,
        status=status,
        rows=page.rows,
        next_cursor=page.next_cursor,
        reason_limit=policy.number(svc, certificates.BLOCK, "reason_max_length"),
        **context,
    )


async def certificates_page(request: Request) -> Response:
    account = org_page(request)
    done = request.query_params.get("done") == "1"
    flashes = [services(request).bundle.text("certificate_revoked_done")] if done else []
    return _certificates(request, account, flashes=flashes)


async def revoke(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    form = await read_form(request)
    check_csrf(request, form)
    try:
        certificates.revoke(svc, account, request.path_params["certificate_no"], form_text(form, "reason"))
    except HttpError as exc:
        if exc.status != 422 and exc.status != 409:
            raise
        return _certificates(request, account, status=exc.status, error=exc.message)
    return redirect("/certificates?done=1")


async def integrity_page(request: Request) -> Response:
    """INT-2: the records this organisation made and a form for a new one (with evidence)."""
    svc = services(request)
    account = org_page(request)
    if not integrity.may_record(svc, account):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    spec = policy.section(svc, "integrity")
    context: dict[str, Any] = {
        "reasons": spec["reasons"],
        "detail_limit": spec["reason_detail_max_length"],
        "today": svc.clock.today().isoformat(),
        "doc": {},
    }
    status = 200
    if request.method == "POST":
        max_size = int(spec["evidence"]["max_size_kb"]) * 1024 + 64 * 1024
        form = await read_form(request, files=True, max_size=max_size)
        check_csrf(request, form)
        fields = {k: form_text(form, k) for k in ("id_number", "reason", "detail", "starts")}
        upload = form.get("evidence")
        evidence = None
        if upload is not None and not isinstance(upload, str):
            evidence = (upload.filename or "", await upload.read())
        try:
            integrity.create(svc, account, fields, evidence)
        except HttpError as exc:
            if exc.status in (401, 403, 404):
                raise
            status, context["error"], context["doc"] = exc.status, exc.message, fields
        else:
            return redirect("/integrity?done=1")
    flashes = [svc.bundle.text("integrity_saved")] if request.query_params.get("done") == "1" else []
    page = integrity.recorded_by(svc, account, cursor=request.query_params.get("cursor"))
    return render_org(
        request,
        "committee_integrity.html",
        account,
        status=status,
        rows=page.rows,
        next_cursor=page.next_cursor,
        flashes=flashes,
        **context,
    )


async def my_integrity(request: Request) -> Response:
    """INT-2: a person's own records."""
    svc = services(request)
    account = page_account(request, person=True)
    return render(request, "committee_integrity_mine.html", rows=integrity.mine(svc, account))


def _statistics_query(request: Request) -> tuple[Account, statistics.Query]:
    svc = services(request)
    account = org_page(request)
    statistics.scope(svc, account)  # 403 before anything else for those without statistics
    return account, statistics.parse_query(svc, request.query_params)


def _query_string(query: statistics.Query, *, with_filters: bool = True) -> str:
    from urllib.parse import urlencode

    params = {"year": query.year, "by": query.by, **(query.filters if with_filters else {})}
    return urlencode(params)


def _options(svc: Any) -> dict[str, list[dict[str, str]]]:
    """What each dimension can be filtered by: code lists, regions, workflow states."""
    return {
        "series": [{"value": e["value"], "title": e["value"]} for e in svc.bundle.entries("series")],
        "level": [{"value": e["value"], "title": e["value"]} for e in svc.bundle.entries("levels")],
        "region": [{"value": r["id"], "title": r["name"]} for r in svc.bundle.platform.get("regions") or []],
        "state": [
            {"value": k, "title": statistics.title_of(svc, "state", k)}
            for k in (svc.bundle.workflow["declaration"].get("states") or {})
        ],
    }


async def statistics_page(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics_query(request)
    return render_org(
        request,
        "committee_statistics.html",
        account,
        result=statistics.counts(svc, account, query),
        years=statistics.years(svc),
        dimensions=statistics.dimensions(svc),
        options=_options(svc),
        query_string=_query_string(query),
    )


async def statistics_list(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics_query(request)
    page = statistics.declarations(svc, account, query, cursor=request.query_params.get("cursor"))
    return render_org(
        request,
        "committee_statistics_list.html",
        account,
        rows=page.rows,
        year=query.year,
        query_string=_query_string(query, with_filters=False),
        list_query=_query_string(query),
        next_cursor=page.next_cursor,
    )


async def statistics_xlsx(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics_query(request)
    result = statistics.counts(svc, account, query)
    content = overview_xlsx(statistics.sheet(svc, result))
    return responses.download(content, responses.XLSX, f"{svc.bundle.text('statistics_title')}-{query.year}.xlsx")


async def statistics_chart(request: Request) -> Response:
    svc = services(request)
    account, query = _statistics_query(request)
    return responses.svg(statistics.chart_svg(svc, statistics.counts(svc, account, query)))


async def unit_publicity_page(request: Request) -> Response:
    """PUB-1 at the declaring unit: its publicities and a form to start one."""
    svc = services(request)
    account = org_page(request)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        check_csrf(request, form)
        try:
            started = unit_publicity.start(svc, account, form_text(form, "series"), form_text(form, "level"))
        except HttpError as exc:
            if exc.status in (401, 403, 404):
                raise
            status, context["error"] = exc.status, exc.message
        else:
            return redirect(f"/unit-publicity/{started['id']}")
    return render_org(
        request,
        "committee_unit_publicity.html",
        account,
        status=status,
        rows=unit_publicity.of_unit(svc, account),
        series_options=[e["value"] for e in svc.bundle.entries("series")],
        level_options=[e["value"] for e in svc.bundle.entries("levels")],
        **context,
    )


async def unit_publicity_mine(request: Request) -> Response:
    """A person's view: publicities running in the units they declared through."""
    svc = services(request)
    account = page_account(request, person=True)
    return render(request, "committee_unit_publicity_mine.html", rows=unit_publicity.visible_to_person(svc, account))


def _publicity_detail(request: Request, account: Account, status: int = 200, **context: Any) -> Response:
    svc = services(request)
    found = unit_publicity.load(svc, account, request.path_params["id"])
    staff = account["kind"] == "organisation"
    page = "committee_unit_publicity_detail.html"
    listing = unit_publicity.listing(svc, found)
    if staff:
        return render_org(request, page, account, status=status, publicity=listing, staff=True, **context)
    return render(request, page, status=status, publicity=listing, staff=False, **context)


async def unit_publicity_detail(request: Request) -> Response:
    account = page_account(request)
    done = request.query_params.get("done") == "1"
    flashes = [services(request).bundle.text("unit_publicity_object_saved")] if done else []
    return _publicity_detail(request, account, flashes=flashes)


async def unit_publicity_action(request: Request) -> Response:
    """objections (anyone inside the unit, real name), end and report-form (the unit's staff)."""
    svc = services(request)
    account = page_account(request)
    action = request.path_params["action"]
    publicity_id = request.path_params["id"]
    if action not in ("objections", "end", "report-form"):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    form = await read_form(request, files=action == "report-form", max_size=11 * 1024 * 1024)
    check_csrf(request, form)
    try:
        if action == "objections":
            unit_publicity.object_to(
                svc, account, publicity_id, form_text(form, "declaration_id"), form_text(form, "text")
            )
        elif action == "end":
            unit_publicity.end(svc, account, publicity_id)
        else:
            upload = form.get("file")
            content = b"" if upload is None or isinstance(upload, str) else await upload.read()
            name = "" if upload is None or isinstance(upload, str) else upload.filename or ""
            unit_publicity.upload_report(svc, account, publicity_id, name, content)
    except HttpError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _publicity_detail(request, account, status=exc.status, error=exc.message)
    return redirect(f"/unit-publicity/{publicity_id}?done={'1' if action == 'objections' else '0'}")
