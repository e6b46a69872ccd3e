"""DEC-1..17 over the JSON API: the commitment gate, a new declaration per notice, and every
section saving a valid document and refusing an invalid one with every error in Chinese."""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from applicant_helpers import Applicant, World, valid_sections
from runtime_support import ROOT, build_json, csrf_of, message, schema_node, template_pattern

# the achievements limit and its message, as policy staff set them (one value, one place)
ACHIEVEMENTS = json.loads((ROOT / "build" / "forms" / "declaration" / "achievements.json").read_text("utf-8"))

# -- DEC-1 ----------------------------------------------------------------------------------


def test_no_declaration_before_agreeing_to_the_commitment_letter(world: World) -> None:
    person = world.applicant(agree=False)
    response = person.post("/api/v1/declarations")
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == message("commitment_required")
    assert world.one("SELECT COUNT(*) AS n FROM declarations")["n"] == 0


def test_agreeing_records_the_time_and_the_letter_version(world: World) -> None:
    person = world.applicant(agree=False)
    world.clock.advance(minutes=3)
    response = person.post("/api/v1/me/commitment")
    assert response.status_code == 200 and response.json()["version"] == "2026.1"
    row = world.one("SELECT commitment_version, commitment_at FROM accounts WHERE id = ?", (person.id,))
    assert row == {"commitment_version": "2026.1", "commitment_at": "2026-11-10T10:03:00+08:00"}
    assert person.post("/api/v1/declarations").status_code == 201


