"""GET /messages: the logged-in person's messages (unread marked); POST /messages/read marks
them all read. Every account has one, whatever its role."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.notifications import inbox
from runtime.web.forms import page_account, redirect
from runtime.web.http import check_csrf, read_form, render, services, whole_number


def routes() -> list[BaseRoute]:
    return [
        Route("/messages", messages_page, methods=["GET"]),
        Route("/messages/read", mark_read, methods=["POST"]),
    ]


async def messages_page(request: Request) -> Response:
    svc = services(request)
    account = page_account(request)
    raw = request.query_params.get("before", "")
    before = whole_number(raw, 11)
    rows = inbox.page(svc, account["id"], before)
    more = len(rows) > inbox.PAGE
    rows = rows[: inbox.PAGE]
    return render(
        request,
        "messages.html",
        messages=rows,
        next_before=rows[-1]["id"] if more and rows else None,
        unread=inbox.unread(svc, account["id"]).count,
    )


async def mark_read(request: Request) -> Response:
    svc = services(request)
    account = page_account(request)
    form = await read_form(request)
    check_csrf(request, form)
    inbox.mark_all_read(svc, account["id"])
    return redirect("/messages")
