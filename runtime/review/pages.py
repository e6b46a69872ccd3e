"""Review pages (REV-1..5): the review queue (queue by series and level, the whole declaration
with its history, every step the workflow offers here) and reporting (tick and report)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.declarations import declarations, uploads
from runtime.policy import versions
from runtime.review import export, offers, queue, review, workflow
from runtime.storage import loads
from runtime.storage.rows import Account, Declaration
from runtime.units.navigation import org_page, render_org
from runtime.web.http import HttpError, Services, check_csrf, form_text, read_form, services, whole_number


def routes() -> list[BaseRoute]:
    return [
        Route("/review", queue_page, methods=["GET"]),
        Route("/review.xlsx", queue_export, methods=["GET"]),
        Route("/review/bulk", bulk_page, methods=["POST"]),
        Route("/review/{id}", declaration_page, methods=["GET"]),
        Route("/review/{id}/act", act, methods=["POST"]),
        Route("/reports", reports_page, methods=["GET", "POST"]),
    ]


def _filters(svc: Services) -> dict[str, Any]:
    return {
        "series_options": [e["value"] for e in svc.bundle.entries("series")],
        "level_options": [e["value"] for e in svc.bundle.entries("levels")],
        "state_options": [{"value": k, "title": v["title"]} for k, v in workflow.definition(svc)["states"].items()],
    }


QUEUE_KEYS = ("series", "level", "state", "held", "q", "sort", "page")


def _queue_query(values: Any) -> dict[str, str]:
    return {k: str(values.get(k) or "")[:64] for k in QUEUE_KEYS}


def _view(query: dict[str, str]) -> dict[str, Any]:
    """queue.find's filters for this view (the page and its spreadsheet share them)."""
    return {
        "series": query["series"],
        "level": query["level"],
        "state": query["state"],
        "held_only": query["held"] == "1",
        "q": query["q"],
        "sort": query["sort"] if query["sort"] in queue.SORTS else "date",
    }


def _render_queue(
    request: Request, account: Account, query: dict[str, str], status: int = 200, **context: Any
) -> Response:
    svc = services(request)
    page = whole_number(query["page"], 6) or 1
    found = queue.find(svc, account, **_view(query), page=page)
    shown = {k: v for k, v in query.items() if v and k != "page"}
    links = {n: "/review?" + urlencode({**shown, "page": n}) for n in found.numbers}
    return render_org(
        request,
        "review_queue.html",
        account,
        status=status,
        rows=found.rows,
        found=found,
        page_links=links,
        export_link="/review.xlsx" + ("?" + urlencode(shown) if shown else ""),
        query=query,
        bulk_steps=queue.offered_steps(svc, account, found.rows),
        **_filters(svc),
        **context,
    )


async def queue_page(request: Request) -> Response:
    account = org_page(request)
    return _render_queue(request, account, _queue_query(request.query_params))


async def queue_export(request: Request) -> Response:
    """The view on screen as a spreadsheet (issue 16): same filters, search and sort, all pages."""
    svc = services(request)
    account = org_page(request)
    content = export.queue_xlsx(svc, account, _view(_queue_query(request.query_params)))
    return export.download(content, f"{svc.bundle.ui.get('review_queue', 'queue')}.xlsx")


async def bulk_page(request: Request) -> Response:
    """Select-all and one step for many (issue 16): a summary of what went through and why the
    rest did not; the queue shows again as it was."""
    svc = services(request)
    account = org_page(request)
    form = await read_form(request)
    check_csrf(request, form)
    query = _queue_query(form)
    ids = [v for v in form.getlist("declaration_ids") if isinstance(v, str)]
    try:
        outcome = queue.bulk(svc, account, form_text(form, "transition"), ids, form_text(form, "comment"))
    except HttpError as error:
        if error.status not in (403, 422):
            raise
        return _render_queue(request, account, query, status=error.status, error=error.message)
    summary = svc.bundle.text("bulk_summary", done=len(outcome["done"]), failed=len(outcome["failed"]))
    return _render_queue(request, account, query, bulk=outcome, flashes=[summary])


