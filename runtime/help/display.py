"""GET /display/text-size?large=1&next=/path: the larger-text mode for older readers, kept in a cookie and
applied by the page layout; a plain link, so it works without JavaScript and from any page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from runtime.web.http import TEXT_SIZE_COOKIE, services

YEAR = 365 * 24 * 3600


def routes() -> list[BaseRoute]:
    return [Route("/display/text-size", text_size, methods=["GET"])]


def safe_next(target: str) -> str:
    """Only a path of this site: never another host (`//evil`, `/\\evil`, `https:`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 300:
        return "/"
    return target


async def text_size(request: Request) -> Response:
    response = RedirectResponse(safe_next(request.query_params.get("next", "/")), status_code=303)
    if request.query_params.get("large") == "1":
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            "large",
            max_age=YEAR,
            httponly=True,
            samesite="lax",
            secure=services(request).secure_cookies,
            path="/",
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, path="/")
    return response
