"""DEC-6: breaks in professional work (work rows marked as not professional: unemployment,
study, other work) are deducted from 专业工作年限; checked at 确定申报 by the rule across
sections in schemas/rules/ (DEC-13 rows count their first and last month)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from applicant_helpers import Applicant
from runtime_support import ROOT, valid_declaration

RULES = json.loads((ROOT / "build" / "rules.json").read_text(encoding="utf-8"))
RULE = next(r for r in RULES["rules"] if r["id"] == "professional_years_exclude_breaks")
CODE = f"rule:{RULE['id']}"
YEAR = 2026  # the notice year of the test clock's window (INSIDE_WINDOW)
# the work-row value that marks a break, as the rule's own condition names it
NOT_PROFESSIONAL = re.findall(r'professional == "([^"]+)"', RULE["when"])[0]


def _work_rows(unit_id: str, *, break_months: int) -> list[dict[str, Any]]:
    """The test persona's work history from 2012.07 on, with a break of `break_months` starting
    in 2014.07 when asked (the rows stay contiguous)."""
    template = valid_declaration(unit_id)["work_experience"]["rows"][0]
    rows = [dict(template, start="2012.07", end="2014.06")]
    if break_months:
        end_year, end_month = divmod(2014 * 12 + 6 + break_months - 1, 12)
        rows.append(
            dict(template, start="2014.07", end=f"{end_year}.{end_month + 1:02d}", professional=NOT_PROFESSIONAL)
        )
        resume_year, resume_month = divmod(2014 * 12 + 6 + break_months, 12)
        rows.append(dict(template, start=f"{resume_year}.{resume_month + 1:02d}", end="至今"))
    else:
        rows.append(dict(template, start="2014.07", end="至今"))
    return rows


def _submit(applicant: Applicant, declaration_id: str, unit_id: str, years: int, break_months: int) -> Any:
    sections = valid_declaration(unit_id)
    sections["header"].update(work_start="2012.07", professional_years=years)
    sections["work_experience"]["rows"] = _work_rows(unit_id, break_months=break_months)
    for section in ("header", "work_experience"):
        response = applicant.save(declaration_id, section, sections[section])
        assert response.status_code == 200, response.text
    return applicant.post(f"/api/v1/declarations/{declaration_id}/submit")


# 2012.07 to Dec 31 of the declaration year holds (YEAR - 2012) * 12 + 6 months.
MONTHS = (YEAR - 2012) * 12 + 6


@pytest.mark.parametrize("break_months", [12, 30])
def test_professional_years_up_to_the_work_history_minus_the_break_are_accepted(
    applicant: Applicant, unit_id: str, filled: str, break_months: int
) -> None:
    allowed = (MONTHS - break_months) // 12
    response = _submit(applicant, filled, unit_id, allowed, break_months)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("break_months", [12, 30])
def test_one_year_more_than_the_work_history_minus_the_break_is_refused_at_submit(
    applicant: Applicant, unit_id: str, filled: str, break_months: int
) -> None:
    allowed = (MONTHS - break_months) // 12
    response = _submit(applicant, filled, unit_id, allowed + 1, break_months)
    assert response.status_code == 422
    [error] = [e for e in response.json()["errors"] if e["code"] == CODE]
    assert error["path"] == "/sections/header/professional_years"
    assert error["rule"] == "DEC-6"
    assert error["message"] == RULE["message"].replace("{value}", str(allowed + 1))


def test_without_a_break_the_same_years_are_accepted(applicant: Applicant, unit_id: str, filled: str) -> None:
    """The break makes the difference: the years refused above pass without it."""
    years = (MONTHS - 12) // 12 + 1
    assert years <= MONTHS // 12
    response = _submit(applicant, filled, unit_id, years, break_months=0)
    assert response.status_code == 200, response.text
