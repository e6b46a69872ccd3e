"""ELIG-1 eligibility tables and ELIG-2 / DEC-20 rules across sections, through HTTP.

Every number comes from build/rules.json: a declaration is built to sit exactly on a
table row's limit, or one year short of it, so a YAML-only change to the table keeps
these tests meaningful."""

from __future__ import annotations

import json
from typing import Any

import pytest
from applicant_helpers import Applicant, World
from runtime_support import ROOT, login_fields, person_doc, valid_declaration

RULES = json.loads((ROOT / "build" / "rules.json").read_text(encoding="utf-8"))
YEAR = 2026  # the notice year of the test clock's window (INSIDE_WINDOW)


def _level(series: str, level: str) -> dict[str, Any]:
    for table in RULES["eligibility"].values():
        if series in table["series"] and level in table["levels"]:
            return dict(table["levels"][level])
    raise LookupError(f"no table for {series} {level}")


def _years_row(level: dict[str, Any]) -> tuple[dict[str, Any], str, str, int]:
    """The first row with an education list and a years-since-title limit read from the
    current title rows: (row, education measure value, years measure, limit)."""
    for row in level["rows"]:
        conditions = row["conditions"]
        years = [
            name
            for name, requirement in conditions.items()
            if "at_least" in requirement and "current_title" in level["measures"][name]["value"]
        ]
        if years and "education" in conditions and len(conditions) == 2:
            return row, conditions["education"]["in"][0], years[0], int(conditions[years[0]]["at_least"])
    raise LookupError("no education + years row")


def _title_level(level: dict[str, Any], measure: str) -> str:
    """The current-title level the years measure counts from, read from its expression."""
    value = level["measures"][measure]["value"]
    return value.split('level == "', 1)[1].split('"', 1)[0]


def _declaration(applicant: Applicant, unit_id: str, series: str, level_name: str, years: int) -> str:
    level = _level(series, level_name)
    _, education, measure, _ = _years_row(level)
    sections = valid_declaration(unit_id)
    titles = next(
        e
        for e in json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))["series"]["entries"]
        if e["value"] == series
    )
    sections["header"].update(
        series=series, level=level_name, title=titles["titles"][level_name][0], specialty=titles["specialties"][0]
    )
    sections["education"]["basis"]["education"] = education
    sections["current_title"]["rows"][0].update(level=_title_level(level, measure), qualified_on=f"{YEAR - years}.12")
    declaration_id = applicant.new_declaration()
    for section, doc in sections.items():
        response = applicant.save(declaration_id, section, doc)
        assert response.status_code == 200, (section, response.text)
    return declaration_id


@pytest.mark.parametrize(("series", "level"), [("工程技术", "副高级"), ("经济专业", "副高级"), ("工程技术", "正高级")])
def test_a_declaration_exactly_on_a_rows_limit_meets_the_table(
    applicant: Applicant, unit_id: str, series: str, level: str
) -> None:
    _, _, _, limit = _years_row(_level(series, level))
    declaration_id = _declaration(applicant, unit_id, series, level, limit)
    verdict = applicant.get(f"/api/v1/declarations/{declaration_id}/eligibility").json()
    assert verdict["met"] is True, verdict
    response = applicant.post(f"/api/v1/declarations/{declaration_id}/submit")
    assert all(e["code"] != "eligibility" for e in response.json().get("errors", [])), response.text


