"""Ownership: a second applicant walks every path that takes a declaration or an attachment
id — API and pages, every verb, including routes other modules add — and learns nothing about
the first applicant's declaration: 404 (or 403), the same answer as for an id that does not exist,
and the database stays as it was."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from applicant_helpers import Applicant, World, valid_sections
from runtime_support import csrf_of
from starlette.routing import Route

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PREFIXES = ("/declarations/", "/api/v1/declarations/", "/attachments/", "/api/v1/attachments/", "/review/")


def _routes(world: World) -> list[tuple[str, str]]:
    found = []
    for route in world.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or not route.path.startswith(PREFIXES):
            continue
        if "{id}" not in route.path and "{attachment_id}" not in route.path:
            continue
        found += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def _fill(path: str, declaration_id: str, attachment_id: str) -> str:
    path = path.replace("{id}", declaration_id).replace("{attachment_id}", attachment_id)
    path = path.replace("{section_id}", "header").replace("{transition_id}", "pass")
    return re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "x", path)


@pytest.fixture
def victim(world: World, unit_id: str) -> tuple[Applicant, str, str]:
    first = world.applicant()
    declaration_id = first.new_declaration()
    first.fill(declaration_id, unit_id)
    uploaded = first.post(
        f"/api/v1/declarations/{declaration_id}/attachments",
        data={"section_id": "achievements", "kind": "proof", "row": "0"},
        files={"file": ("论文.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201
    return first, declaration_id, uploaded.json()["attachment_id"]


def _api_call(second: Applicant, method: str, path: str, unit_id: str) -> Any:
    if method == "PUT":
        return second.put(path, json=valid_sections(unit_id)["header"])
    if method == "POST" and path.endswith("/attachments"):
        return second.post(
            path, data={"section_id": "header", "kind": "x"}, files={"file": ("a.pdf", PDF, "application/pdf")}
        )
    if method == "POST":
        return second.post(path, json={"comment": "x", "passed": True, "sections": ["header"]})
    return second.client.request(method, path, headers=second.headers)


def test_the_api_hides_the_first_applicants_declaration_from_the_second(
    world: World, victim: tuple[Applicant, str, str], unit_id: str
) -> None:
    _, declaration_id, attachment_id = victim
    second = world.applicant()
    second.new_declaration()
    before = world.dump()
    walked = 0
    for method, template in _routes(world):
        if not template.startswith("/api/"):
            continue
        real = _api_call(second, method, _fill(template, declaration_id, attachment_id), unit_id)
        ghost = _api_call(second, method, _fill(template, uuid.uuid4().hex, uuid.uuid4().hex), unit_id)
        assert real.status_code in (403, 404), (method, template, real.status_code, real.text)
        assert real.status_code == ghost.status_code, (method, template)
        assert declaration_id not in real.text and "论文" not in real.text
        walked += 1
    assert walked >= 6  # show, save, upload, submit, history, download at least
    assert declaration_id not in second.get("/api/v1/declarations").text
    assert world.dump() == before


def test_the_pages_hide_the_first_applicants_declaration_from_the_second(
    world: World, victim: tuple[Applicant, str, str], unit_id: str
) -> None:
    _, declaration_id, attachment_id = victim
    world.applicant()
    client = world.page_client()
    world.page_login(client, "applicant2")
    token = csrf_of(client.get("/declarations").text)
    before = world.dump()
    walked = 0
    for method, template in _routes(world):
        if template.startswith("/api/"):
            continue
        for target in (declaration_id, uuid.uuid4().hex):
            path = _fill(template, target, attachment_id if target == declaration_id else uuid.uuid4().hex)
            if method == "POST" and path.endswith("/attachments"):
                response = client.post(
                    path,
                    data={"csrf_token": token, "section_id": "header", "kind": "x"},
                    files={"file": ("a.pdf", PDF, "application/pdf")},
                    follow_redirects=False,
                )
            elif method == "POST":
                response = client.post(path, data={"csrf_token": token, "rank": "1/1"}, follow_redirects=False)
            else:
                response = client.request(method, path, follow_redirects=False)
            assert response.status_code in (403, 404), (method, template, response.status_code)
            assert declaration_id not in response.text and "论文" not in response.text
        walked += 1
    assert walked >= 5
    assert declaration_id not in client.get("/declarations").text
    assert world.dump() == before


def test_the_owner_can_still_reach_everything(world: World, victim: tuple[Applicant, str, str]) -> None:
    first, declaration_id, attachment_id = victim
    assert first.get(f"/api/v1/declarations/{declaration_id}").status_code == 200
    assert first.get(f"/api/v1/declarations/{declaration_id}/history").status_code == 200
    download = first.get(f"/api/v1/attachments/{attachment_id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_a_logged_out_visitor_is_sent_to_login_or_refused(
    world: World, victim: tuple[Applicant, str, str], unit_id: str
) -> None:
    _, declaration_id, attachment_id = victim
    client = world.page_client()
    for method, template in _routes(world):
        path = _fill(template, declaration_id, attachment_id)
        response = client.request(method, path, follow_redirects=False)
        if template.startswith("/api/"):
            assert response.status_code == 401, (method, template)
        else:
            assert response.status_code in (303, 403, 404), (method, template, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"] == "/login"
