"""REG-3: only platform support corrects an applicant's name, and every correction is audited."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from applicant_helpers import PASSWORD, Applicant, World
from runtime_support import csrf_of, field_message, message


def _reviewer(world: World, role: str) -> Applicant:
    from runtime.web.security import hash_password

    account_id = uuid.uuid4().hex
    with world.db() as conn:
        conn.execute(
            "INSERT INTO accounts (id, kind, role, login_name, name, org_id, password_hash, data, created_at)"
            " VALUES (?, 'organisation', ?, ?, '人社局', 'weihai_hrss', ?, '{}', '2026-11-10T10:00:00+08:00')",
            (account_id, role, f"hr_{account_id[:6]}", hash_password(PASSWORD)),
        )
    token = world.api_login(f"hr_{account_id[:6]}").json()["token"]
    return Applicant(world.client, account_id, token, {})


def test_support_corrects_a_name_and_the_audit_log_records_it(world: World, applicant: Applicant) -> None:
    support = world.support()
    response = support.patch(f"/api/v1/persons/{applicant.id}/name", json={"name": "张一", "reason": "户籍更名"})
    assert response.status_code == 200
    assert response.json()["name"] == "张一"
    assert applicant.get("/api/v1/me").json()["name"] == "张一"
    audit = world.one("SELECT * FROM audit WHERE action = 'name_corrected'")
    assert (audit["actor_id"], audit["target"]) == (support.id, applicant.id)
    assert json.loads(audit["detail"]) == {"old": "张1", "new": "张一", "reason": "户籍更名"}
    assert (
        world.one("SELECT id_number FROM accounts WHERE id = ?", (applicant.id,))["id_number"]
        == applicant.doc["id_number"]
    )


@pytest.mark.parametrize("name", ["", "   ", "张" * 31])
def test_a_corrected_name_must_still_be_valid(world: World, applicant: Applicant, name: str) -> None:
    support = world.support()
    response = support.patch(f"/api/v1/persons/{applicant.id}/name", json={"name": name})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/name"
    assert world.one("SELECT COUNT(*) AS n FROM audit WHERE action = 'name_corrected'")["n"] == 0


@pytest.mark.parametrize("role", ["reviewer", "hr_admin", "committee_office"])
def test_nobody_but_support_may_correct_a_name(world: World, applicant: Applicant, role: str) -> None:
    other = _reviewer(world, role)
    response = other.patch(f"/api/v1/persons/{applicant.id}/name", json={"name": "李四"})
    assert response.status_code == 403
    assert world.one("SELECT name FROM accounts WHERE id = ?", (applicant.id,))["name"] == "张1"


def test_the_applicant_may_not_correct_their_own_name(world: World, applicant: Applicant) -> None:
    response = applicant.patch(f"/api/v1/persons/{applicant.id}/name", json={"name": "李四"})
    assert response.status_code == 403
    assert world.one("SELECT name FROM accounts WHERE id = ?", (applicant.id,))["name"] == "张1"


def test_an_unknown_person_or_an_organisation_account_is_404(world: World, applicant: Applicant) -> None:
    support = world.support()
    assert support.patch(f"/api/v1/persons/{uuid.uuid4().hex}/name", json={"name": "李四"}).status_code == 404
    assert support.patch(f"/api/v1/persons/{support.id}/name", json={"name": "李四"}).status_code == 404
    assert support.patch(f"/api/v1/persons/{'x' * 300}/name", json={"name": "李四"}).status_code == 404


def test_no_token_is_a_401(world: World, applicant: Applicant) -> None:
    assert world.client.patch(f"/api/v1/persons/{applicant.id}/name", json={"name": "李四"}).status_code == 401


def test_the_support_page_finds_a_person_and_corrects_the_name(world: World, applicant: Applicant) -> None:
    support = world.support()
    client = world.page_client()
    world.page_login(client, support.doc["login_name"])
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"] == "/support/persons"
    found = client.get("/support/persons", params={"q": applicant.doc["id_number"]})
    assert found.status_code == 200 and '<td id="person-name">张1</td>' in found.text
    missing = client.get("/support/persons", params={"q": "371002199001019999"})
    assert message("person_not_found") in missing.text
    bad = client.post(
        "/support/persons",
        data={"csrf_token": csrf_of(found.text), "person_id": applicant.id, "name": "", "reason": "x"},
    )
    assert bad.status_code == 422 and field_message("person_registration", "/name") in bad.text
    done = client.post(
        "/support/persons",
        data={"csrf_token": csrf_of(found.text), "person_id": applicant.id, "name": "张一", "reason": "户籍更名"},
    )
    assert done.status_code == 200 and "姓名已更正" in done.text
    assert re.search(r'<td id="person-name">张一</td>', done.text)
    assert world.one("SELECT COUNT(*) AS n FROM audit WHERE action = 'name_corrected'")["n"] == 1


def test_the_support_page_is_for_support_only(world: World, applicant: Applicant) -> None:
    client = world.page_client()
    world.page_login(client, "applicant1")
    assert client.get("/support/persons").status_code == 403
    anonymous = world.page_client()
    assert anonymous.get("/support/persons", follow_redirects=False).headers["location"] == "/login"
    reviewer = _reviewer(world, "hr_admin")
    hr = world.page_client()
    world.page_login(hr, world.one("SELECT login_name FROM accounts WHERE id = ?", (reviewer.id,))["login_name"])
    assert hr.get("/support/persons").status_code == 403
    page = hr.get("/login")
    forged = hr.post(
        "/support/persons", data={"csrf_token": csrf_of(page.text), "person_id": applicant.id, "name": "李四"}
    )
    assert forged.status_code == 403
    assert world.one("SELECT name FROM accounts WHERE id = ?", (applicant.id,))["name"] == "张1"
