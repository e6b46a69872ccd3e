"""Issue 13, finding 9 on the organisation side: an HR reset sends a one-time password by SMS to
the unit's registered mobile (never to the operator), forces a change at the next login, keeps
TOTP and is audited; TOTP can be made mandatory per role (policy `totp_required_roles`), and its
setup shows a QR image made on the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from chain_helpers import World, page_login
from runtime_support import account_policy, message, password_examples

from runtime.accounts.totp import code_at

NEW = password_examples("valid")[1]["password"]


def _temporary(world: World) -> str:
    text = world.client.get("/api/v1/dev/outbox").json()["messages"][0]["text"]
    found = re.search(r"[A-Za-z0-9_-]{12}", text)
    assert found, text
    return found.group(0)


def _reset(world: World, unit: Any, hr_login: str = "gaoqu_innovation") -> str:
    assert world.actor(hr_login).post(f"/api/v1/units/{unit.org_id}/password-reset").status_code == 200
    return _temporary(world)


def test_a_reset_password_must_be_changed_before_anything_else(world: World) -> None:
    unit = world.register_unit("高区甲电子公司", "371071")
    temporary = _reset(world, unit)
    logged = world.login(unit.login, temporary)
    assert logged.status_code == 200 and logged.json()["password_change_required"] is True
    token = {"Authorization": f"Bearer {logged.json()['token']}"}
    held = world.client.get("/api/v1/units/me", headers=token)
    assert held.status_code == 403 and held.json()["errors"][0]["code"] == "password_change_required"
    weak = password_examples("invalid")[0]["password"]
    refused = world.client.post(
        "/api/v1/me/password",
        headers=token,
        json={"current_password": temporary, "new_password": weak, "new_password_confirm": weak},
    )
    assert refused.status_code == 422
    changed = world.client.post(
        "/api/v1/me/password",
        headers=token,
        json={"current_password": temporary, "new_password": NEW, "new_password_confirm": NEW},
    )
    assert changed.status_code == 200, changed.text
    again = world.login(unit.login, NEW)
    assert again.status_code == 200 and again.json()["password_change_required"] is False
    assert world.login(unit.login, temporary).status_code == 401
    actions = [a["action"] for a in world.all("SELECT action FROM audit WHERE target = ?", (unit.account_id,))]
    assert "password_reset" in actions and "password_changed" in actions


def test_a_reset_password_leads_every_page_to_the_change_page(world: World) -> None:
    unit = world.register_unit("高区乙电子公司", "371071")
    temporary = _reset(world, unit)
    client = page_login(world, unit.login, temporary)
    assert client.get("/review", follow_redirects=False).headers["location"] == "/password"
    page = client.get("/password")
    assert page.status_code == 200 and message("password_change_forced") in page.text
    no_csrf = client.post(
        "/password", data={"current_password": temporary, "new_password": NEW, "new_password_confirm": NEW}
    )
    assert no_csrf.status_code == 403
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    done = client.post(
        "/password",
        data={
            "csrf_token": csrf.group(1),
            "current_password": temporary,
            "new_password": NEW,
            "new_password_confirm": NEW,
        },
    )
    assert done.status_code == 200 and message("password_changed") in done.text
    assert client.get("/review", follow_redirects=False).status_code == 200


def test_a_temporary_password_lapses(world: World) -> None:
    unit = world.register_unit("高区丙电子公司", "371071")
    temporary = _reset(world, unit)
    world.svc.clock.advance(hours=account_policy("hr_reset_code_hours"), seconds=1)
    assert world.login(unit.login, temporary).status_code == 401


def test_a_reset_keeps_the_second_factor(world: World) -> None:
    unit = world.register_unit("高区丁电子公司", "371071")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    assert (
        unit.post("/api/v1/me/totp/confirm", json={"code": code_at(secret, world.svc.clock.now())}).status_code == 200
    )
    temporary = _reset(world, unit)
    stored = world.one("SELECT totp_secret FROM accounts WHERE id = ?", (unit.account_id,))["totp_secret"]
    assert stored == secret
    assert world.login(unit.login, temporary).status_code == 401  # the code is still asked for
    world.svc.clock.advance(seconds=31)
    assert world.login(unit.login, temporary, code_at(secret, world.svc.clock.now())).status_code == 200


def test_a_reset_of_a_unit_without_a_mobile_is_refused_and_nothing_changes(world: World) -> None:
    unit = world.register_unit("高区戊电子公司", "371071")
    with world.db() as conn:
        conn.execute("UPDATE accounts SET mobile = NULL WHERE id = ?", (unit.account_id,))
    refused = world.actor("gaoqu_innovation").post(f"/api/v1/units/{unit.org_id}/password-reset")
    assert refused.status_code == 409
    assert world.login(unit.login).status_code == 200


@pytest.fixture
def reviewers_need_totp(world: World) -> Iterator[None]:
    """The policy with `reviewer` among totp_required_roles (the build's list is left as it is)."""
    platform = world.svc.bundle.platform
    before = platform.get("totp_required_roles")
    platform["totp_required_roles"] = [*(before or []), "reviewer"]
    yield
    platform["totp_required_roles"] = before


def test_a_role_that_must_use_totp_sets_it_up_before_anything_else(world: World, reviewers_need_totp: None) -> None:
    unit = world.register_unit("高区己电子公司", "371071")
    logged = world.login(unit.login)
    assert logged.json()["totp_setup_required"] is True
    token = {"Authorization": f"Bearer {logged.json()['token']}"}
    held = world.client.get("/api/v1/units/me", headers=token)
    assert held.status_code == 403 and held.json()["errors"][0]["code"] == "totp_setup_required"
    setup = world.client.post("/api/v1/me/totp", headers=token).json()
    assert setup["qr"].startswith("data:image/svg+xml")
    code = code_at(setup["secret"], world.svc.clock.now())
    assert world.client.post("/api/v1/me/totp/confirm", headers=token, json={"code": code}).status_code == 200
    assert world.client.get("/api/v1/units/me", headers=token).status_code == 200
    world.svc.clock.advance(seconds=31)
    off = world.client.post(
        "/api/v1/me/totp/disable", headers=token, json={"code": code_at(setup["secret"], world.svc.clock.now())}
    )
    assert off.status_code == 409 and off.json()["errors"][0]["code"] == "totp_required_by_policy"


def test_the_totp_page_shows_a_qr_image_made_on_the_server(world: World, reviewers_need_totp: None) -> None:
    unit = world.register_unit("高区庚电子公司", "371071")
    client = page_login(world, unit.login)
    assert client.get("/review", follow_redirects=False).headers["location"] == "/me/totp"
    page = client.get("/me/totp")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    shown = client.post("/me/totp", data={"csrf_token": csrf.group(1), "action": "enable"})
    assert re.search(r'<img id="totp-qr" src="data:image/svg\+xml', shown.text)
    assert "http://" not in shown.text.split('id="totp-qr"')[1].split(">")[0].replace("http://www.w3.org", "")
