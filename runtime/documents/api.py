"""Printed documents over the JSON API: review form (PRN-1), overview (PRN-2), certificate (CERT-1)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.accounts.sessions import require_account
from runtime.committee import certificates
from runtime.declarations import declarations
from runtime.documents import documents, overview
from runtime.documents.pdf import Printer, RenderFailed, RenderTimeout
from runtime.documents.print_queue import DocumentTooLarge, PrintBusy
from runtime.documents.spreadsheet import overview_xlsx
from runtime.policy import versions
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services, json_response, services

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/declarations/{id}/review-form.pdf", review_form_pdf, methods=["GET"]),
        Route("/api/v1/declarations/{id}/certificate.pdf", certificate_pdf, methods=["GET"]),
        Route("/api/v1/overview", overview_json, methods=["GET"]),
        Route("/api/v1/overview.pdf", overview_pdf, methods=["GET"]),
        Route("/api/v1/overview.xlsx", overview_sheet, methods=["GET"]),
    ]


def printer(svc: Services) -> Printer:
    """The printer of the services' policy version: each version prints with its own layouts."""
    found = svc.extras.get("printer")
    if not isinstance(found, Printer):
        found = Printer(svc.bundle.root)
        svc.extras["printer"] = found
    if found.assets_dir == svc.bundle.root / "templates":
        return found
    printers: dict[str, Printer] = svc.extras.setdefault("version_printers", {})
    if svc.bundle.schema_hash not in printers:
        printers[svc.bundle.schema_hash] = found.sibling(svc.bundle.root)
    return printers[svc.bundle.schema_hash]


def download(content: bytes, media_type: str, filename: str, *, inline: bool) -> Response:
    """A file with a Chinese name: an ASCII fallback plus the UTF-8 name (RFC 6266)."""
    ascii_name = "document." + filename.rsplit(".", 1)[-1]
    disposition = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return Response(content, media_type=media_type, headers={"content-disposition": disposition})


async def render_pdf(svc: Services, template: str, context: dict[str, Any], owner: str | None = None) -> bytes:
    """A document of `owner` (the applicant it is about, or the organisation of a list) within
    the print budget and the owner's share of the print slots (issue 13, finding 3)."""
    limits = svc.bundle.platform.get("limits") or {}
    budget_kb = int(limits["print_max_kb"])
    try:
        return await printer(svc).pdf(
            template, context, owner=owner, per_owner=int(limits["print_per_owner"]), max_bytes=budget_kb * 1024
        )
    except DocumentTooLarge as exc:
        message = svc.bundle.text("print_too_large", limit=budget_kb, size=-(-exc.size // 1024))
        raise HttpError(422, "print_too_large", message, extra={"limit": str(budget_kb)}) from exc
    except PrintBusy as exc:
        raise HttpError(429, "print_busy", svc.bundle.text("print_busy", limit=exc.limit)) from exc
    except RenderTimeout as exc:
        raise HttpError(503, "render_timeout", svc.bundle.text("render_timeout")) from exc
    except RenderFailed as exc:
        raise HttpError(503, "render_failed", svc.bundle.text("render_failed")) from exc


async def review_form_response(svc: Services, declaration_id: str, account: Account) -> Response:
    declaration = declarations.load(svc, declaration_id, account)
    svc = versions.scoped(svc, declaration)
    context = documents.review_form(svc, declaration)
    content = await render_pdf(svc, "print/review_form.html", context, owner=declaration["person_id"])
    name = next((i["value"] for i in context["person"] if i["source"] == "person.name"), "")
    return download(content, PDF, f"{context['title']}-{name}.pdf", inline=True)


async def certificate_response(svc: Services, request: Request, declaration_id: str, account: Account) -> Response:
    declaration = documents.certificate_declaration(svc, declaration_id, account)
    if certificates.revocation(svc, declaration["certificate_no"] or "") is not None:  # COM-5: no copy of a revoked one
        raise HttpError(410, "certificate_revoked", svc.bundle.text("certificate_revoked"))
    url = certificates.verify_url(svc, declaration["certificate_no"] or "")  # never the request's Host
    svc = versions.scoped(svc, declaration)
    context = documents.certificate(svc, declaration, url)
    content = await render_pdf(svc, "print/certificate.html", context, owner=declaration["person_id"])
    return download(content, PDF, f"{context['title']}-{declaration['certificate_no']}.pdf", inline=True)


def overview_context(svc: Services, request: Request, account: Account) -> dict[str, Any]:
    params = request.query_params
    return overview.overview(svc, account, params.get("series", ""), params.get("level", ""))


async def overview_pdf_response(svc: Services, context: dict[str, Any], owner: str | None = None) -> Response:
    content = await render_pdf(svc, "print/overview.html", overview.overview_grid(context), owner=owner)
    return download(content, PDF, f"{context['title']}-{context['series']}-{context['level']}.pdf", inline=True)


async def overview_xlsx_response(svc: Services, context: dict[str, Any]) -> Response:
    try:
        content = await printer(svc).run(overview_xlsx, context)
    except RenderTimeout as exc:
        raise HttpError(503, "render_timeout", svc.bundle.text("render_timeout")) from exc
    return download(content, XLSX, f"{context['title']}-{context['series']}-{context['level']}.xlsx", inline=False)


# -- handlers --------------------------------------------------------------------------


async def review_form_pdf(request: Request) -> Response:
    svc = services(request)
    return await review_form_response(svc, request.path_params["id"], require_account(request))


async def certificate_pdf(request: Request) -> Response:
    svc = services(request)
    return await certificate_response(svc, request, request.path_params["id"], require_account(request))


async def overview_json(request: Request) -> JSONResponse:
    svc = services(request)
    context = overview_context(svc, request, require_account(request))
    return json_response(
        {
            "title": context["title"],
            "series": context["series"],
            "level": context["level"],
            "columns": [{"title": c["title"], "source": c["source"]} for c in context["columns"]],
            "rows": context["rows"],
        }
    )


async def overview_pdf(request: Request) -> Response:
    svc = services(request)
    account = require_account(request)
    return await overview_pdf_response(svc, overview_context(svc, request, account), account["org_id"] or account["id"])


async def overview_sheet(request: Request) -> Response:
    svc = services(request)
    return await overview_xlsx_response(svc, overview_context(svc, request, require_account(request)))
