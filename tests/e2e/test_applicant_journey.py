"""A new applicant registers, logs in, agrees, fills every section, fixes an inline error, submits.

What the applicant types is the test persona completed against build/ (runtime_support's
`valid_declaration`), and every choice offered at registration comes from build/ too: the journey
names no series, level, title, code-list value or limit of its own, so a YAML-only policy change
(a renamed title, a new specialty label, a higher yearly minimum) keeps it green."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from runtime_support import build_json, field_message, valid_declaration

from runtime.clock import iso
from runtime.storage import dumps

# where failing steps' screenshots go too (tests/e2e/conftest.py)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNIT = "威海市示范档案服务中心"
REGISTRATION = build_json("forms/person_registration.json")


def registration_choices(id_number: str) -> dict[str, str]:
    """The sex the ID number's sequence gives under build/'s REG-2 rule, and the first ethnic group."""
    agrees = next(r for r in REGISTRATION["rules"] if r["params"].get("sex_field") == "sex")
    sexes = agrees["params"]["sexes"]
    ethnicity = next(f for f in REGISTRATION["fields"] if f["id"] == "ethnicity")
    return {"sex": sexes["odd" if int(id_number[16]) % 2 else "even"], "ethnicity": ethnicity["options"][0]}


def state_after(transition: str) -> str:
    """The state title (workflow.yaml) a declaration shows after a transition, e.g. after submit."""
    workflow = build_json("workflow.json")["declaration"]
    step = next(t for t in workflow["transitions"] if t["id"] == transition)
    return str(workflow["states"][step["to"]]["title"])


def add_permitted_unit(server: Any) -> None:
    svc = server.services
    with svc.storage.transaction():
        svc.storage.insert(
            "organisations",
            {
                "id": "u_" + uuid.uuid4().hex[:8],
                "name": UNIT,
                "kinds": dumps(["employer"]),
                "region": "weihai",
                "authority": 0,
                "permitted": 1,
                "created_at": iso(svc.clock.now()),
            },
        )


def save(page: Any) -> None:
    page.click("#save")
    page.wait_for_load_state()


def enter(page: Any, selector: str, value: Any) -> None:
    """Choose the value in a select, type it anywhere else."""
    if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
        page.select_option(selector, str(value))
    else:
        page.fill(selector, str(value))


def fill_rows(page: Any, index: int, values: dict[str, Any]) -> None:
    """Type a row's values in their order (a category before the columns it shows); what the
    page computes itself (聘任年限) is readonly there and left to it."""
    for name, value in values.items():
        selector = f"#rows-{index}-{name}"
        if page.query_selector(f"{selector}:not([readonly]):not([disabled])") is not None:
            enter(page, selector, value)


def complete_required(page: Any, section_id: str) -> None:
    """Fill any required field of the open section that is still empty with a value build/
    accepts: a field policy staff added after this journey was written is typed too, so a
    YAML-only change keeps the journey going (only plain fields; rows are typed above)."""
    for field_id, value in valid_declaration("").get(section_id, {}).items():
        if isinstance(value, dict | list) or not re.fullmatch(r"[A-Za-z_][\w-]*", field_id):
            continue
        selector = f"#{field_id}"
        found = page.query_selector(f'{selector}[aria-required="true"]:not([readonly]):not([disabled])')
        if found is None or page.input_value(selector):
            continue
        enter(page, selector, value)


def register_and_agree(page: Any, base: str, *, login: str, id_number: str, name: str, password: str) -> None:
    """Registration with its confirmation step, login with the dev captcha, the commitment letter."""
    # registration with its confirmation step (REG-1..3)
    page.goto(f"{base}/register")
    page.fill("#login_name", login)
    page.fill("#id_number", id_number)
    page.fill("#name", name)
    for field_id, value in registration_choices(id_number).items():
        page.select_option(f"#{field_id}", value)
    page.fill("#birth_date", f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}")
    page.fill("#mobile", "13800138000")
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#confirm-registration")
    assert name in page.content()
    page.click("#confirm-registration")

    # login by ID number with the dev captcha (REG-4, REG-5)
    page.wait_for_selector("#captcha-dev-answer")
    page.fill("#account", id_number)
    page.fill("#password", password)
    page.fill("#captcha_answer", page.get_attribute("#captcha-dev-answer", "data-answer") or "")
    page.click("button[type=submit]")

    # commitment letter gate (DEC-1)
    page.wait_for_selector("#accept")
    page.check("#agree")
    page.click("#accept")


def new_declaration(page: Any) -> str:
    """新增申报信息 (DEC-2): the new declaration's id."""
    # a new declaration (DEC-2)
    page.wait_for_selector("#new-declaration")
    page.click("#new-declaration")
    page.wait_for_selector("#sections")
    match = re.search(r"/declarations/([0-9a-f]+)$", page.url)
    assert match
    declaration_id = match.group(1)

    return declaration_id


