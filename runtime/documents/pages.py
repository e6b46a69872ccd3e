"""Printed documents for the browser: review form and certificate downloads, the overview preview and its
downloads (PRN-1, PRN-2, CERT-1), and the public certificate check /verify/{no}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from runtime.committee import certificates
from runtime.documents import documents, overview
from runtime.documents.api import (
    certificate_response,
    overview_context,
    overview_pdf_response,
    overview_xlsx_response,
    review_form_response,
)
from runtime.units.navigation import org_nav
from runtime.web.forms import page_account
from runtime.web.http import HttpError, client_ip, render, services


def routes() -> list[BaseRoute]:
    return [
        Route("/declarations/{id}/review-form.pdf", review_form_pdf, methods=["GET"]),
        Route("/declarations/{id}/certificate.pdf", certificate_pdf, methods=["GET"]),
        Route("/overview", overview_page, methods=["GET"]),
        Route("/overview.pdf", overview_pdf, methods=["GET"]),
        Route("/overview.xlsx", overview_xlsx, methods=["GET"]),
        Route("/verify/{certificate_no}", verify, methods=["GET"]),
    ]


async def review_form_pdf(request: Request) -> Response:
    svc = services(request)
    return await review_form_response(svc, request.path_params["id"], page_account(request))


async def certificate_pdf(request: Request) -> Response:
    svc = services(request)
    return await certificate_response(svc, request, request.path_params["id"], page_account(request))


async def overview_page(request: Request) -> Response:
    """The preview: choose series and level, see the table, download it as PDF or spreadsheet."""
    svc = services(request)
    account = page_account(request, person=False)
    overview.require_organisation(svc, account)
    spec = svc.bundle.print[documents.OVERVIEW]
    params = request.query_params
    context = None
    error = None
    status = 200
    if params.get("series") or params.get("level"):
        try:
            context = overview_context(svc, request, account)
        except HttpError as exc:
            if exc.status != 422:
                raise
            error, status = exc.message, 422
    return render(
        request,
        "overview.html",
        status=status,
        nav=org_nav(svc, account),
        title=spec.get("title", ""),
        choices=overview.overview_choices(svc),
        series=params.get("series", ""),
        level=params.get("level", ""),
        overview=context,
        error=error,
    )


async def overview_pdf(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=False)
    return await overview_pdf_response(svc, overview_context(svc, request, account), account["org_id"] or account["id"])


async def overview_xlsx(request: Request) -> Response:
    svc = services(request)
    account = page_account(request, person=False)
    return await overview_xlsx_response(svc, overview_context(svc, request, account))


async def verify(request: Request) -> Response:
    """Public: is this certificate genuine, or revoked and since when (COM-5)? Name, title and
    date only; 404 for an unknown number; lookups throttled per address."""
    svc = services(request)
    # the address behind the trusted proxy (--proxy, --forwarded-allow-ips), as login counts it
    certificates.throttle_verify(svc, client_ip(request))
    number = request.path_params["certificate_no"]
    found = certificates.verify(svc, number)
    return render(
        request,
        "verify.html",
        status=200 if found else 404,
        facts=found["facts"] if found else None,
        revoked=bool(found and found["revoked"]),
        revoked_at=found["revoked_at"] if found else "",
        certificate_no=number if found else "",
    )
