"""A section page and its save, through the whole app, leave no reference cycles behind (issue
14): what a request leaves in cycles waits for the garbage collector, and its passes pause every
connection of the process (see runtime.policy.versions.PageTemplate)."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlencode

from applicant_helpers import Applicant, World
from runtime_support import cyclic_garbage

from runtime.accounts.sessions import SESSION_COOKIE, start_session


async def call(app: Any, method: str, path: str, cookie: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request straight to the ASGI app, as the server hands it over."""
    headers = [(b"host", b"testserver"), (b"cookie", cookie.encode())]
    headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def ours(thing: object) -> bool:
    """The app's objects, the pages' and the framework's (not a database driver's background
    threads, which run on their own schedule)."""
    module = type(thing).__module__ or ""
    if module.startswith(("runtime", "starlette", "jinja2", "markupsafe")):
        return True
    return callable(thing) and (getattr(thing, "__module__", "") or "").startswith(("runtime", "jinja2"))


def test_a_section_page_and_its_save_leave_no_cycles_behind(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    raw, _ = start_session(world.svc, applicant.id)
    cookie = f"{SESSION_COOKIE}={raw}"
    section = world.svc.bundle.declaration_sections()[0].id
    path = f"/declarations/{declaration_id}/sections/{section}"
    app = world.client.app

    async def run() -> dict[str, int]:
        status, page = await call(app, "GET", path, cookie)
        assert status == 200
        found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        assert found is not None
        saved = urlencode({"csrf_token": found.group(1).decode()}).encode()
        left: dict[str, int] = {}
        for method, body in (("GET", b""), ("POST", saved)):
            status, page = await call(app, method, path, cookie, body)  # warm: first renders compile
            assert status in (200, 422) and b'id="section-form"' in page, (method, status)
            with cyclic_garbage() as found:
                for _ in range(20):
                    await call(app, method, path, cookie, body)
            left[method] = sum(ours(o) for o in found)
        return left

    assert asyncio.run(run()) == {"GET": 0, "POST": 0}
