"""REG-1..4, REG-7, REG-8 over the JSON API and the pages: registration, confirmation, frozen
name and ID number, login by login name or ID number, basic info."""

from __future__ import annotations

import re
from typing import Any

import pytest
from applicant_helpers import PASSWORD, World, person_doc
from runtime_support import (
    account_policy,
    build_json,
    csrf_of,
    id_number,
    message,
    password_examples,
    template_pattern,
)


def test_a_complete_registration_creates_an_applicant_who_can_log_in(world: World) -> None:
    doc = person_doc(1)
    created = world.register(doc)
    assert created.status_code == 201
    row = world.one("SELECT * FROM accounts WHERE id = ?", (created.json()["id"],))
    assert (row["kind"], row["role"], row["name"], row["id_number"]) == ("person", "applicant", "张1", doc["id_number"])
    assert PASSWORD not in row["password_hash"] and row["password_hash"].startswith("$argon2id$")
    assert world.api_login(doc["login_name"]).status_code == 200


@pytest.mark.parametrize(
    "field", ["login_name", "id_number", "name", "sex", "ethnicity", "birth_date", "mobile", "password"]
)
def test_every_required_registration_field_is_required(world: World, field: str) -> None:
    doc = person_doc(1)
    doc[field] = ""
    response = world.register(doc)
    assert response.status_code == 422
    paths = {e["path"]: e for e in response.json()["errors"]}
    assert f"/{field}" in paths
    assert re.search(r"[\u4e00-\u9fff]", paths[f"/{field}"]["message"])
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 0


def _outbox(world: World) -> list[dict[str, Any]]:
    return world.all("SELECT * FROM outbox ORDER BY id")


def test_a_taken_id_number_answers_like_a_new_one_and_tells_its_owner_by_sms(world: World) -> None:
    """REG-2 and issue 13: one account per ID number, and the answer does not tell a stranger
    that the number is registered; its owner gets a text message."""
    first = person_doc(1)
    assert world.register(first).status_code == 201
    again = person_doc(2, id_number=first["id_number"])
    response = world.register(again)
    fresh = world.register(person_doc(3))
    assert response.status_code == fresh.status_code == 201
    assert set(response.json()) == set(fresh.json())
    assert world.one("SELECT COUNT(*) AS n FROM accounts WHERE id_number = ?", (first["id_number"],))["n"] == 1
    assert world.one("SELECT 1 AS x FROM accounts WHERE id = ?", (response.json()["id"],)) is None
    expected = world.client.app.state.services.bundle.text("sms_registration_attempt")  # type: ignore[attr-defined]
    assert [(m["mobile"], m["text"]) for m in _outbox(world)] == [(first["mobile"], expected)]


def test_a_lower_case_x_id_number_counts_as_the_same_person(world: World) -> None:
    number = id_number(birth="19491231", sequence=2, region="110105")
    assert number.endswith("X")
    assert world.register(person_doc(1, id_number=number, birth_date="1949-12-31", sex="女")).status_code == 201
    response = world.register(person_doc(2, id_number=number.lower(), birth_date="1949-12-31", sex="女"))
    assert response.status_code == 201
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 1
    assert len(_outbox(world)) == 1


def test_repeated_registrations_with_one_id_number_do_not_flood_its_owner(world: World) -> None:
    first = person_doc(1)
    world.register(first)
    limit = world.client.app.state.services.policy("sms_per_hour")  # type: ignore[attr-defined]
    for n in range(limit + 3):
        world.register(person_doc(10 + n, id_number=first["id_number"]))
    assert len(_outbox(world)) == limit


