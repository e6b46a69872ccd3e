"""Issue 13, finding 12: the OpenAPI document lists every status a route really returns. Every
API route of the app is probed the way the audit's fuzzer did (no token, a bad token, a
malformed body, a wrong media type, a wrong JSON shape, unknown ids) and each status seen must
be documented for that operation."""

from __future__ import annotations

import re
from typing import Any

from applicant_helpers import World
from starlette.routing import Route

from runtime.app import routes

UNKNOWN = "zz0unknown"


def _probes(token: str) -> list[dict[str, Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    return [
        {"headers": {}},
        {"headers": {"Authorization": "Bearer not-a-token"}},
        {"headers": auth},
        {"headers": {**auth, "content-type": "application/json"}, "content": b"{not json"},
        {"headers": {**auth, "content-type": "application/json"}, "content": b'"\\ud800"'},
        {"headers": {**auth, "content-type": "text/plain"}, "content": b"hello"},
        {"headers": auth, "json": []},
        {"headers": auth, "json": {}},
        {"headers": auth, "json": {"comment": 5, "name": ["x"], "section_id": {}}},
        {"headers": {**auth, "If-Match": '"v999999"'}, "json": {}},
    ]


def test_every_status_a_route_returns_to_the_audit_probes_is_documented(world: World) -> None:
    document = world.client.get("/api/v1/openapi.json").json()
    person = world.applicant()
    missing: list[str] = []
    for route in routes():
        if not isinstance(route, Route) or not route.path.startswith("/api/"):
            continue
        documented_path = route.path.replace("{form_id:path}", "{form_id}")
        url = re.sub(r"\{[^}]+\}", UNKNOWN, route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            operation = document["paths"][documented_path][method.lower()]
            documented = set(operation["responses"])
            token = person.token
            for probe in _probes(token):
                status = world.client.request(method, url, **probe).status_code
                if str(status) not in documented:
                    missing.append(f"{method} {route.path} -> {status}")
            if method == "POST" and route.path.endswith("/logout"):  # the probes ended this token
                person.token = world.api_login(person.doc["login_name"], person.password).json()["token"]
    assert not sorted(set(missing)), sorted(set(missing))
