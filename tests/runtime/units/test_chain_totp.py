"""The optional TOTP second factor of organisation accounts (RFC 6238)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

from chain_helpers import World
from runtime_support import message

from runtime.accounts import totp


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
    world.svc.clock.advance(seconds=30)  # the code that confirmed is spent; the next one works
    assert world.login(unit.login, totp_code=totp.code_at(secret, world.svc.clock.now())).status_code == 200
    assert world.one("SELECT totp_secret FROM accounts WHERE id = ?", (unit.account_id,))["totp_secret"] == secret


def test_wrong_codes_lock_the_second_step(world: World) -> None:
    unit = world.register_unit("威海市锁定单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    now = world.svc.clock.now()
    unit.post("/api/v1/me/totp/confirm", json={"code": totp.code_at(secret, now)})
    bad = "000000" if totp.code_at(secret, now) != "000000" else "111111"
    for _ in range(5):
        assert world.login(unit.login, totp_code=bad).status_code == 401
    locked = world.login(unit.login, totp_code=totp.code_at(secret, now + timedelta(seconds=30)))
    assert locked.status_code == 423 and locked.json()["retry_after"] > 0
    world.svc.clock.advance(minutes=16)
    assert world.login(unit.login, totp_code=totp.code_at(secret, world.svc.clock.now())).status_code == 200


def test_turning_it_off_needs_a_code_and_people_cannot_turn_it_on(world: World) -> None:
    unit = world.register_unit("威海市关闭单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    now = world.svc.clock.now()
    unit.post("/api/v1/me/totp/confirm", json={"code": totp.code_at(secret, now)})
    assert unit.post("/api/v1/me/totp/disable", json={"code": ""}).status_code == 422
    later = now + timedelta(seconds=30)
    world.svc.clock.advance(seconds=30)
    assert unit.post("/api/v1/me/totp/disable", json={"code": totp.code_at(secret, later)}).status_code == 200
    assert world.login(unit.login).status_code == 200
    applicant = world.applicant()
    assert applicant.post("/api/v1/me/totp").status_code == 403


def test_a_code_logs_in_once_and_a_replay_in_the_same_window_is_refused(world: World) -> None:
    unit = world.register_unit("威海市防重放单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    confirm_code = totp.code_at(secret, world.svc.clock.now())
    assert unit.post("/api/v1/me/totp/confirm", json={"code": confirm_code}).status_code == 200
    assert world.login(unit.login, totp_code=confirm_code).json()["errors"][0]["code"] == "totp_reused"

    world.svc.clock.advance(seconds=30)
    code = totp.code_at(secret, world.svc.clock.now())
    assert world.login(unit.login, totp_code=code).status_code == 200
    world.svc.clock.advance(seconds=10)  # same 30-second step: the code on screen is the same
    replay = world.login(unit.login, totp_code=code)
    assert replay.status_code == 401
    assert replay.json()["errors"][0]["message"] == message("totp_reused")
    earlier = totp.code_at(secret, world.svc.clock.now() - timedelta(seconds=30))  # inside the drift window
    assert world.login(unit.login, totp_code=earlier).json()["errors"][0]["code"] == "totp_reused"
    world.svc.clock.advance(seconds=30)
    assert world.login(unit.login, totp_code=totp.code_at(secret, world.svc.clock.now())).status_code == 200


def test_turning_it_off_needs_a_fresh_code_too(world: World) -> None:
    unit = world.register_unit("威海市关闭口令单位", "371000")
    secret = unit.post("/api/v1/me/totp").json()["secret"]
    used = totp.code_at(secret, world.svc.clock.now())
    unit.post("/api/v1/me/totp/confirm", json={"code": used})
    refused = unit.post("/api/v1/me/totp/disable", json={"code": used})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "totp_reused"
    world.svc.clock.advance(seconds=30)
    fresh = totp.code_at(secret, world.svc.clock.now())
    assert unit.post("/api/v1/me/totp/disable", json={"code": fresh}).status_code == 200
    assert unit.get("/api/v1/me/totp").json() == {"status": "off"}


def test_a_database_made_before_the_replay_column_gets_it(tmp_path: Path) -> None:
    import sqlite3

    from runtime.storage import Storage

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, totp_secret TEXT)")
        old.execute("INSERT INTO accounts VALUES ('a1', 'SECRET')")
    storage = Storage(path)
    assert storage.one("SELECT id, totp_secret, totp_last_step FROM accounts") == {
        "id": "a1",
        "totp_secret": "SECRET",
        "totp_last_step": None,
    }
    storage.close()
    Storage(path).close()  # a second start finds the column and adds nothing