def test_a_duplicate_login_name_is_refused(world: World) -> None:
    assert world.register(person_doc(1)).status_code == 201
    response = world.register(person_doc(2, login_name="applicant1"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["/login_name"]


def test_an_id_number_with_a_wrong_check_digit_is_refused(world: World) -> None:
    good = id_number()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = world.register(person_doc(1, id_number=wrong))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["path"], error["rule"]) == ("/id_number", "REG-2")
    assert "校验码" in error["message"]


@pytest.mark.parametrize(
    ("change", "path"),
    [({"birth_date": "1990-01-02"}, "/birth_date"), ({"sex": "女"}, "/sex")],
)
def test_birth_date_or_sex_disagreeing_with_the_id_number_is_refused(
    world: World, change: dict[str, str], path: str
) -> None:
    response = world.register(person_doc(1, **change))
    assert response.status_code == 422
    assert path in {e["path"] for e in response.json()["errors"]}
    assert all(e["rule"] == "REG-2" for e in response.json()["errors"])


def test_a_woman_registers_with_an_even_sequence_number(world: World) -> None:
    doc = person_doc(1, id_number=id_number(sequence=124), sex="女")
    assert world.register(doc).status_code == 201


def test_a_password_shorter_than_the_minimum_is_refused_once(world: World) -> None:
    shortest = account_policy("password_min_length")
    for password in ("Ab1#" * 8)[: shortest - 1], ("Ab1#" * 8)[: shortest // 2]:
        response = world.register(person_doc(1, password=password, password_confirm=password))
        assert response.status_code == 422
        errors = [e for e in response.json()["errors"] if e["path"] == "/password"]
        assert len(errors) == 1 and str(shortest) in errors[0]["message"]


def _strong(length: int) -> str:
    """A password of `length` made of the policy's first valid example (strong at any length
    from the example's own, by the policy's own examples check)."""
    example = password_examples("valid")[0]["password"]
    return (example * (length // len(example) + 1))[:length]


def test_long_passwords_are_accepted_up_to_the_maximum(world: World) -> None:
    example = password_examples("valid")[0]["password"]
    for n, length in enumerate(sorted({len(example), 64, 100, account_policy("password_max_length")}), start=1):
        password = _strong(length)
        doc = person_doc(n, password=password, password_confirm=password)
        assert world.register(doc).status_code == 201, length
        assert world.api_login(doc["login_name"], password).status_code == 200


def test_a_password_over_the_maximum_is_refused(world: World) -> None:
    password = _strong(account_policy("password_max_length") + 1)
    response = world.register(person_doc(1, password=password, password_confirm=password))
    assert response.status_code == 422
    assert {e["path"] for e in response.json()["errors"]} == {"/password"}


@pytest.mark.parametrize("password", ["password123", "12345678", "qwertyuiop", "PASSWORD123"])
def test_a_common_password_is_refused_as_weak(world: World, password: str) -> None:
    response = world.register(person_doc(1, password=password, password_confirm=password))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "password_weak"


def test_a_confirmation_that_differs_is_refused(world: World) -> None:
    response = world.register(person_doc(1, password_confirm="Weihai#2026y"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["/password_confirm"]


def test_a_mobile_outside_shandong_is_only_a_hint(world: World) -> None:
    assert world.register(person_doc(1, mobile="13910001000")).status_code == 201


def test_a_malformed_mobile_is_refused(world: World) -> None:
    response = world.register(person_doc(1, mobile="0631-5190962"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["/mobile"]


# -- REG-4 ----------------------------------------------------------------------------------


def test_the_login_name_logs_in(world: World) -> None:
    world.register(person_doc(1))
    response = world.api_login("applicant1")
    assert response.status_code == 200
    assert response.json()["role"] == "applicant" and response.json()["commitment_required"] is True


@pytest.mark.parametrize("transform", [str, str.lower])
def test_the_id_number_logs_in_too(world: World, transform: object) -> None:
    number = id_number(birth="19491231", sequence=2, region="110105")
    world.register(person_doc(1, id_number=number, birth_date="1949-12-31", sex="女"))
    assert world.api_login(transform(number)).status_code == 200  # type: ignore[operator]


def test_a_wrong_password_does_not_log_in(world: World) -> None:
    world.register(person_doc(1))
    response = world.api_login("applicant1", "Weihai#2026y")
    assert response.status_code == 401
    assert "还可尝试4次" in response.json()["errors"][0]["message"]


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(world: World) -> None:
    response = world.api_login("nobody_here", "Weihai#2026y")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "bad_credentials"


# -- REG-3: confirmation step, then name and ID number frozen ---------------------------------


def test_the_registration_page_shows_a_confirmation_step_before_creating_the_account(world: World) -> None:
    client = world.page_client()
    page = client.get("/register")
    assert "确认之后个人姓名身份证号无法修改" in page.text
    assert page.text.count('<span class="req">*</span>') >= 8
    doc = person_doc(3)
    shown = client.post("/register", data={**doc, "csrf_token": csrf_of(page.text)})
    assert shown.status_code == 200
    assert message("register_confirm") in shown.text
    assert doc["id_number"] in shown.text and doc["name"] in shown.text
    assert PASSWORD not in shown.text
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 0
    pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
    assert pending
    done = client.post("/register/confirm", data={"pending": pending.group(1), "csrf_token": csrf_of(shown.text)})
    assert done.status_code == 200 and "注册成功" in done.text
    assert world.one("SELECT name FROM accounts WHERE login_name = 'applicant3'")["name"] == "张3"
    again = client.post("/register/confirm", data={"pending": pending.group(1), "csrf_token": csrf_of(done.text)})
    assert again.status_code == 409
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 1


def test_a_pending_registration_expires(world: World) -> None:
    client = world.page_client()
    page = client.get("/register")
    shown = client.post("/register", data={**person_doc(3), "csrf_token": csrf_of(page.text)})
    pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
    assert pending
    world.clock.advance(minutes=31)
    done = client.post("/register/confirm", data={"pending": pending.group(1), "csrf_token": csrf_of(shown.text)})
    assert done.status_code == 409 and "注册信息已过期" in done.text
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 0


def test_the_registration_page_shows_errors_next_to_the_fields_and_keeps_what_was_typed(world: World) -> None:
    client = world.page_client()
    page = client.get("/register")
    doc = person_doc(3, birth_date="1990-01-02", mobile="12")
    shown = client.post("/register", data={**doc, "csrf_token": csrf_of(page.text)})
    assert shown.status_code == 422
    [agrees] = [r for r in build_json("forms/person_registration.json")["rules"] if r["kind"] == "id-card-agrees"]
    assert 'id="birth_date-error"' in shown.text and agrees["message"] in shown.text
    assert 'id="mobile-error"' in shown.text and message("mobile-cn") in shown.text
    assert 'value="applicant3"' in shown.text
    assert PASSWORD not in shown.text


@pytest.mark.parametrize(("field", "value"), [("name", "李四"), ("id_number", "110105194912310029")])
def test_the_applicant_cannot_change_name_or_id_number(world: World, field: str, value: str) -> None:
    person = world.applicant()
    before = world.one("SELECT * FROM accounts WHERE id = ?", (person.id,))
    response = person.patch("/api/v1/me", json={field: value})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["path"], error["code"]) == (f"/{field}", "frozen_field")
    assert re.fullmatch(template_pattern(message("frozen_field")), error["message"])
    assert world.one("SELECT * FROM accounts WHERE id = ?", (person.id,)) == before


def test_the_login_name_and_password_cannot_be_patched_as_basic_info(world: World) -> None:
    person = world.applicant()
    response = person.patch("/api/v1/me", json={"login_name": "other", "password": "Weihai#2026z"})
    assert response.status_code == 422
    assert {e["path"] for e in response.json()["errors"]} == {"/login_name", "/password"}


def test_basic_info_stays_editable(world: World) -> None:
    person = world.applicant()
    response = person.patch("/api/v1/me", json={"ethnicity": "回族", "mobile": "15906311234"})
    assert response.status_code == 200
    body = person.get("/api/v1/me").json()
    assert (body["ethnicity"], body["mobile"], body["name"]) == ("回族", "15906311234", person.doc["name"])
    assert "password_hash" not in body and "password" not in body
    audit = world.one("SELECT * FROM audit WHERE action = 'basic_info'")
    assert audit["target"] == person.id


def test_basic_info_is_still_checked_against_the_id_number(world: World) -> None:
    person = world.applicant()
    response = person.patch("/api/v1/me", json={"birth_date": "1991-01-01"})
    assert response.status_code == 422
    response = person.patch("/api/v1/me", json={"ethnicity": "不存在的民族"})
    assert response.status_code == 422
    assert world.one("SELECT data FROM accounts WHERE id = ?", (person.id,))["data"].count("汉族") == 1


def test_the_basic_info_page_shows_name_and_id_number_read_only(world: World) -> None:
    person = world.applicant()
    client = world.page_client()
    world.page_login(client, person.doc["login_name"])
    page = client.get("/me")
    assert page.status_code == 200
    for field in ("name", "id_number", "login_name"):
        tag = re.search(rf'<input id="{field}"[^>]*>', page.text, re.S)
        assert tag and " readonly" in tag.group(0), field
    tag = re.search(r'<input id="mobile"[^>]*>', page.text, re.S)
    assert tag and "readonly" not in tag.group(0)
    # a forged form cannot change them either
    saved = client.post(
        "/me",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "李四",
            "id_number": "110105194912310029",
            "sex": "男",
            "ethnicity": "回族",
            "birth_date": "1990-01-01",
            "mobile": "15906311234",
        },
    )
    assert saved.status_code == 200 and message("saved") in saved.text
    row = world.one("SELECT name, id_number, mobile FROM accounts WHERE id = ?", (person.id,))
    assert (row["name"], row["id_number"], row["mobile"]) == (
        person.doc["name"],
        person.doc["id_number"],
        "15906311234",
    )


def test_the_basic_info_page_shows_errors_in_chinese(world: World) -> None:
    person = world.applicant()
    client = world.page_client()
    world.page_login(client, person.doc["login_name"])
    page = client.get("/me")
    saved = client.post(
        "/me",
        data={
            "csrf_token": csrf_of(page.text),
            "sex": "女",
            "ethnicity": "汉族",
            "birth_date": "1990-01-01",
            "mobile": "1380",
        },
    )
    assert saved.status_code == 422
    assert message("mobile-cn") in saved.text


def test_two_pending_registrations_of_one_id_number_cannot_both_be_confirmed(world: World) -> None:
    first, second = world.page_client(), world.page_client()
    held = []
    for client, number in ((first, 3), (second, 4)):
        page = client.get("/register")
        shown = client.post(
            "/register", data={**person_doc(number, id_number=id_number()), "csrf_token": csrf_of(page.text)}
        )
        pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
        assert pending
        held.append((client, pending.group(1), csrf_of(shown.text)))
    results = [c.post("/register/confirm", data={"pending": p, "csrf_token": t}) for c, p, t in held]
    assert results[0].status_code == results[1].status_code == 200
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 1
