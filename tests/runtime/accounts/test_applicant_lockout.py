"""REG-5 with the controllable clock: captcha, `lock_after_failures` failures lock for
`lock_minutes`, the lock is not extended, it opens by itself, every attempt logged, double
clicks. The numbers and texts are read from build/ (platform.yaml `accounts`, messages.yaml)."""

from __future__ import annotations

from applicant_helpers import World
from runtime_support import account_policy, login_fields, message

WRONG = "Weihai#2026-wrong"
LIMIT = account_policy("lock_after_failures")
MINUTES = account_policy("lock_minutes")


def _fail(world: World, account: str, times: int) -> list[int]:
    return [world.api_login(account, WRONG).status_code for _ in range(times)]


def test_the_last_allowed_consecutive_failure_locks_the_account_for_the_lock_time(world: World) -> None:
    person = world.applicant()
    assert _fail(world, "applicant1", LIMIT - 1) == [401] * (LIMIT - 1)
    locked = world.api_login("applicant1", WRONG)
    assert locked.status_code == 423
    assert locked.json()["retry_after"] == MINUTES * 60
    assert locked.headers["retry-after"] == str(MINUTES * 60)
    assert locked.json()["errors"][0]["message"] == message("account_locked", minutes=MINUTES)
    # even the right password is refused while locked
    right = world.api_login("applicant1", person.password)
    assert right.status_code == 423


def test_attempts_while_locked_do_not_extend_the_lock(world: World) -> None:
    person = world.applicant()
    _fail(world, person.doc["id_number"], LIMIT)
    waited = MINUTES // 2
    world.clock.advance(minutes=waited)
    again = world.api_login("applicant1", WRONG)
    assert again.status_code == 423
    assert again.json()["retry_after"] == (MINUTES - waited) * 60
    world.clock.advance(minutes=MINUTES - waited - 1, seconds=59)
    assert world.api_login("applicant1", person.password).json()["retry_after"] == 1
    world.clock.advance(seconds=1)
    assert world.api_login("applicant1", person.password).status_code == 200


def test_the_lock_opens_by_itself_after_the_lock_time_with_a_fresh_count(world: World) -> None:
    person = world.applicant()
    _fail(world, "applicant1", LIMIT)
    world.clock.advance(minutes=MINUTES)
    assert world.api_login("applicant1", WRONG).status_code == 401  # one failure, not a new lock
    assert world.api_login("applicant1", person.password).status_code == 200


def test_a_success_resets_the_count_of_failures(world: World) -> None:
    person = world.applicant()
    _fail(world, "applicant1", LIMIT - 1)
    assert world.api_login("applicant1", person.password).status_code == 200
    assert _fail(world, "applicant1", LIMIT - 1) == [401] * (LIMIT - 1)


def test_login_name_and_id_number_share_one_count(world: World) -> None:
    person = world.applicant()
    _fail(world, "applicant1", LIMIT - 2)
    _fail(world, person.doc["id_number"], 1)
    assert world.api_login(person.doc["id_number"], WRONG).status_code == 423


def test_every_attempt_is_logged(world: World) -> None:
    person = world.applicant()  # logs in once
    _fail(world, "applicant1", LIMIT)
    world.api_login("applicant1", WRONG)
    world.api_login("nobody_here", WRONG)
    outcomes = [r["outcome"] for r in world.all("SELECT outcome FROM login_attempts ORDER BY id")]
    assert outcomes == ["ok", *["bad_password"] * LIMIT, "locked", "unknown"]
    row = world.one("SELECT * FROM login_attempts WHERE outcome = 'locked'")
    assert (row["account_id"], row["account_text"], row["ip"]) == (person.id, "applicant1", "testclient")


def test_a_wrong_captcha_refuses_without_counting_a_password_failure(world: World) -> None:
    world.applicant()
    captcha_id, answer = world.captcha()
    wrong = "".join("2" if c != "2" else "3" for c in answer)
    response = world.client.post(
        "/api/v1/login",
        json={"account": "applicant1", "password": WRONG, "captcha_id": captcha_id, "captcha_answer": wrong},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/captcha_answer"
    assert world.one("SELECT failed_logins FROM accounts WHERE login_name = 'applicant1'")["failed_logins"] == 0
    logged = world.one("SELECT * FROM login_attempts ORDER BY id DESC LIMIT 1")
    assert (logged["outcome"], logged["account_text"], logged["account_id"]) == ("bad_captcha", "applicant1", None)


def test_a_captcha_expires(world: World) -> None:
    person = world.applicant()
    captcha_id, answer = world.captcha()
    world.clock.advance(minutes=account_policy("captcha_minutes") + 1)
    response = world.client.post(
        "/api/v1/login",
        json={"account": "applicant1", "password": person.password, "captcha_id": captcha_id, "captcha_answer": answer},
    )
    assert response.status_code == 422


def test_a_double_click_on_the_api_counts_once(world: World) -> None:
    world.applicant()
    captcha_id, answer = world.captcha()
    body = {"account": "applicant1", "password": WRONG, "captcha_id": captcha_id, "captcha_answer": answer}
    first = world.client.post("/api/v1/login", json=body)
    second = world.client.post("/api/v1/login", json=body)
    assert (first.status_code, second.status_code) == (401, 422)
    assert world.one("SELECT failed_logins FROM accounts WHERE login_name = 'applicant1'")["failed_logins"] == 1


def test_a_double_submitted_login_form_counts_once(world: World) -> None:
    world.applicant()
    client = world.page_client()
    page = client.get("/login")
    form = {**login_fields(page.text), "account": "applicant1", "password": WRONG}
    first = client.post("/login", data=form)
    second = client.post("/login", data=form)
    assert first.status_code == 401 and message("wrong_password", left=LIMIT - 1) in first.text
    assert second.status_code == 422 and message("wrong_captcha") in second.text
    assert world.one("SELECT failed_logins FROM accounts WHERE login_name = 'applicant1'")["failed_logins"] == 1
    outcomes = [r["outcome"] for r in world.all("SELECT outcome FROM login_attempts ORDER BY id")]
    assert outcomes[-2:] == ["bad_password", "bad_captcha"]


def test_the_login_page_says_the_account_is_locked_and_for_how_long(world: World) -> None:
    world.applicant()
    _fail(world, "applicant1", LIMIT)
    client = world.page_client()
    page = client.get("/login")
    response = client.post("/login", data={**login_fields(page.text), "account": "applicant1", "password": WRONG})
    assert response.status_code == 423
    assert message("account_locked", minutes=MINUTES) in response.text
