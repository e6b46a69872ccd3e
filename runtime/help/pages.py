"""GET /help: the FAQ, filtered by a query (?q=) and an audience (?for=); each answer has an
anchor (#faq-<id>) so a message, a phone call or another page can point at it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.help import faq
from runtime.web.http import render, services


def routes() -> list[BaseRoute]:
    return [Route("/help", help_page, methods=["GET"])]


async def help_page(request: Request) -> Response:
    svc = services(request)
    compiled = faq.load(svc.bundle)
    found = faq.search(compiled, request.query_params.get("q", ""), request.query_params.get("for", ""))
    return render(request, "help.html", faq=compiled, search=found, max_query=faq.MAX_QUERY)