def test_the_pages_send_the_applicant_to_the_letter_until_agreed(world: World) -> None:
    person = world.applicant(agree=False)
    client = world.page_client()
    world.page_login(client, person.doc["login_name"])
    for path in ("/", "/declarations"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/commitment")
    letter = client.get("/commitment")
    assert message("commitment_title") in letter.text
    refused = client.post("/commitment", data={"csrf_token": csrf_of(letter.text)})
    assert refused.status_code == 422 and html.escape(message("commitment_must_agree"), quote=False) in refused.text
    assert world.one("SELECT commitment_at FROM accounts WHERE id = ?", (person.id,))["commitment_at"] is None
    agreed = client.post(
        "/commitment", data={"csrf_token": csrf_of(letter.text), "agree": "yes"}, follow_redirects=False
    )
    assert (agreed.status_code, agreed.headers["location"]) == (303, "/declarations")
    assert client.get("/declarations").status_code == 200


# -- DEC-2 ----------------------------------------------------------------------------------


def test_a_new_declaration_records_the_notice_year_and_the_policy_version(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    row = world.one("SELECT * FROM declarations WHERE id = ?", (declaration_id,))
    manifest = json.loads((ROOT / "build" / "manifest.json").read_text("utf-8"))
    assert (row["notice_id"], row["year"], row["state"]) == ("notice_2026", 2026, "draft")
    assert row["schema_hash"] == manifest["schema_hash"]
    assert row["person_id"] == applicant.id and row["holder_org_id"] is None
    sections = {
        r["section_id"]
        for r in world.all("SELECT section_id FROM sections WHERE declaration_id = ?", (declaration_id,))
    }
    assert sections == set(valid_sections("x"))
    assert applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"]["header"]["year"] == 2026


def test_one_declaration_per_notice(world: World, applicant: Applicant) -> None:
    applicant.new_declaration()
    response = applicant.post("/api/v1/declarations")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "duplicate_declaration"


def test_no_declaration_without_an_open_notice(world: World, applicant: Applicant) -> None:
    world.clock.freeze(datetime(2026, 10, 31, 15, 0, tzinfo=UTC))  # 2026-10-31 23:00 in Weihai
    token = world.api_login("applicant1").json()["token"]
    response = world.client.post("/api/v1/declarations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "no_notice"
    assert world.client.get("/api/v1/notices").json()["notices"] == []


def test_a_declaration_for_an_unknown_notice_is_refused(world: World, applicant: Applicant) -> None:
    response = applicant.post("/api/v1/declarations", json={"notice_id": "notice_1999"})
    assert response.status_code == 409


def test_a_section_can_be_kept_as_a_draft_with_errors(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    response = applicant.put(f"/api/v1/declarations/{declaration_id}/sections/header?draft=true", json={"rank": "6/5"})
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True and "/rank" in {e["path"] for e in body["errors"]}
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()
    assert stored["sections"]["header"]["rank"] == "6/5"
    assert stored["section_errors"]["header"] == len(body["errors"])


def test_an_unknown_section_is_404(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    assert applicant.save(declaration_id, "nonsense", {}).status_code == 404


# -- every section: valid documents save, invalid ones are refused with Chinese messages ------

SECTIONS = list(valid_sections("x"))


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_saves_a_valid_document(world: World, applicant: Applicant, unit_id: str, section: str) -> None:
    declaration_id = applicant.new_declaration()
    doc = valid_sections(unit_id)[section]
    response = applicant.save(declaration_id, section, doc)
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == []
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()
    for key, value in doc.items():
        got = stored["sections"][section][key]
        if key == "rows":  # each row comes back with the id the server gave it (issue 13)
            assert all(re.fullmatch(r"[0-9a-f]{32}", row.pop("row_id")) for row in got)
        assert got == value
    assert stored["section_errors"][section] == 0


def _form(section: str) -> dict[str, Any]:
    """A declaration section as build/ compiled it."""
    found: dict[str, Any] = build_json(f"forms/declaration/{section}.json")
    return found


def _most(section: str, path: str) -> int:
    """The most characters a field takes: its maxLength, else platform.yaml's limit for any text."""
    field = next(f for f in _form(section)["fields"] if f["id"] == path.strip("/"))
    return int(field.get("maxLength") or build_json("platform.json")["limits"]["text_max_chars"])


def policy_messages(section: str, path: str, code: str) -> list[str]:
    """The messages build/ has for an error (the tests never copy one): a field's own text for a
    JSON Schema keyword, the texts of the section's rules of that kind for a rule; a text over
    its length is refused by the save's bounds with their own message."""
    if code.startswith("rule:"):
        kind = code.removeprefix("rule:")
        rules = [r for r in _form(section)["rules"] if r["kind"] == kind]
        return [text for r in rules for text in [r["message"], *(r.get("messages") or {}).values()]]
    if code == "additionalProperties":
        return [message("unknown_field")]
    own = [
        text
        for keyword, text in schema_node(f"declaration/{section}", path).get("x-messages", {}).items()
        if keyword == code
    ]
    return [*own, build_json("messages.json")["api"]["field_too_long"]] if code == "maxLength" else own


def _rows(section: str, *changes: dict[str, Any]) -> dict[str, Any]:
    base = valid_sections("x")[section]["rows"][0]
    return {"rows": [{**base, **change} for change in changes]}


# (section, document change, the error path, the error's code: a JSON Schema keyword or rule:<kind>)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("header", {"rank": "6/5"}, "/rank", "format"),
    ("header", {"rank": "0/3"}, "/rank", "format"),
    ("header", {"rank": "3-5"}, "/rank", "format"),
    ("header", {"level": "特级"}, "/level", "enum"),
    ("header", {"title": "研究馆员"}, "/title", "rule:cascade"),
    ("header", {"specialty": "财税管理"}, "/specialty", "rule:cascade"),
    ("header", {"mode": "破格"}, "/exception", "rule:required-if"),
    ("header", {"is_work_unit": "否"}, "/work_unit", "rule:required-if"),
    ("header", {"work_start": "2012-07"}, "/work_start", "format"),
    ("header", {"work_start": "2020.07", "professional_years": 12}, "/professional_years", "rule:whole-years"),
    ("header", {"professional_years": -1}, "/professional_years", "minimum"),
    ("header", {"professional_years": "十二"}, "/professional_years", "type"),
    ("header", {"rank": None}, "/rank", "required"),
    (
        "education",
        {"basis": {"school": "山东大学"}},
        "/basis/major",
        "required",
    ),
    ("education", {"full_time": {"graduated": "2012.6"}}, "/full_time/graduated", "format"),
    (
        "education",
        {
            "basis": {
                "school": "山东大学",
                "major": "档案学",
                "education": "大学本科",
                "graduated": "2012.06",
                "degree": "超级学位",
            }
        },
        "/basis/degree",
        "enum",
    ),
    (
        "current_title",
        _rows("current_title", {"qualified_on": None}),
        "/rows/0/qualified_on",
        "rule:required-if",
    ),
    (
        "current_title",
        {"rows": [{"title": "无", "qualification": "一级建造师"}]},
        "/rows/0/qualification_on",
        "rule:required-if",
    ),
    ("current_title", {"rows": []}, "/rows", "minItems"),
    ("current_title", _rows("current_title", *[{}] * (_form("current_title")["rows"]["max"] + 1)), "/rows", "maxItems"),
    ("admin_post", {"post": "副馆长"}, "/since", "rule:required-if"),
    ("admin_post", {"post": "副馆长", "since": "2019.3"}, "/since", "format"),
    ("assessments", _rows("assessments", {"grade": "很好"}), "/rows/0/grade", "enum"),
    ("assessments", _rows("assessments", {"year": "2024"}, {"year": "2024"}), "/rows/1/year", "rule:unique"),
    ("assessments", _rows("assessments", {"year": "2025"}, {"year": "2024"}), "/rows/1/year", "rule:ordered"),
    ("assessments", _rows("assessments", {"year": "24"}), "/rows/0/year", "format"),
    ("language_computer", {"computer": None}, "/computer", "required"),
    (
        "continuing_education",
        _rows("continuing_education", {"start": "2025.12", "end": "2025.01"}),
        "/rows/0/end",
        "rule:not-before",
    ),
    ("continuing_education", _rows("continuing_education", {"hours": "90"}), "/rows/0/hours", "pattern"),
    ("continuing_education", {"rows": []}, "/rows", "minItems"),
    (
        "work_experience",
        {
            "rows": [
                {"start": "2012.07", "end": "2015.06", "unit_dept_post": "甲/乙/丙"},
                {"start": "2016.03", "end": "至今", "unit_dept_post": "甲/乙/丙"},
            ]
        },
        "/rows/1/start",
        "rule:contiguous",  # DEC-13: the gap's message names the first month missing
    ),
    (
        "work_experience",
        {
            "rows": [
                {"start": "2012.07", "end": "2015.06", "unit_dept_post": "甲/乙/丙"},
                {"start": "2014.01", "end": "至今", "unit_dept_post": "甲/乙/丙"},
            ]
        },
        "/rows/1/start",
        "rule:contiguous",  # DEC-13: the overlap's message names the end it overlaps
    ),
    (
        "work_experience",
        {
            "rows": [
                {"start": "2012.07", "end": "至今", "unit_dept_post": "甲/乙/丙"},
                {"start": "2015.07", "end": "至今", "unit_dept_post": "甲/乙/丙"},
            ]
        },
        "/rows/0/end",
        "rule:contiguous",  # DEC-13: the open_not_last message
    ),
    (
        "work_experience",
        {"rows": [{"start": "2015.07", "end": "2012.06", "unit_dept_post": "甲/乙/丙"}]},
        "/rows/0/end",
        "rule:not-before",
    ),
    (
        "work_experience",
        {"rows": [{"start": "2012.07", "end": "至今", "unit_dept_post": "甲-乙-丙"}]},
        "/rows/0/unit_dept_post",
        "pattern",
    ),
    ("work_experience", {"rows": []}, "/rows", "minItems"),
    (
        "achievements",
        {
            "rows": [
                {
                    "category": "获奖",
                    "name": f"奖项{i}",
                    "time": f"20{10 + i}.01",
                    "rank": "1/1",
                    "authority": "威海市人民政府",
                }
                for i in range(ACHIEVEMENTS["rows"]["max"] + 1)
            ]
        },
        "/rows",
        "maxItems",
    ),
    (
        "achievements",
        _rows("achievements", {"name": "数字档案馆建设中的元数据管理"}),
        "/rows/0/name",
        "rule:match",
    ),
    ("achievements", _rows("achievements", {"name": "论文《数字档案》"}), "/rows/0/name", "rule:match"),
    (
        "achievements",
        _rows("achievements", {"name": "论文:《甲》", "time": "2023.11"}, {"name": "论文:《乙》", "time": "2021.05"}),
        "/rows/1/time",
        "rule:ordered",
    ),
    ("achievements", _rows("achievements", {}, {}), "/rows/1/name", "rule:unique"),
    (
        "achievements",
        _rows("achievements", {"category": "专利", "publisher": None}),
        "/rows/0/authority",
        "rule:required-if",
    ),
    ("achievements", _rows("achievements", {"publisher": None}), "/rows/0/publisher", "rule:required-if"),
    ("achievements", _rows("achievements", {"rank": "4/3"}), "/rows/0/rank", "format"),
    ("achievements", _rows("achievements", {"verify_url": "www.nppa.gov.cn"}), "/rows/0/verify_url", "pattern"),
    ("performance", {"achievements_text": "太短了"}, "/achievements_text", "minLength"),
    (
        "performance",
        {"achievements_text": "长" * (_most("performance", "/achievements_text") + 1)},
        "/achievements_text",
        "maxLength",
    ),
    (
        "societies",
        {"societies_text": "会" * (_most("societies", "/societies_text") + 1)},
        "/societies_text",
        "maxLength",
    ),
    ("attachments", {"anything": "x"}, "/anything", "additionalProperties"),
]


def _changed(doc: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(doc)
    for key, value in change.items():
        if value is None:
            result.pop(key, None)
        elif key == "rows":
            result["rows"] = [{k: v for k, v in row.items() if v is not None} for row in value]
        else:
            result[key] = value
    return result


@pytest.mark.parametrize(("section", "change", "path", "code"), INVALID, ids=[f"{s}:{p}:{c}" for s, _, p, c in INVALID])
def test_every_section_refuses_an_invalid_document_and_keeps_the_old_one(
    world: World, applicant: Applicant, unit_id: str, section: str, change: dict[str, Any], path: str, code: str
) -> None:
    declaration_id = applicant.new_declaration()
    valid = valid_sections(unit_id)[section]
    assert applicant.save(declaration_id, section, valid).status_code == 200
    response = applicant.save(declaration_id, section, _changed(valid, change))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    found = [e for e in errors if e["path"] == path and e["code"] == code]
    assert found, errors
    patterns = [template_pattern(text) for text in policy_messages(section, path, code)]
    assert patterns and any(re.fullmatch(p, e["message"]) for e in found for p in patterns), (found, patterns)
    assert all(re.search(r"[\u4e00-\u9fff]", e["message"]) for e in errors)
    assert all(re.fullmatch(r"(DEC|REG)-\d+", e["rule"]) for e in errors if e["code"] != "additionalProperties")
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"][section]
    kept = {k: stored[k] for k in valid}
    for row in kept.get("rows") or []:
        row.pop("row_id")  # the id the server gave the row (issue 13)
    assert kept == valid


def test_every_error_of_a_section_is_listed_at_once(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    response = applicant.save(declaration_id, "header", {"rank": "6/5", "mode": "破格", "is_work_unit": "否"})
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"/rank", "/exception", "/work_unit", "/level", "/series", "/unit", "/work_start"} <= paths


def test_the_mode_exception_and_work_unit_rules_accept_the_completed_forms(
    world: World, applicant: Applicant, unit_id: str
) -> None:
    declaration_id = applicant.new_declaration()
    header = {
        **valid_sections(unit_id)["header"],
        "mode": "破格",
        "exception": "学历破格",
        "is_work_unit": "否",
        "work_unit": "威海某某科技有限公司(劳务派遣)",
    }
    assert applicant.save(declaration_id, "header", header).status_code == 200


def test_the_system_decides_the_year_and_the_entrusted_review(world: World, applicant: Applicant, unit_id: str) -> None:
    declaration_id = applicant.new_declaration()
    header = {**valid_sections(unit_id)["header"], "year": 1999, "entrusted": "是"}
    assert applicant.save(declaration_id, "header", header).status_code == 200
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"]["header"]
    assert (stored["year"], stored["entrusted"]) == (2026, "否")


def test_low_training_hours_are_a_warning_not_an_error(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    yearly = [r for r in _form("continuing_education")["rules"] if r["kind"] == "yearly-minimum"]
    overall = next(r["params"] for r in yearly if not r["params"].get("where"))  # every category together
    short = f"{overall['minimum'] - 1}{overall['unit']}"
    response = applicant.save(declaration_id, "continuing_education", _rows("continuing_education", {"hours": short}))
    assert response.status_code == 200
    warnings = response.json()["warnings"]
    minimum = [template_pattern(r["message"]) for r in yearly]
    assert warnings and all(any(re.fullmatch(p, w["message"]) for p in minimum) for w in warnings), warnings
    assert all(w["code"] == "rule:yearly-minimum" and w["severity"] == "warning" for w in warnings)


def test_fifteen_achievements_are_allowed(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    rows = [
        {"category": "获奖", "name": f"奖项{i}", "time": f"20{10 + i}.01", "rank": "1/1", "authority": "威海市人民政府"}
        for i in range(15)
    ]
    assert applicant.save(declaration_id, "achievements", {"rows": rows}).status_code == 200


def test_a_work_row_may_start_in_the_month_the_previous_one_ended(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    rows = [
        {"start": "2012.07", "end": "2015.06", "unit_dept_post": "甲/乙/丙"},
        {"start": "2015.06", "end": "至今", "unit_dept_post": "甲/乙/丙"},
    ]
    assert applicant.save(declaration_id, "work_experience", {"rows": rows}).status_code == 200


def test_appointment_years_count_to_the_end_of_the_declaration_year(world: World, applicant: Applicant) -> None:
    # DEC-8: the server computes 聘任年限 (test_declarations_computed.py); a typed value is replaced.
    declaration_id = applicant.new_declaration()
    typed = _rows("current_title", {"appointed_on": "2022.07", "appointment_years": 5})
    assert applicant.save(declaration_id, "current_title", typed).status_code == 200
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"]["current_title"]
    assert stored["rows"][0]["appointment_years"] == 4


def test_the_declaring_unit_is_found_by_fuzzy_search_among_permitted_units(world: World, applicant: Applicant) -> None:
    permitted = world.unit("威海市测试档案服务中心")
    world.unit("威海市测试档案未授权单位", permitted=0)
    found = applicant.get("/api/v1/units", params={"q": "档案服务"}).json()["units"]
    assert [u["id"] for u in found] == [permitted]
    fuzzy = applicant.get("/api/v1/units", params={"q": "威海档案"}).json()["units"]
    assert permitted in [u["id"] for u in fuzzy]
    assert all(u["id"] != "" for u in fuzzy)
    assert "未授权" not in json.dumps(fuzzy, ensure_ascii=False)
    assert applicant.get("/api/v1/units", params={"q": "%"}).json()["units"] == []
