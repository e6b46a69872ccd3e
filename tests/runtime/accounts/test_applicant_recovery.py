"""REG-6: recovery by an SMS code to the registered mobile (the dev outbox), with expiry,
single use, limited tries, rate limits, and every other session ended after a reset. Lengths,
minutes, tries, limits and texts are read from build/ (platform.yaml `accounts`, messages.yaml)."""

from __future__ import annotations

import re
from typing import Any

from applicant_helpers import Applicant, World
from runtime_support import account_policy, csrf_of, message

NEW = "Rongcheng#2027"
CODE_LENGTH = account_policy("sms_code_length")
CODE_MINUTES = account_policy("sms_code_minutes")
CODE = re.compile(rf"(?<!\d)(\d{{{CODE_LENGTH}}})(?!\d)")


def _request(world: World, account: str, mobile: str) -> int:
    response = world.client.post("/api/v1/password-reset", json={"account": account, "mobile": mobile})
    return int(response.status_code)


def _last_code(world: World) -> str:
    messages = world.client.get("/api/v1/dev/outbox").json()["messages"]
    found = CODE.search(messages[0]["text"])
    assert found
    return found.group(1)


def _confirm(world: World, account: str, code: str, password: str = NEW) -> Any:
    return world.client.post(
        "/api/v1/password-reset/confirm", json={"account": account, "code": code, "new_password": password}
    )


def test_a_code_goes_to_the_outbox_and_resets_the_password(world: World, applicant: Applicant) -> None:
    assert _request(world, "applicant1", applicant.doc["mobile"]) == 202
    message = world.client.get("/api/v1/dev/outbox").json()["messages"][0]
    assert message["mobile"] == applicant.doc["mobile"]
    assert "applicant1" in message["text"]  # a forgotten login name comes back too
    response = _confirm(world, applicant.doc["id_number"], _last_code(world))
    assert response.status_code == 200
    assert world.api_login("applicant1", applicant.password).status_code == 401
    assert world.api_login("applicant1", NEW).status_code == 200
    assert world.one("SELECT action FROM audit WHERE action = 'password_reset'")


def test_a_mobile_that_does_not_match_sends_nothing_but_answers_the_same(world: World, applicant: Applicant) -> None:
    assert _request(world, "applicant1", "13900000000") == 202
    assert _request(world, "nobody_here", applicant.doc["mobile"]) == 202
    assert world.client.get("/api/v1/dev/outbox").json()["messages"] == []


