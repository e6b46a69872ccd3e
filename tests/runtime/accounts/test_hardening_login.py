"""Issue 13, findings 1, 2 and 6 (REG-5): a captcha a script cannot read, throttling a bogus
request cannot trigger against others, and the same answers for known and unknown accounts.
Limits come from build/ (platform.yaml accounts), never restated here."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from applicant_helpers import World
from PIL import Image
from runtime_support import ROOT, api_login, frozen_clock
from starlette.testclient import TestClient

from runtime.app import create_app

WRONG = "Weihai#2026-wrong"


def _policy(world: World, key: str) -> int:
    return int(world.client.app.state.services.policy(key))  # type: ignore[attr-defined]


def _other_address(world: World, host: str) -> TestClient:
    return TestClient(world.client.app, base_url="http://testserver", client=(host, 40000))


def test_the_captcha_is_a_png_image_with_no_readable_answer(world: World) -> None:
    body = world.client.get("/api/v1/captcha").json()
    header, _, data = body["image"].partition(",")
    assert header == "data:image/png;base64"
    png = base64.b64decode(data)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 100
    assert len(body["answer"]) == _policy(world, "captcha_length")
    assert body["answer"].encode() not in png and b"<text" not in png


def test_without_dev_mode_the_answer_never_leaves_the_server(tmp_path: Path) -> None:
    app = create_app(ROOT / "build", tmp_path / "data", dev=False, clock=frozen_clock())
    with TestClient(app) as client:
        body = client.get("/api/v1/captcha").json()
        page = client.get("/login").text
    app.state.services.storage.close()
    assert set(body) == {"captcha_id", "image"}
    assert "data-answer" not in page and "captcha-dev-answer" not in page


def test_bogus_captcha_ids_from_an_address_do_not_stop_a_correct_login_from_it(world: World) -> None:
    person = world.applicant()
    storm = [
        world.client.post(
            "/api/v1/login",
            json={"account": "applicant1", "password": WRONG, "captcha_id": f"bogus{i}", "captcha_answer": "AAAA"},
        ).status_code
        for i in range(_policy(world, "login_throttle_per_ip") + 5)
    ]
    assert set(storm) == {422}
    assert world.api_login("applicant1", person.password).status_code == 200
    assert world.one("SELECT failed_logins FROM accounts WHERE id = ?", (person.id,))["failed_logins"] == 0


def test_an_address_past_the_threshold_gets_harder_captchas_and_is_never_refused(world: World) -> None:
    person = world.applicant()
    attacker = _other_address(world, "10.0.0.66")
    threshold = _policy(world, "login_throttle_per_ip")
    statuses = {api_login(attacker, f"nobody{i}", WRONG).status_code for i in range(threshold)}
    assert statuses == {401}
    hard = attacker.get("/api/v1/captcha").json()
    assert len(hard["answer"]) == _policy(world, "captcha_length_hard")
    # a person behind the same address who solves the harder captcha logs in
    assert api_login(attacker, "applicant1", person.password).status_code == 200
    # another address is untouched
    assert len(world.client.get("/api/v1/captcha").json()["answer"]) == _policy(world, "captcha_length")
    # the window passes: back to the usual length
    world.clock.advance(minutes=_policy(world, "lock_minutes") + 1)
    assert len(attacker.get("/api/v1/captcha").json()["answer"]) == _policy(world, "captcha_length")


def test_the_login_page_shows_the_harder_captcha_to_a_throttled_address(world: World) -> None:
    attacker = _other_address(world, "10.0.0.67")
    for i in range(_policy(world, "login_throttle_per_ip")):
        api_login(attacker, f"nobody{i}", WRONG)
    page = attacker.get("/login").text
    answer = page.split('data-answer="', 1)[1].split('"', 1)[0]
    assert len(answer) == _policy(world, "captcha_length_hard")


def _answers(world: World, account: str, times: int) -> list[tuple[int, Any, str | None]]:
    found = []
    for _ in range(times):
        response = world.api_login(account, WRONG)
        found.append((response.status_code, response.json(), response.headers.get("retry-after")))
    return found


def test_an_unknown_account_answers_exactly_like_a_known_one_through_the_lock(world: World) -> None:
    world.applicant()
    times = _policy(world, "lock_after_failures") + 2
    known = _answers(world, "applicant1", times)
    unknown = _answers(world, "nobody_at_all", times)
    assert known == unknown
    assert [status for status, _, _ in known][-3:] == [423, 423, 423]


def test_an_unknown_account_lock_opens_after_the_same_time(world: World) -> None:
    world.applicant()
    _answers(world, "applicant1", _policy(world, "lock_after_failures"))
    _answers(world, "ghost_user", _policy(world, "lock_after_failures"))
    world.clock.advance(minutes=_policy(world, "lock_minutes"))
    assert _answers(world, "applicant1", 1) == _answers(world, "ghost_user", 1)


def _recover(client: TestClient, account: str, mobile: str) -> tuple[int, Any]:
    response = client.post("/api/v1/password-reset", json={"account": account, "mobile": mobile})
    return response.status_code, response.json()


def test_recovery_answers_the_same_for_a_match_a_mismatch_and_nobody_up_to_the_limit(world: World) -> None:
    person = world.applicant()
    limit = _policy(world, "sms_per_hour")
    matched = [_recover(world.client, "applicant1", person.doc["mobile"]) for _ in range(limit + 1)]
    wrong_mobile = [_recover(world.client, person.doc["id_number"], "13900000000") for _ in range(limit + 1)]
    nobody = [_recover(world.client, "nobody_here", "13900000001") for _ in range(limit + 1)]
    assert matched == wrong_mobile == nobody
    assert [status for status, _ in matched] == [202] * limit + [429]


def test_sms_requests_from_one_address_are_limited_whatever_they_name(world: World) -> None:
    sender = _other_address(world, "10.0.0.77")
    limit = _policy(world, "sms_per_ip_hour")
    statuses = [_recover(sender, f"someone{i}", f"1390000{i:04d}")[0] for i in range(limit + 1)]
    assert statuses == [202] * limit + [429]
    assert _recover(world.client, "someone_else", "13912345678")[0] == 202  # another address
    world.clock.advance(hours=1, seconds=1)
    assert _recover(sender, "someone_new", "13912345679")[0] == 202
