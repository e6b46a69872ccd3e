"""create_app(build_dir, data_dir) -> Starlette, with every route listed in one place."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.accounts import api as accounts_api
from runtime.accounts import pages as accounts_pages
from runtime.accounts.sessions import SessionMiddleware
from runtime.bundle import load_bundle
from runtime.clock import Clock
from runtime.committee import api as committee_api
from runtime.committee import pages as committee_pages
from runtime.corrections import pages as correction_pages
from runtime.declarations import api as declarations_api
from runtime.declarations import pages as declarations_pages
from runtime.documents import api as documents_api
from runtime.documents import pages as documents_pages
from runtime.documents import pdf
from runtime.help import display as help_display
from runtime.help import pages as help_pages
from runtime.notifications import pages as notification_pages
from runtime.notifications import wiring as notification_wiring
from runtime.paths import api as paths_api
from runtime.paths import pages as paths_pages
from runtime.policy import api as policy_api
from runtime.policy import versions
from runtime.review import api as review_api
from runtime.review import pages as review_pages
from runtime.storage import StorageUnavailable, disk, open_storage
from runtime.units import api as units_api
from runtime.units import pages as units_pages
from runtime.units.authorities import sync_authorities
from runtime.web.forms import Redirect
from runtime.web.http import HttpError, Services, is_api, render, services, whole_number

log = logging.getLogger("runtime")

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def routes() -> list[BaseRoute]:
    """Every route of the app: pages first, then the JSON API."""
    return [
        *accounts_pages.routes(),
        *declarations_pages.routes(),
        *units_pages.routes(),
        *paths_pages.routes(),
        *review_pages.routes(),
        *documents_pages.routes(),
        *help_pages.routes(),
        *help_display.routes(),
        *committee_pages.routes(),
        *notification_pages.routes(),
        *correction_pages.routes(),
        *policy_api.routes(),
        *accounts_api.routes(),
        *declarations_api.routes(),
        *units_api.routes(),
        *paths_api.routes(),
        *review_api.routes(),
        *documents_api.routes(),
        *committee_api.routes(),
    ]


def create_app(
    build_dir: Path,
    data_dir: Path,
    *,
    dev: bool = False,
    clock: Clock | None = None,
    schemas_dir: Path | None = None,
    secure_cookies: bool = False,
    database: str | None = None,
) -> Starlette:
    """`database`: a postgresql:// URL; without one, SQLite in data_dir (the embedded default)."""
    bundle = load_bundle(build_dir, schemas_dir)
    if database is None:  # a file database lives in the data directory: prove it takes writes
        disk.check_data_dir(data_dir)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
    storage = open_storage(database or data_dir / "zhicheng.sqlite3")
    templates = versions.template_environment(build_dir, reload=dev)
    svc = Services(
        bundle=bundle,
        storage=storage,
        clock=clock or Clock(int(bundle.platform.get("utc_offset_hours", 0))),
        templates=templates,
        dev=dev,
        secure_cookies=secure_cookies,
        extras={"data_dir": data_dir},
    )
    from runtime.web import forms as pages_support

    pages_support.install_template_helpers(svc)
    notification_wiring.install_template_helpers(svc)
    pdf.check_environment()  # logs what would make PDFs slow or wrong
    svc.extras["printer"] = pdf.Printer(build_dir)
    versions.install(svc, data_dir)  # refuses to start without a version stored declarations need (VER-2)
    sync_authorities(svc)
    max_body = int((bundle.platform.get("uploads") or {}).get("max_request_mb", 50)) * 1024 * 1024
    app = Starlette(
        routes=[
            *routes(),
            Mount("/static", app=StaticFiles(directory=build_dir / "templates" / "static"), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders, hsts=hsts_header(bundle.platform) if secure_cookies else None),
            Middleware(notification_wiring.DeliverAfterResponse),
            Middleware(BodyLimit, max_bytes=max_body),
            Middleware(SessionMiddleware),
        ],
        exception_handlers={
            HttpError: _http_error,
            StorageUnavailable: _storage_unavailable,
            Redirect: _redirect,
            OSError: _disk_failure,
            sqlite3.Error: _disk_failure,
            404: _not_found,
            405: _not_allowed,
            500: _crash,
        },
    )
    app.state.services = svc
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    if is_api(request):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
    page = render(request, "error.html", status=exc.status, message=exc.message)
    page.headers.update(exc.headers)  # Retry-After of a throttle, WWW-Authenticate …
    return page


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.location, status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    message = services(request).bundle.text("not_found")
    if is_api(request):
        return JSONResponse(HttpError(404, "not_found", message).body(), status_code=404)
    return render(request, "error.html", status=404, message=message)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    message = services(request).bundle.text("method_not_allowed")
    if is_api(request):
        return JSONResponse(HttpError(405, "method_not_allowed", message).body(), status_code=405)
    return render(request, "error.html", status=405, message=message)


async def _storage_unavailable(request: Request, exc: Exception) -> Response:
    """The database went away mid-run: 503 and one log line, the next request may work again."""
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    message = services(request).bundle.text("server_busy")
    if is_api(request):
        return JSONResponse(HttpError(503, "database_unavailable", message).body(), status_code=503)
    return render(request, "error.html", status=503, message=message)


async def _disk_failure(request: Request, exc: Exception) -> Response:
    """A full or read-only disk: 503 and a message that says so (issue 13); anything else of
    these types is a crash like any other."""
    if not disk.is_disk_failure(exc):
        return await _crash(request, exc)
    log.error("storage failure on %s %s: %s", request.method, request.url.path, exc)
    message = services(request).bundle.text("storage_unavailable")
    headers = {"Retry-After": "300"}
    if is_api(request):
        body = HttpError(503, "storage_unavailable", message).body()
        return JSONResponse(body, status_code=503, headers=headers)
    response = render(request, "error.html", status=503, message=message)
    response.headers.update(headers)
    return response


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    message = services(request).bundle.text("server_error")
    if is_api(request):
        return JSONResponse(HttpError(500, "server_error", message).body(), status_code=500)
    return render(request, "error.html", status=500, message=message)


def hsts_header(platform: dict[str, Any]) -> str:
    """Strict-Transport-Security for a deployment behind https (`--proxy`), its age from platform.yaml."""
    seconds = int((platform.get("accounts") or {})["hsts_max_age_seconds"])
    return f"max-age={seconds}; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: str | None = None) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if hsts:
            self.headers["strict-transport-security"] = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode("latin-1").lower() for k, _ in headers}
                for name, value in self.headers.items():
                    if name not in present:
                        headers.append((name.encode("latin-1"), value.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over the platform's limit, declared or streamed (Starlette does not)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        size = whole_number(declared, 18) if declared is not None else 0
        if size is None or size > self.max_bytes:
            await _too_large(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    text = scope["app"].state.services.bundle.text("body_too_large")
                    raise HttpError(413, "body_too_large", text)
            return message

        await self.app(scope, counting_receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    message: Any = request.app.state.services.bundle.text("body_too_large")
    response = JSONResponse(HttpError(413, "body_too_large", message).body(), status_code=413)
    await response(scope, receive, send)
