"""Request plumbing shared by pages and the API: services, errors, bodies, rendering, CSRF."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from runtime.bundle import Bundle
from runtime.clock import Clock
from runtime.storage import Storage

JSON_LIMIT = 2 * 1024 * 1024  # a whole declaration section is far below this
FORM_LIMIT = 2 * 1024 * 1024
MAX_FORM_FIELDS = 3000


@dataclass
class Services:
    """Everything a request needs, built once in create_app (no module globals)."""

    bundle: Bundle
    storage: Storage
    clock: Clock
    templates: jinja2.Environment
    dev: bool = False
    secure_cookies: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def accounts_policy(self) -> dict[str, int]:
        return dict(self.bundle.platform.get("accounts") or {})

    def policy(self, key: str) -> int:
        return int(self.accounts_policy[key])


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


class HttpError(Exception):
    """An expected failure with a status, a code and a Chinese message from messages.yaml."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        errors = self.errors
        if errors is None:
            errors = [{"path": "", "code": self.code, "message": self.message, "rule": ""}]
        return {"errors": errors, **self.extra}


def fail(request: Request, status: int, code: str, **values: object) -> HttpError:
    """An HttpError whose message is messages.yaml's api/ui text for `code`."""
    return HttpError(status, code, services(request).bundle.text(code, **values))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def read_json(request: Request) -> Any:
    if "application/json" not in request.headers.get("content-type", ""):
        raise fail(request, 415, "invalid_json")
    body = await _body(request, JSON_LIMIT)
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise fail(request, 400, "invalid_utf8") from exc
    except json.JSONDecodeError as exc:
        raise fail(request, 400, "invalid_json") from exc


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise fail(request, 413, "body_too_large")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise fail(request, 413, "body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form(request: Request, *, files: bool = False, max_size: int = FORM_LIMIT) -> FormData:
    content_type = request.headers.get("content-type", "")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_size):
        raise fail(request, 413, "body_too_large")
    if not files and "multipart/form-data" in content_type:
        raise fail(request, 415, "unsupported_body")
    try:
        return await request.form(max_files=20 if files else 0, max_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError as exc:
        raise fail(request, 400, "invalid_utf8") from exc
    except Exception as exc:  # malformed multipart and the like: the client's fault
        status = getattr(exc, "status_code", 400)
        raise fail(request, status if 400 <= status < 500 else 400, "bad_request") from exc


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# -- CSRF: a per-visitor token in an HttpOnly cookie, echoed by every form ------

CSRF_COOKIE = "csrf"


def csrf_token(request: Request) -> str:
    session = getattr(request.state, "session", None)
    if session is not None:
        return str(session["csrf_token"])
    token = getattr(request.state, "new_csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not token or not re.fullmatch(r"[A-Za-z0-9_\-]{20,100}", token):
        from runtime.security import token as new_token

        token = new_token()
        request.state.new_csrf = token
    return str(token)


def check_csrf(request: Request, form: FormData) -> None:
    from runtime.security import same

    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise fail(request, 403, "csrf_failed")
    sent = form_text(form, "csrf_token")
    expected = csrf_token(request)
    if not sent or not same(sent, expected):
        raise fail(request, 403, "csrf_failed")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    svc = services(request)
    account = getattr(request.state, "account", None)
    page = svc.templates.get_template(template).render(
        ui=svc.bundle.ui,
        platform=svc.bundle.platform,
        user=account,
        csrf_token=csrf_token(request),
        dev=svc.dev,
        flashes=context.pop("flashes", []),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    remember_csrf(request, response)
    return response


def remember_csrf(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=services(request).secure_cookies,
            path="/",
        )


def json_response(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(value, status_code=status)
