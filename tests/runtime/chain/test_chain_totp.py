"""The optional TOTP second factor of organisation accounts (RFC 6238)."""

from __future__ import annotations

import base64

from chain_helpers import World

from runtime import totp


def test_hotp_and_totp_match_the_rfc_test_vectors() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    # RFC 4226 appendix D
    assert [totp.hotp(secret, c) for c in range(3)] == ["755224", "287082", "359152"]
    # RFC 6238 appendix B (SHA-1), last six digits of 94287082 and 07081804
    from datetime import UTC, datetime

    assert totp.code_at(secret, datetime.fromtimestamp(59, UTC)) == "287082"
    assert totp.code_at(secret, datetime.fromtimestamp(1111111109, UTC)) == "081804"


def test_an_organisation_turns_it_on_and_login_then_needs_the_code(world: World) -> None:
    unit = world.register_unit("威海市双因素单位", "371000")
    assert unit.get("/api/v1/me/totp").json() == {"status": "off"}
    started = unit.post("/api/v1/me/totp")
    assert started.status_code == 201 and started.json()["uri"].startswith("otpauth://totp/")
    secret = started.json()["secret"]
    now = world.svc.clock.now()
    assert (
        unit.post(
            "/api/v1/me/totp/confirm", json={"code": "000000" if totp.code_at(secret, now) != "000000" else "111111"}
        ).status_code
        == 422
    )
    assert world.login(unit.login).status_code == 200  # not on until confirmed
    assert unit.post("/api/v1/me/totp/confirm", json={"code": totp.code_at(secret, now)}).status_code == 200

    missing = world.login(unit.login)
    assert missing.status_code == 401 and missing.json()["errors"][0]["code"] == "totp_required"
    wrong = world.login(unit.login, totp_code="12345")
    assert wrong.status_code == 401
    assert world.login(unit.login, totp_code=totp.code_at(secret, now)).status_code == 200
    assert world.one("SELECT totp_secret FROM accounts WHERE id = ?", (unit.account_id,))["totp_secret"] == secret


def test_wrong_codes_lock_the_second_step(world: World) -> None:
    unit = world.register_unit("威海市锁定单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    now = world.svc.clock.now()
    unit.post("/api/v1/me/totp/confirm", json={"code": totp.code_at(secret, now)})
    bad = "000000" if totp.code_at(secret, now) != "000000" else "111111"
    for _ in range(5):
        assert world.login(unit.login, totp_code=bad).status_code == 401
    locked = world.login(unit.login, totp_code=totp.code_at(secret, now))
    assert locked.status_code == 423 and locked.json()["retry_after"] > 0
    world.svc.clock.advance(minutes=16)
    assert world.login(unit.login, totp_code=totp.code_at(secret, world.svc.clock.now())).status_code == 200


def test_turning_it_off_needs_a_code_and_people_cannot_turn_it_on(world: World) -> None:
    unit = world.register_unit("威海市关闭单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    now = world.svc.clock.now()
    unit.post("/api/v1/me/totp/confirm", json={"code": totp.code_at(secret, now)})
    assert unit.post("/api/v1/me/totp/disable", json={"code": ""}).status_code == 422
    assert unit.post("/api/v1/me/totp/disable", json={"code": totp.code_at(secret, now)}).status_code == 200
    assert world.login(unit.login).status_code == 200
    applicant = world.applicant()
    assert applicant.post("/api/v1/me/totp").status_code == 403
