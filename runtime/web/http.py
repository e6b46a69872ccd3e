"""Request plumbing shared by pages and the API: services, errors, bodies, rendering, CSRF."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from runtime.bundle import Bundle
from runtime.clock import Clock
from runtime.storage import Database

JSON_LIMIT = 2 * 1024 * 1024  # a whole declaration section is far below this
FORM_LIMIT = 2 * 1024 * 1024
MAX_FORM_FIELDS = 3000


@dataclass
class Services:
    """Everything a request needs, built once in create_app (no module globals)."""

    bundle: Bundle
    storage: Database
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
    """The app's services, or those of one declaration's policy version once a handler scoped the
    request to it (runtime/policy/versions.py)."""
    found: Services = getattr(request.state, "services", None) or request.app.state.services
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


def client_ip(request: Request) -> str:
    """The client's address; behind `--proxy` uvicorn has already replaced the proxy's address
    with the X-Forwarded-For one when the proxy is in --forwarded-allow-ips."""
    return request.client.host if request.client else "-"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def read_json(request: Request) -> Any:
    if "application/json" not in request.headers.get("content-type", ""):
        raise fail(request, 415, "invalid_json")
    body = await _body(request, JSON_LIMIT)
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise fail(request, 400, "invalid_utf8") from exc
    except (ValueError, RecursionError) as exc:  # bad syntax, NaN, a 5000-digit number, [[[[…]]]]
        raise fail(request, 400, "invalid_json") from exc
    if not _clean_text(value):
        raise fail(request, 400, "invalid_utf8")
    return value


async def read_optional_json(request: Request) -> dict[str, Any]:
    """The JSON object of an endpoint whose body is optional: {} when there is none."""
    if request.headers.get("content-length") in (None, "0") and "chunked" not in request.headers.get(
        "transfer-encoding", ""
    ):
        return {}
    body = await read_json(request)
    if not isinstance(body, dict):
        raise fail(request, 422, "invalid_document")
    return body


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _clean_text(value: Any) -> bool:
    """No lone surrogates (\\ud800 cannot be stored as UTF-8) and no NUL characters anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def whole_number(value: object, max_digits: int = 9) -> int | None:
    """A whole number written in 1..max_digits ASCII digits, else None. str.isdigit() also says
    yes to '²' and other digits int() refuses, and to a 5,000-digit string int() will not read:
    every number a request carries is read here, so neither can become a 500."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str) and 0 < len(value) <= max_digits and value.isascii() and value.isdigit():
        return int(value)
    return None


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    size = whole_number(declared, 18) if declared is not None else 0
    if size is None or size > limit:
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
    """A posted form. URL-encoded bodies are decoded strictly (bad UTF-8 is a 400, not U+FFFD);
    multipart only where files are expected; any other body is an empty form (CSRF then fails)."""
    content_type = request.headers.get("content-type", "")
    declared = request.headers.get("content-length")
    size = whole_number(declared, 18) if declared is not None else 0
    if size is None or size > max_size:
        raise fail(request, 413, "body_too_large")
    if "multipart/form-data" in content_type:
        if not files:
            raise fail(request, 415, "unsupported_body")
        try:
            form = await request.form(max_files=20, max_fields=MAX_FORM_FIELDS)
        except HttpError as exc:  # a streamed body past the platform's limit (app.BodyLimit)
            raise fail(request, exc.status, exc.code) from exc
        except Exception as exc:  # malformed multipart and the like: the client's fault
            status = getattr(exc, "status_code", 400)
            raise fail(request, status if 400 <= status < 500 else 400, "bad_request") from exc
    elif "application/x-www-form-urlencoded" in content_type:
        body = await _body(request, max_size)
        try:
            pairs = parse_qsl(
                body.decode("ascii"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
                max_num_fields=MAX_FORM_FIELDS,
            )
        except UnicodeDecodeError as exc:
            raise fail(request, 400, "invalid_utf8") from exc
        except ValueError as exc:  # more fields than any page has
            raise fail(request, 400, "bad_request") from exc
        form = FormData([(name, value) for name, value in pairs])
    else:
        return FormData()
    if any(isinstance(v, str) and ("\x00" in v or "\ufffd" in v) for _, v in form.multi_items()):
        raise fail(request, 400, "invalid_utf8")
    return form


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
        from runtime.web.security import token as new_token

        token = new_token()
        request.state.new_csrf = token
    return str(token)


def expected_origins(request: Request) -> set[str]:
    """The Origin a form of this site posts from. Behind an https proxy (`--proxy`) the page was
    https even when the proxy speaks http to us and forwards no scheme (issue 13, finding 4)."""
    found = {f"{request.url.scheme}://{request.url.netloc}"}
    if services(request).secure_cookies:
        found.add(f"https://{request.url.netloc}")
    return found


def check_csrf(request: Request, form: FormData) -> None:
    from runtime.web.security import same

    origin = request.headers.get("origin")
    if origin and origin not in expected_origins(request):
        raise fail(request, 403, "csrf_failed")
    sent = form_text(form, "csrf_token")
    expected = csrf_token(request)
    if not sent or not same(sent, expected):
        raise fail(request, 403, "csrf_failed")


TEXT_SIZE_COOKIE = "text_size"


def _first_page(request: Request) -> str | None:
    """On a later page of a list (a `cursor` in the address): the same list from its start."""
    params = request.query_params
    if not params.get("cursor"):
        return None
    kept = urlencode([(k, v) for k, v in params.multi_items() if k != "cursor"])
    return request.url.path + (f"?{kept}" if kept else "")


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
        large_text=request.cookies.get(TEXT_SIZE_COOKIE) == "large",  # larger text for older readers
        # where the text-size toggle returns; an error page never repeats an address it refused
        request_path=request.url.path if status < 400 else "/",
        first_page=_first_page(request),
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


def text_of(body: dict[str, Any], key: str) -> str:
    """A text member of a JSON body, "" when missing or not a string."""
    value = body.get(key)
    return value if isinstance(value, str) else ""
