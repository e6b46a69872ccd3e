"""Server-side sessions (pages) and bearer tokens (API).

The cookie holds a random id; the database holds only its digest, so a copy
of the database does not let anyone in. Sessions end after an idle period and
an absolute lifetime (platform.yaml accounts), at logout, and after a
password reset.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from runtime.accounts import password_change
from runtime.clock import iso, parse
from runtime.storage.rows import Account, account_row
from runtime.web.http import HttpError, Services, services
from runtime.web.security import digest, token

SESSION_COOKIE = "sid"


def start_session(svc: Services, account_id: str) -> tuple[str, str]:
    """A new session (renewed at every login); returns (cookie value, csrf token)."""
    raw = token()
    csrf = token()
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        svc.storage.insert(
            "sessions",
            {
                "id_hash": digest(raw),
                "account_id": account_id,
                "csrf_token": csrf,
                "created_at": now,
                "last_seen": now,
            },
        )
    return raw, csrf


def set_session_cookie(svc: Services, response: Response, raw: str) -> None:
    response.set_cookie(SESSION_COOKIE, raw, httponly=True, samesite="lax", secure=svc.secure_cookies, path="/")


def end_session(svc: Services, raw: str | None) -> None:
    if raw:
        with svc.storage.transaction():
            svc.storage.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(raw),))


def end_all_sessions(svc: Services, account_id: str) -> None:
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM sessions WHERE account_id = ?", (account_id,))
        svc.storage.execute("UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", (account_id,))


_SESSION_COLUMNS = ("id_hash", "account_id", "csrf_token", "created_at", "last_seen")
_SESSION_AND_ACCOUNT = (
    "SELECT a.*, "
    + ", ".join(f"s.{column} AS session_{column}" for column in _SESSION_COLUMNS)
    + " FROM sessions AS s JOIN accounts AS a ON a.id = s.account_id WHERE s.id_hash = ?"
)


def load_session(svc: Services, raw: str | None) -> tuple[dict[str, Any], Account] | None:
    if not raw or len(raw) > 200:
        return None
    # the session and its account in one statement: every page a logged-in person asks for
    found = svc.storage.one(_SESSION_AND_ACCOUNT, (digest(raw),))
    if found is None:
        return None
    row = {column: found.pop(f"session_{column}") for column in _SESSION_COLUMNS}
    now = svc.clock.now()
    idle = timedelta(minutes=svc.policy("session_idle_minutes"))
    absolute = timedelta(hours=svc.policy("session_absolute_hours"))
    if parse(row["last_seen"]) + idle < now or parse(row["created_at"]) + absolute < now:
        # a lapsed session lingers (dead) for a while so a save posted after the timeout is
        # kept for its account (runtime.declarations.lapsed); then it goes
        if parse(row["last_seen"]) + idle + _lapsed_grace(svc) < now:
            end_session(svc, raw)
        return None
    account = account_row(found)
    if (now - parse(row["last_seen"])).total_seconds() > 60:
        with svc.storage.transaction():
            svc.storage.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (iso(now), row["id_hash"]))
    return row, account


def _lapsed_grace(svc: Services) -> timedelta:
    return timedelta(minutes=int(svc.accounts_policy.get("lapsed_draft_minutes", 0)))


def lapsed_session(svc: Services, raw: str | None) -> dict[str, Any] | None:
    """The account and CSRF token of a session that timed out recently (not one ended by logout
    or a password reset: those are deleted), else None."""
    if not raw or len(raw) > 200:
        return None
    row = svc.storage.one("SELECT * FROM sessions WHERE id_hash = ?", (digest(raw),))
    if row is None:
        return None
    now = svc.clock.now()
    idle = timedelta(minutes=svc.policy("session_idle_minutes"))
    absolute = timedelta(hours=svc.policy("session_absolute_hours"))
    live = parse(row["last_seen"]) + idle >= now and parse(row["created_at"]) + absolute >= now
    if live or parse(row["last_seen"]) + idle + _lapsed_grace(svc) < now:
        return None
    return {"account_id": row["account_id"], "csrf_token": row["csrf_token"]}


def issue_api_token(svc: Services, account_id: str) -> tuple[str, str]:
    raw = token()
    now = svc.clock.now()
    expires = now + timedelta(hours=svc.policy("api_token_hours"))
    with svc.storage.transaction():
        svc.storage.insert(
            "api_tokens",
            {
                "token_hash": digest(raw),
                "account_id": account_id,
                "created_at": iso(now),
                "expires_at": iso(expires),
                "revoked": 0,
            },
        )
    return raw, iso(expires)


def account_for_token(svc: Services, header: str | None) -> Account | None:
    if not header or not header.startswith("Bearer "):
        return None
    raw = header[len("Bearer ") :].strip()
    if not raw or len(raw) > 200:
        return None
    row = svc.storage.one("SELECT * FROM api_tokens WHERE token_hash = ? AND revoked = 0", (digest(raw),))
    if row is None or parse(row["expires_at"]) < svc.clock.now():
        return None
    return svc.storage.account(row["account_id"])


def revoke_api_token(svc: Services, header: str | None) -> None:
    if header and header.startswith("Bearer "):
        raw = header[len("Bearer ") :].strip()
        with svc.storage.transaction():
            svc.storage.execute("UPDATE api_tokens SET revoked = 1 WHERE token_hash = ?", (digest(raw),))


class SessionMiddleware:
    """Puts the page session and its account on request.state (never for /api/)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            request.state.session = None
            request.state.account = None
            request.state.lapsed = None
            if not scope["path"].startswith("/api/"):
                svc: Services = request.app.state.services
                raw = request.cookies.get(SESSION_COOKIE)
                found = load_session(svc, raw)
                if found is not None:
                    request.state.session, request.state.account = found
                    held = password_change.gate(svc, found[1])
                    path = scope["path"]
                    if held and path not in password_change.PAGE_PATHS and not path.startswith("/static/"):
                        await RedirectResponse(password_change.gate_page(held), status_code=303)(scope, receive, send)
                        return
                elif scope.get("method") == "POST":  # a form posted after its session timed out
                    request.state.lapsed = lapsed_session(svc, raw)
        await self.app(scope, receive, send)


def require_account(request: Request) -> Account:
    """The token's account; 403 with the step to take first for an account that must change
    its password or set up its second factor (password_change.gate), except on that step."""
    svc = services(request)
    account = account_for_token(svc, request.headers.get("authorization"))
    if account is None:
        raise HttpError(401, "bad_token", svc.bundle.text("bad_token"), headers={"WWW-Authenticate": "Bearer"})
    held = password_change.gate(svc, account)
    path = request.url.path
    allowed = path in password_change.API_PATHS or (request.method == "GET" and path == "/api/v1/me")
    if held and not allowed:
        raise HttpError(403, held, svc.bundle.text(held))
    return account
