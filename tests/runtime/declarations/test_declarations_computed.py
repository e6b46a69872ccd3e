"""DEC-8 聘任年限 is computed by the server from the appointment date to Dec 31 of the
declaration year, minus the gap months, whole years only; typed values are replaced, and the
page shows it read-only (without JavaScript the value appears after saving)."""

from __future__ import annotations

import pytest
from applicant_helpers import Applicant, World
from runtime_support import login_fields, valid_declaration

YEAR = 2026  # the notice year of the frozen test clock


def _saved_years(world: World, applicant: Applicant, declaration_id: str, unit_id: str, **row: object) -> object:
    section = valid_declaration(unit_id)["current_title"]
    section["rows"][0].update(row)
    response = applicant.save(declaration_id, "current_title", section)
    assert response.status_code == 200, response.text
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"]["current_title"]
    return stored["rows"][0].get("appointment_years")


@pytest.mark.parametrize("years", [1, 4, 10])
def test_an_appointment_counts_each_anniversary_reached_by_the_end_of_the_declaration_year(
    world: World, applicant: Applicant, unit_id: str, filled: str, years: int
) -> None:
    appointed = f"{YEAR - years}.12"
    assert _saved_years(world, applicant, filled, unit_id, appointed_on=appointed, appointment_years=0) == years


def test_a_year_not_completed_does_not_count(world: World, applicant: Applicant, unit_id: str, filled: str) -> None:
    # Under 4 years counts 3 (DEC-8): from January three years back to Dec 31 is 3 years 11 months.
    assert _saved_years(world, applicant, filled, unit_id, appointed_on=f"{YEAR - 3}.01", appointment_years=9) == 3


def test_gap_months_are_deducted(world: World, applicant: Applicant, unit_id: str, filled: str) -> None:
    assert _saved_years(world, applicant, filled, unit_id, appointed_on=f"{YEAR - 5}.12", gap_months=12) == 4
    assert _saved_years(world, applicant, filled, unit_id, appointed_on=f"{YEAR - 5}.12", gap_months=13) == 3


def test_without_an_appointment_date_there_is_no_appointment_years(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    assert _saved_years(world, applicant, filled, unit_id, appointed_on="", appointment_years=7) is None


def test_the_section_page_shows_appointment_years_read_only(world: World, applicant: Applicant, filled: str) -> None:
    client = world.page_client()
    form = login_fields(client.get("/login").text)
    form.update(account=applicant.doc["login_name"], password=applicant.password)
    client.post("/login", data=form)
    page = client.get(f"/declarations/{filled}/sections/current_title").text
    tag = page[page.index('id="rows-0-appointment_years"') :].split(">", 1)[0]
    assert "readonly" in tag and 'data-computed="appointment_years"' in tag