def test_the_code_is_stored_only_as_a_digest(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    assert code not in str(world.all("SELECT * FROM sms_codes"))


def test_a_code_expires_after_its_minutes(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    world.clock.advance(minutes=CODE_MINUTES, seconds=1)
    response = _confirm(world, "applicant1", code)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message("bad_sms_code")


def test_a_code_still_works_just_before_its_minutes(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    world.clock.advance(minutes=CODE_MINUTES - 1, seconds=59)
    assert _confirm(world, "applicant1", code).status_code == 200


def test_a_code_works_only_once(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    assert _confirm(world, "applicant1", code).status_code == 200
    assert _confirm(world, "applicant1", code, "Another#2028x").status_code == 422
    assert world.api_login("applicant1", NEW).status_code == 200


def test_a_code_allows_only_its_tries(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    wrong = "0" * CODE_LENGTH if code != "0" * CODE_LENGTH else "1" * CODE_LENGTH
    tries = account_policy("sms_code_max_tries")
    assert [_confirm(world, "applicant1", wrong).status_code for _ in range(tries)] == [422] * tries
    assert _confirm(world, "applicant1", code).status_code == 422
    assert world.api_login("applicant1", applicant.password).status_code == 200


def test_a_new_code_replaces_the_old_one(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    old = _last_code(world)
    _request(world, "applicant1", applicant.doc["mobile"])
    new = _last_code(world)
    if old != new:
        assert _confirm(world, "applicant1", old).status_code == 422
    assert _confirm(world, "applicant1", new).status_code == 200


def test_codes_are_rate_limited_per_account(world: World, applicant: Applicant) -> None:
    per_hour = account_policy("sms_per_hour")
    statuses = [_request(world, "applicant1", applicant.doc["mobile"]) for _ in range(per_hour + 1)]
    assert statuses == [202] * per_hour + [429]
    assert len(world.client.get("/api/v1/dev/outbox").json()["messages"]) == per_hour
    world.clock.advance(hours=1, seconds=1)
    assert _request(world, applicant.doc["id_number"], applicant.doc["mobile"]) == 202


def test_codes_are_rate_limited_per_mobile_across_accounts(world: World) -> None:
    first = world.applicant(mobile="13805319999")
    second = world.applicant(mobile="13805319999")
    per_hour = account_policy("sms_per_hour")
    assert [_request(world, first.doc["login_name"], "13805319999") for _ in range(per_hour - 1)] == [202] * (
        per_hour - 1
    )
    assert _request(world, second.doc["login_name"], "13805319999") == 202
    assert _request(world, second.doc["login_name"], "13805319999") == 429


def test_the_new_password_must_follow_the_policy(world: World, applicant: Applicant) -> None:
    _request(world, "applicant1", applicant.doc["mobile"])
    code = _last_code(world)
    response = _confirm(world, "applicant1", code, "password123")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/new_password"
    assert _confirm(world, "applicant1", code).status_code == 200


def test_a_reset_ends_every_other_session_and_token(world: World, applicant: Applicant) -> None:
    client = world.page_client()
    world.page_login(client, "applicant1")
    assert client.get("/declarations").status_code == 200
    assert applicant.get("/api/v1/me").status_code == 200
    _request(world, "applicant1", applicant.doc["mobile"])
    assert _confirm(world, "applicant1", _last_code(world)).status_code == 200
    assert applicant.get("/api/v1/me").status_code == 401
    page = client.get("/declarations", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert world.one("SELECT COUNT(*) AS n FROM sessions")["n"] == 0


def test_a_reset_also_opens_a_locked_account(world: World, applicant: Applicant) -> None:
    for _ in range(account_policy("lock_after_failures")):
        world.api_login("applicant1", "Weihai#2026-wrong")
    assert world.api_login("applicant1", applicant.password).status_code == 423
    _request(world, "applicant1", applicant.doc["mobile"])
    _confirm(world, "applicant1", _last_code(world))
    assert world.api_login("applicant1", NEW).status_code == 200


def test_the_recovery_pages_work_without_javascript(world: World, applicant: Applicant) -> None:
    client = world.page_client()
    page = client.get("/recover")
    sent = client.post(
        "/recover",
        data={"csrf_token": csrf_of(page.text), "account": "applicant1", "mobile": applicant.doc["mobile"]},
    )
    assert sent.status_code == 200 and message("sms_sent") in sent.text
    outbox = client.get("/dev/outbox")
    code = CODE.search(outbox.text)
    assert code
    wrong = client.post(
        "/recover/reset",
        data={"csrf_token": csrf_of(sent.text), "account": "applicant1", "code": "x", "new_password": NEW},
    )
    assert wrong.status_code == 422 and message("bad_sms_code") in wrong.text
    done = client.post(
        "/recover/reset",
        data={"csrf_token": csrf_of(wrong.text), "account": "applicant1", "code": code.group(1), "new_password": NEW},
    )
    assert done.status_code == 200 and message("password_was_reset") in done.text
    assert world.api_login("applicant1", NEW).status_code == 200


def test_the_outbox_is_not_served_without_dev_mode(tmp_path: object) -> None:
    from pathlib import Path

    from runtime_support import ROOT
    from starlette.testclient import TestClient

    from runtime.app import create_app

    app = create_app(ROOT / "build", Path(str(tmp_path)) / "prod")
    with TestClient(app) as client:
        assert client.get("/api/v1/dev/outbox").status_code == 404
        assert client.get("/dev/outbox").status_code == 404
        assert "answer" not in client.get("/api/v1/captcha").json()
    app.state.services.storage.close()
