"""Nothing typed is lost (issue 16): a section saved after the session timed out is kept for the
account, server-side and short-lived, and shown again after the next login; the page's script
saves in the background; the registration confirm step's 返回 keeps the values (REG-3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from applicant_helpers import Applicant, World
from runtime_support import csrf_of, person_doc

TYPED = "二〇二五年主持完成馆藏档案数字化项目,登录超时前刚刚写下的这一段文字不能丢"


@pytest.fixture
def pages(world: World, applicant: Applicant) -> tuple[Any, str]:
    client = world.page_client()
    world.page_login(client, applicant.doc["login_name"])
    created = client.post(
        "/declarations/new", data={"csrf_token": csrf_of(client.get("/declarations").text)}, follow_redirects=False
    )
    assert created.status_code == 303
    return client, created.headers["location"].rsplit("/", 1)[-1]


def _idle_past_the_timeout(world: World, extra_minutes: int = 1) -> None:
    world.clock.advance(minutes=world.svc.policy("session_idle_minutes") + extra_minutes)


def _post_performance(client: Any, declaration_id: str, token: str, **extra: str) -> Any:
    return client.post(
        f"/declarations/{declaration_id}/sections/performance",
        data={"csrf_token": token, "achievements_text": TYPED, **extra},
        follow_redirects=False,
    )


def _stored_text(world: World, declaration_id: str) -> str:
    row = world.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'performance'", (declaration_id,)
    )
    return str(row["data"])


def test_a_save_after_the_session_lapsed_is_kept_and_restored_after_login(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    _idle_past_the_timeout(world)
    lost = _post_performance(client, declaration_id, token)
    assert lost.status_code == 303 and lost.headers["location"] == "/login?lapsed=1"
    assert TYPED not in _stored_text(world, declaration_id)  # nothing written before the applicant saves
    login = client.get(lost.headers["location"])
    assert world.svc.bundle.text("lapsed_kept") in login.text
    back = world.page_login(client, applicant.doc["login_name"])
    assert back.url.path == f"/declarations/{declaration_id}/sections/performance"
    assert TYPED in back.text and world.svc.bundle.text("lapsed_restored") in back.text
    saved = _post_performance(client, declaration_id, csrf_of(back.text))
    assert saved.status_code in (200, 422)
    assert TYPED in _stored_text(world, declaration_id)
    again = client.get(f"/declarations/{declaration_id}/sections/performance")
    assert world.svc.bundle.text("lapsed_restored") not in again.text  # kept copy gone once saved


def test_a_lapsed_post_with_a_foreign_csrf_token_keeps_nothing(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    _idle_past_the_timeout(world)
    refused = _post_performance(client, declaration_id, "not-the-sessions-token")
    assert refused.status_code == 303 and refused.headers["location"] == "/login"
    assert world.one("SELECT COUNT(*) AS n FROM pending WHERE kind = 'lapsed_draft'")["n"] == 0


def test_after_logout_a_post_keeps_nothing(world: World, applicant: Applicant, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    client.post("/logout", data={"csrf_token": token})
    refused = _post_performance(client, declaration_id, token)
    assert refused.status_code == 303 and refused.headers["location"] == "/login"
    assert world.one("SELECT COUNT(*) AS n FROM pending WHERE kind = 'lapsed_draft'")["n"] == 0


def test_the_kept_copy_is_short_lived(world: World, applicant: Applicant, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    _idle_past_the_timeout(world)
    assert _post_performance(client, declaration_id, token).headers["location"] == "/login?lapsed=1"
    world.clock.advance(minutes=world.svc.accounts_policy["lapsed_draft_minutes"] + 1)
    back = world.page_login(client, applicant.doc["login_name"])
    assert back.url.path == "/declarations"
    page = client.get(f"/declarations/{declaration_id}/sections/performance")
    assert TYPED not in page.text


def test_the_kept_copy_is_only_for_its_own_account(world: World, applicant: Applicant, pages: tuple[Any, str]) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    _idle_past_the_timeout(world)
    assert _post_performance(client, declaration_id, token).headers["location"] == "/login?lapsed=1"
    doc = person_doc(2)
    assert world.client.post("/api/v1/persons", json=doc).status_code == 201
    stranger = world.page_client()
    landed = world.page_login(stranger, doc["login_name"])
    assert TYPED not in landed.text
    foreign = stranger.get(f"/declarations/{declaration_id}/sections/performance")
    assert TYPED not in foreign.text
    assert foreign.status_code == 404 or foreign.url.path != f"/declarations/{declaration_id}/sections/performance"


def test_the_background_save_answers_in_json_and_saves(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    saved = _post_performance(client, declaration_id, token, autosave="1")
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert TYPED in _stored_text(world, declaration_id)


def test_a_background_save_after_the_lapse_says_so_and_is_kept(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    token = csrf_of(client.get(f"/declarations/{declaration_id}/sections/performance").text)
    _idle_past_the_timeout(world)
    lapsed = _post_performance(client, declaration_id, token, autosave="1")
    assert lapsed.status_code == 401 and lapsed.json() == {"lapsed": True, "kept": True}


def test_the_section_page_carries_the_autosave_hook_only_when_editable(
    world: World, applicant: Applicant, pages: tuple[Any, str]
) -> None:
    client, declaration_id = pages
    page = client.get(f"/declarations/{declaration_id}/sections/performance").text
    assert re.search(r'<form[^>]+id="section-form"[^>]+data-autosave', page)


def test_back_on_the_registration_confirm_step_keeps_every_value_but_the_passwords(world: World) -> None:
    client = world.page_client()
    form = client.get("/register")
    doc = person_doc(7)
    shown = client.post("/register", data={"csrf_token": csrf_of(form.text), **doc})
    assert shown.status_code == 200 and 'name="pending"' in shown.text
    pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
    assert pending
    back = client.post("/register/back", data={"csrf_token": csrf_of(shown.text), "pending": pending.group(1)})
    assert back.status_code == 200
    for field in ("login_name", "id_number", "name", "mobile"):
        assert f'value="{doc[field]}"' in back.text, field
    assert doc["password"] not in back.text
    assert world.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (doc["login_name"],)) is None