def fill_every_section(page: Any, base: str, declaration_id: str, unit: str, tmp_path: Path) -> None:
    """Every section with rows and an upload; a wrong rank first shows its inline error (DEC-3).
    The values are the persona's, completed against build/ (valid_declaration); only the declaring
    unit is this journey's own: the permitted unit it typed, also as assessor and employer."""

    current = [""]
    valid = valid_declaration("")

    def section(name: str) -> None:
        current[0] = name
        page.goto(f"{base}/declarations/{declaration_id}/sections/{name}")

    def finish(page: Any) -> None:
        complete_required(page, current[0])
        save(page)

    def rows_one_by_one(rows: list[dict[str, Any]]) -> None:
        for index, row in enumerate(rows):
            fill_rows(page, index, row)
            finish(page)

    # header, with a wrong rank first: the error shows inline, in Chinese (DEC-3)
    section("header")
    header = valid["header"]
    page.fill("#rank", "6/5")
    # in the order the page needs: a title's choices follow level and series, a specialty's the series
    for field_id in ("level", "series", "title", "specialty", "mode"):
        page.select_option(f"#{field_id}", str(header[field_id]))
    page.fill("#unit", unit)
    for field_id in ("is_work_unit", "work_start", "professional_years"):
        enter(page, f"#{field_id}", header[field_id])
    finish(page)
    error = page.text_content("#rank-error") or ""
    assert field_message("declaration/header", "/rank", "format") in error
    page.fill("#rank", str(header["rank"]))
    finish(page)
    assert page.query_selector("#rank-error") is None
    assert page.input_value("#unit") == unit

    section("education")
    for block in ("full_time", "basis"):
        for field_id, value in valid["education"][block].items():
            enter(page, f"#{block}-{field_id}", value)
        if "degree" not in valid["education"][block]:  # optional, and the persona names none
            page.select_option(f"#{block}-degree", index=1)  # the first degree build/ offers
    finish(page)
    upload = tmp_path / "学历验证.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("#upload-verification input[type=file]", str(upload))
    page.click("#upload-verification button[type=submit]")
    page.wait_for_selector("#upload-verification .files li")
    assert "学历验证.pdf" in (page.text_content("#upload-verification .files") or "")

    section("current_title")
    rows_one_by_one(valid["current_title"]["rows"])

    section("admin_post")
    page.fill("#post", valid["admin_post"]["post"])
    finish(page)

    section("assessments")
    assessments = [{**row, "assessor": unit} for row in valid["assessments"]["rows"]]
    rows_one_by_one(assessments)
    assert page.input_value(f"#rows-{len(assessments) - 1}-year") == assessments[-1]["year"]

    section("language_computer")
    for field_id, value in valid["language_computer"].items():
        enter(page, f"#{field_id}", value)
    finish(page)

    section("continuing_education")
    rows_one_by_one(valid["continuing_education"]["rows"])

    section("work_experience")
    # the persona's own employer replaced by the unit: 单位/部门/岗位
    rows_one_by_one(
        [
            {**row, "unit_dept_post": "/".join([unit, *str(row["unit_dept_post"]).split("/")[1:]])}
            for row in valid["work_experience"]["rows"]
        ]
    )

    section("performance")
    page.fill("#achievements_text", valid["performance"]["achievements_text"])
    finish(page)

    section("societies")
    page.fill("#societies_text", valid["societies"]["societies_text"])
    finish(page)


@pytest.mark.both_backends
def test_an_applicant_registers_fills_every_section_and_submits(live_server: Any, page: Any, tmp_path: Path) -> None:
    add_permitted_unit(live_server)
    base = live_server.url
    register_and_agree(
        page, base, login="wangwu2026", id_number="371002199001011237", name="王五", password="Haiyang!2026"
    )
    declaration_id = new_declaration(page)
    declaration_url = f"{base}/declarations/{declaration_id}"
    fill_every_section(page, base, declaration_id, UNIT, tmp_path)
    # every section complete: submit (DEC-18) and see the state (DEC-19)
    page.goto(declaration_url)
    assert page.query_selector("#sections .bad") is None, page.text_content("#sections")
    page.click("#submit-declaration")
    page.wait_for_selector("#confirm-receiver")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deadline-confirm-1280.png"), full_page=True)
    assert UNIT in (page.text_content("#confirm-receiver") or "")
    page.click("#confirm-submit-button")  # the confirmation page: what is sent, to whom (issue 16)
    page.wait_for_selector("#declaration-state")
    assert page.text_content("#declaration-state") == state_after("submit")
    page.goto(f"{base}/declarations")
    assert state_after("submit") in (page.text_content("#my-declarations") or "")
    assert UNIT in (page.text_content("#my-declarations") or "")
