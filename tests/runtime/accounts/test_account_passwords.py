"""Issue 13, finding 9: passwords are judged by strength (zxcvbn, policy `passwords` of
platform.yaml), never equal to a published one nor containing the person's own login name or ID
number. The audit's accepted passwords are the policy's invalid examples, read from build/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from applicant_helpers import Applicant, World, person_doc
from runtime_support import account_policy, build_json, password_examples

from runtime.demo.seed import DEMO_PASSWORD


def _doc(example: dict[str, str], n: int = 1) -> dict[str, Any]:
    overrides = {k: v for k, v in example.items() if k != "password"}
    return person_doc(n, password=example["password"], password_confirm=example["password"], **overrides)


@pytest.mark.parametrize("example", password_examples("invalid"), ids=lambda e: e["password"])
def test_a_password_the_policy_lists_as_invalid_is_refused_at_registration(
    world: World, example: dict[str, str]
) -> None:
    response = world.register(_doc(example))
    assert response.status_code == 422, example
    codes = {e["code"] for e in response.json()["errors"] if e["path"] == "/password"}
    assert codes and all(c.startswith("password_") for c in codes)
    assert world.one("SELECT COUNT(*) AS n FROM accounts")["n"] == 0


@pytest.mark.parametrize("example", password_examples("valid"), ids=lambda e: e["password"])
def test_a_password_the_policy_lists_as_valid_is_accepted(world: World, example: dict[str, str]) -> None:
    response = world.register(_doc(example))
    assert response.status_code == 201, response.text


def test_the_audits_passwords_are_among_the_invalid_examples() -> None:
    invalid = {e["password"] for e in password_examples("invalid")}
    assert {"qwertyui", "a1234567", "zzzzzzzz", "00000001"} <= invalid


def test_the_published_demo_password_is_refused(world: World) -> None:
    assert DEMO_PASSWORD in build_json("platform.json")["passwords"]["published"]
    response = world.register(person_doc(1, password=DEMO_PASSWORD, password_confirm=DEMO_PASSWORD))
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["password_published"]


def test_a_password_containing_the_login_name_in_any_case_is_refused(world: World) -> None:
    doc = person_doc(1, login_name="lihua2026")
    password = "LiHua2026#Xq"
    response = world.register({**doc, "password": password, "password_confirm": password})
    assert [e["code"] for e in response.json()["errors"]] == ["password_contains_login_name"]


def test_a_password_containing_the_own_id_number_is_refused(world: World) -> None:
    doc = person_doc(1)
    password = "Id" + doc["id_number"] + "!"
    response = world.register({**doc, "password": password, "password_confirm": password})
    assert [e["code"] for e in response.json()["errors"]] == ["password_contains_id_number"]


def test_a_unit_registration_refuses_a_weak_password(world: World) -> None:
    for n, example in enumerate(e for e in password_examples("invalid") if "id_number" not in e):
        password = example["password"]
        doc = {
            "login_name": example.get("login_name", f"weakunit{n}"),
            "unit_name": f"威海市弱密码{n}公司",
            "uscc": "91110000600037341L",
            "region": "371000",
            "contact": "王经办",
            "mobile": f"1390631{n:04d}",
            "password": password,
            "password_confirm": password,
        }
        response = world.client.post("/api/v1/units", json=doc)
        assert response.status_code == 422, password
        assert any(e["path"] == "/password" for e in response.json()["errors"])


def test_a_recovery_refuses_a_new_password_with_the_login_name(world: World, applicant: Applicant) -> None:
    world.client.post("/api/v1/password-reset", json={"account": "applicant1", "mobile": applicant.doc["mobile"]})
    text = world.client.get("/api/v1/dev/outbox").json()["messages"][0]["text"]
    code = next(w for w in re.findall(r"\d+", text) if len(w) == account_policy("sms_code_length"))
    response = world.client.post(
        "/api/v1/password-reset/confirm",
        json={"account": "applicant1", "code": code, "new_password": "Applicant1#Wq"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "password_contains_login_name"
