"""Optimistic concurrency for declarations (issue 13, finding 7; API.md "Concurrency").

Every change of a declaration (a section save, a state change) raises its `version`. The API
sends it as the ETag and refuses a stale `If-Match` with 412; the pages carry it in a hidden
field and answer a stale one with a 409 page that keeps what was typed beside what is stored.
A request without a version is accepted, as before (old clients, scripts).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from runtime.declarations.row_ids import without_ids
from runtime.web.http import HttpError, Services, json_response, whole_number


class StaleVersion(Exception):
    """The declaration changed since the client read it."""

    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current


def etag(version: int) -> str:
    return f'"v{int(version)}"'


def parse_if_match(header: str | None) -> int | str | None:
    """None: no precondition; "*": any version; an int: that version; "bad": matches nothing."""
    if header is None or not header.strip():
        return None
    value = header.strip()
    if value == "*":
        return "*"
    for part in value.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        number = whole_number(tag[1:], 10) if tag.startswith("v") else None
        if number is not None:
            return number
    return "bad"


def parse_form_version(value: Any) -> int | None:
    return whole_number(value, 11)


def check(current: int, expected: int | str | None) -> None:
    if expected is None or expected == "*":
        return
    if expected != current:
        raise StaleVersion(current)


def precondition_failed(svc: Services, current: int) -> HttpError:
    return HttpError(
        412,
        "stale_version",
        svc.bundle.text("stale_version"),
        headers={"ETag": etag(current)},
        extra={"version": current},
    )


def tagged(summary: dict[str, Any], status: int = 200) -> JSONResponse:
    """A declaration's JSON with its version as the ETag, for the If-Match of the next change."""
    response = json_response(summary, status=status)
    response.headers["ETag"] = etag(summary["version"])
    return response


def differences(form: Any, typed: dict[str, Any], stored: dict[str, Any]) -> list[dict[str, str]]:
    """What the other save stored where it differs from what was typed: (title, stored, typed)
    per field, and per row for a table, for the 409 page that shows both."""
    found: list[dict[str, str]] = []
    for descriptor in form.compiled.get("fields") or []:
        key = descriptor["id"]
        if _shown(typed.get(key)) != _shown(stored.get(key)):
            found.append(
                {
                    "title": descriptor.get("title", key),
                    "theirs": _shown(stored.get(key)),
                    "mine": _shown(typed.get(key)),
                }
            )
    if form.rows:
        theirs, mine = stored.get("rows") or [], typed.get("rows") or []
        for index in range(max(len(theirs), len(mine))):
            a = _shown(without_ids(theirs[index])) if index < len(theirs) else ""
            b = _shown(without_ids(mine[index])) if index < len(mine) else ""
            if a != b:
                found.append({"title": f"{form.rows.get('title', '')} {index + 1}", "theirs": a, "mine": b})
    return found


def _shown(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dict):
        return "；".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)
