"""Issue 13, finding 9: a logged-in person changes the password with the current one (API and
page, CSRF on the page); wrong current passwords are limited like logins; other sessions end."""

from __future__ import annotations

from typing import Any

from applicant_helpers import Applicant, World
from runtime_support import account_policy, csrf_of, message, password_examples

NEW = password_examples("valid")[1]["password"]


def _change(person: Applicant, current: str, new: str = NEW, confirm: str | None = None) -> Any:
    body = {
        "current_password": current,
        "new_password": new,
        "new_password_confirm": new if confirm is None else confirm,
    }
    return person.post("/api/v1/me/password", json=body)


def test_a_password_changes_with_the_current_one_and_old_tokens_end(world: World, applicant: Applicant) -> None:
    response = _change(applicant, applicant.password)
    assert response.status_code == 200, response.text
    assert applicant.get("/api/v1/me").status_code == 401
    assert world.api_login("applicant1", applicant.password).status_code == 401
    assert world.api_login("applicant1", NEW).status_code == 200
    assert world.one("SELECT 1 AS x FROM audit WHERE action = 'password_changed'")


def test_a_wrong_current_password_changes_nothing(world: World, applicant: Applicant) -> None:
    response = _change(applicant, "Not-the-password#1")
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["current_password_wrong"]
    assert world.api_login("applicant1", applicant.password).status_code == 200


def test_a_weak_or_unconfirmed_new_password_is_refused(world: World, applicant: Applicant) -> None:
    for example in (e for e in password_examples("invalid") if set(e) == {"password"}):
        assert _change(applicant, applicant.password, example["password"]).status_code == 422
    differs = _change(applicant, applicant.password, NEW, NEW + "x")
    assert [e["code"] for e in differs.json()["errors"]] == ["password_confirm_differs"]
    same = _change(applicant, applicant.password, applicant.password)
    assert "password_unchanged" in [e["code"] for e in same.json()["errors"]]


def test_guessing_the_current_password_is_limited(world: World, applicant: Applicant) -> None:
    limit = account_policy("lock_after_failures")
    statuses = [_change(applicant, f"Wrong#guess{i}").status_code for i in range(limit + 1)]
    assert statuses == [422] * limit + [429]
    assert _change(applicant, applicant.password).status_code == 429
    world.clock.advance(minutes=account_policy("lock_minutes"), seconds=1)
    assert _change(applicant, applicant.password).status_code == 200


def test_the_password_page_changes_it_with_csrf(world: World, applicant: Applicant) -> None:
    client = world.page_client()
    world.page_login(client, "applicant1", applicant.password)
    page = client.get("/password")
    assert page.status_code == 200
    fields = {"current_password": applicant.password, "new_password": NEW, "new_password_confirm": NEW}
    assert client.post("/password", data=fields).status_code == 403
    done = client.post("/password", data={**fields, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and message("password_changed") in done.text
    assert client.get("/me").status_code == 200  # this session stays
    assert world.api_login("applicant1", NEW).status_code == 200
