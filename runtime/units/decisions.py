"""The approve/reject API of an upper organisation, shared by permission requests (UNIT-3) and
paths (PATH-1): one handler, `{comment}` in the body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from runtime.accounts.sessions import require_account
from runtime.web.http import json_response, read_optional_json, services, text_of

Decide = Callable[..., dict[str, Any]]


async def decision(request: Request, decide: Decide, approve: bool) -> JSONResponse:
    """An approve or reject by an upper organisation, `{comment}` in the body (permissions, paths)."""
    svc = services(request)
    account = require_account(request)
    body = await read_optional_json(request)
    found = decide(svc, account, request.path_params["id"], approve=approve, comment=text_of(body, "comment"))
    return json_response(found)