def _detail(
    request: Request, account: Account, declaration: Declaration, status: int = 200, **context: Any
) -> Response:
    svc = versions.use(request, declaration)
    person = (
        svc.storage.one("SELECT name, id_number, data FROM accounts WHERE id = ?", (declaration["person_id"],)) or {}
    )
    details = loads(person.get("data"), {}) or {}
    unit = svc.storage.organisation(declaration["unit_id"]) if declaration["unit_id"] else None
    applicant = {
        "id_number": queue.mask_id_number(svc, account, person.get("id_number")),
        "sex": details.get("sex", ""),
        "birth_date": details.get("birth_date", ""),
        "unit_name": unit["name"] if unit else "",
    }
    offered, notes = offers.review_steps(svc, declaration, account)
    steps = [{**t, "needs_sections": bool(t.get("reopen_sections"))} for t in offered]
    return render_org(
        request,
        "review_declaration.html",
        account,
        status=status,
        declaration=declarations.summary(svc, declaration),
        person_name=person.get("name", ""),
        applicant=applicant,
        sections=review.sections_of(svc, declaration["id"]),
        attachments=uploads.for_declaration(svc, declaration["id"]),
        history=review.history(svc, declaration["id"]),
        steps=steps,
        notes=notes,
        section_choices=[{"id": f.id, "title": f.title} for f in svc.bundle.declaration_sections()],
        **context,
    )


async def declaration_page(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    return _detail(request, account, declaration)


async def act(request: Request) -> Response:
    svc = services(request)
    account = org_page(request)
    declaration = declarations.load(svc, request.path_params["id"], account)
    svc = versions.use(request, declaration)  # its own policy version (VER-1)
    form = await read_form(request)
    check_csrf(request, form)
    sections = [v for v in form.getlist("sections") if isinstance(v, str)]
    try:
        updated = review.act(
            svc,
            account,
            declaration["id"],
            form_text(form, "transition"),
            comment=form_text(form, "comment"),
            sections=sections or None,
        )
    except HttpError as error:
        if error.status not in (403, 409, 422):
            raise
        messages = [e["message"] for e in error.errors or []] or [error.message]
        return _detail(
            request,
            account,
            declaration,
            status=error.status,
            error=svc.bundle.text("message_separator").join(messages),
        )
    return _detail(request, account, updated, flashes=[svc.bundle.text("reviewed")])


REPORT_KEYS = ("series", "level", "q", "sort", "page")


async def reports_page(request: Request) -> Response:
    """Reporting (REV-2) one series × level at a time, searched and in pages like /review
    (issue 16): only what is held here in a state `report` leaves."""
    svc = services(request)
    account = org_page(request)
    flashes: list[str] = []
    error = None
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        check_csrf(request, form)
        query = {k: form_text(form, k)[:64] for k in REPORT_KEYS}
        chosen = [v for v in form.getlist("declaration_ids") if isinstance(v, str)]
        try:
            done = review.report(svc, account, query["series"], query["level"], chosen)
            flashes.append(svc.bundle.text("report_done", count=len(done)))
        except HttpError as failure:
            if failure.status not in (403, 404, 409, 422):
                raise
            messages = [e["message"] for e in failure.errors or []] or [failure.message]
            error, status = svc.bundle.text("message_separator").join(messages), failure.status
    else:
        query = {k: str(request.query_params.get(k) or "")[:64] for k in REPORT_KEYS}
    found = None
    rows: list[dict[str, Any]] = []
    links: dict[int, str] = {}
    if query["series"] and query["level"]:
        page = whole_number(query["page"], 6) or 1
        found = queue.find(
            svc,
            account,
            series=query["series"],
            level=query["level"],
            held_only=True,
            states=review.report_states(svc),
            q=query["q"],
            sort=query["sort"] if query["sort"] in queue.SORTS else "date",
            page=page,
        )
        rows = [row for row in found.rows if review.can_report_from(svc, row)]
        shown = {k: v for k, v in query.items() if v and k != "page"}
        links = {n: "/reports?" + urlencode({**shown, "page": n}) for n in found.numbers}
    notes: list[dict[str, str]] = []
    for row in rows:
        note = offers.report_note(svc, row["_row"])
        row["can_report"] = note is None
        if note is not None and note not in notes:
            notes.append(note)
    return render_org(
        request,
        "reports.html",
        account,
        status=status,
        rows=rows,
        found=found,
        page_links=links,
        notes=notes,
        query=query,
        error=error,
        flashes=flashes,
        **_filters(svc),
    )