@pytest.mark.parametrize(("series", "level"), [("工程技术", "副高级"), ("经济专业", "副高级"), ("工程技术", "正高级")])
def test_a_year_short_is_refused_naming_the_nearest_row_and_what_is_missing(
    world: World, applicant: Applicant, unit_id: str, series: str, level: str
) -> None:
    row, _, measure, limit = _years_row(_level(series, level))
    declaration_id = _declaration(applicant, unit_id, series, level, limit - 1)
    verdict = applicant.get(f"/api/v1/declarations/{declaration_id}/eligibility").json()
    assert verdict["met"] is False
    assert verdict["row"]["id"] == row["id"]
    assert [m["measure"] for m in verdict["missing"]] == [measure]
    assert row["title"] in verdict["message"]
    assert f"{limit - 1}" in verdict["missing"][0]["missing"]
    response = applicant.post(f"/api/v1/declarations/{declaration_id}/submit")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["eligibility"]
    assert errors[0]["message"] == verdict["message"] and errors[0]["rule"] == "ELIG-1"
    assert world.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"] == "draft"


def test_the_declaration_page_shows_the_eligibility_verdict(world: World, applicant: Applicant, unit_id: str) -> None:
    row, _, _, limit = _years_row(_level("工程技术", "副高级"))
    declaration_id = _declaration(applicant, unit_id, "工程技术", "副高级", limit - 1)
    client = world.page_client()
    form = login_fields(client.get("/login").text)
    form.update(account=applicant.doc["login_name"], password=applicant.password)
    client.post("/login", data=form)
    page = client.get(f"/declarations/{declaration_id}")
    assert page.status_code == 200
    assert 'id="eligibility"' in page.text and row["title"] in page.text


def test_a_series_without_a_table_says_so(applicant: Applicant, filled: str) -> None:
    verdict = applicant.get(f"/api/v1/declarations/{filled}/eligibility").json()
    assert verdict["table"] is None and verdict["message"] == RULES["texts"]["eligibility_no_table"]


def test_someone_elses_declaration_has_no_eligibility_to_see(world: World, filled: str) -> None:
    other = world.applicant()
    assert other.get(f"/api/v1/declarations/{filled}/eligibility").status_code == 404


# --- rules across sections (DEC-20) ---------------------------------------------------------


def _rule(rule_id: str) -> dict[str, Any]:
    return dict(next(r for r in RULES["rules"] if r["id"] == rule_id))


def test_a_graduation_after_the_declaration_year_is_refused_on_save_naming_the_date(
    applicant: Applicant, unit_id: str, filled: str
) -> None:
    education = valid_declaration(unit_id)["education"]
    education["basis"]["graduated"] = f"{YEAR + 4}.07"
    response = applicant.save(filled, "education", education)
    assert response.status_code == 422
    errors = [e for e in response.json()["errors"] if e["code"] == "rule:graduation_not_after_year_end"]
    assert [e["path"] for e in errors] == ["/basis/graduated"]
    assert f"{YEAR + 4}.07" in errors[0]["message"]


def test_a_work_start_before_the_minimum_age_is_refused_at_submit(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    birth_year = int(person_doc(1)["birth_date"][:4])
    header = valid_declaration(unit_id)["header"]
    header["work_start"] = f"{birth_year + 5}.01"
    header["professional_years"] = 1
    applicant.put(f"/api/v1/declarations/{filled}/sections/header?draft=true", json=header)
    response = applicant.post(f"/api/v1/declarations/{filled}/submit")
    assert response.status_code == 422
    codes = {e["code"]: e for e in response.json()["errors"]}
    assert "rule:work_start_after_minimum_age" in codes
    assert codes["rule:work_start_after_minimum_age"]["path"] == "/sections/header/work_start"
    assert codes["rule:work_start_after_minimum_age"]["rule"] == _rule("work_start_after_minimum_age")["rule"]


def test_a_training_row_after_the_year_is_refused_pointing_at_that_row(
    applicant: Applicant, unit_id: str, filled: str
) -> None:
    training = valid_declaration(unit_id)["continuing_education"]
    training["rows"][1].update(start=f"{YEAR + 1}.01", end=f"{YEAR + 1}.12")
    response = applicant.save(filled, "continuing_education", training)
    assert response.status_code == 422
    paths = [e["path"] for e in response.json()["errors"] if e["code"] == "rule:training_not_after_year_end"]
    assert paths == ["/rows/1/end"]
