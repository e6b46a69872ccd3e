"""Working days (PUB-3): the State Council's arrangement from chinese-calendar, replaced for a
year by schemas/calendar.yaml, and refused for a year known to neither."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from runtime_support import ROOT

from generator.compiler import compile_schemas, write_build
from runtime.bundle import load_bundle
from runtime.committee import workdays
from runtime.web.http import HttpError


def test_national_day_2026_is_off_and_its_saturday_make_up_day_is_on(svc: Any) -> None:
    # 国务院办公厅关于2026年部分节假日安排的通知: 10月1日至7日放假调休, 10月10日(星期六)上班
    for day in range(1, 8):
        assert not workdays.is_working_day(svc, date(2026, 10, day))
    assert workdays.is_working_day(svc, date(2026, 10, 10))  # a Saturday
    assert not workdays.is_working_day(svc, date(2026, 10, 11))  # an ordinary Sunday
    assert workdays.is_working_day(svc, date(2026, 10, 9))


def test_a_publicity_period_over_the_national_day_holiday_counts_only_working_days(svc: Any) -> None:
    started = date(2026, 9, 29)  # a Tuesday
    # 30 Sep, then the holiday week, then Thu 8, Fri 9, Sat 10 (调休) and Mon 12
    assert workdays.between(svc, started, date(2026, 10, 7)) == 1
    assert workdays.between(svc, started, date(2026, 10, 10)) == 4
    assert workdays.add(svc, started, 5) == date(2026, 10, 12)
    # counted on weekdays alone it would have ended on 6 October, in the middle of the holiday
    assert workdays.between(svc, started, date(2026, 10, 6)) < 5


def test_an_ordinary_week_without_holidays_has_five_working_days(svc: Any) -> None:
    assert workdays.between(svc, date(2026, 11, 9), date(2026, 11, 16)) == 5


@pytest.fixture
def overridden(tmp_path: Path) -> Any:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    (schemas / "calendar.yaml").write_text(
        "id: calendar\nrule: PUB-3\nyears:\n"
        "  2027:\n    holidays: ['2027-01-01']\n    workdays: ['2027-01-09']\n"
        "  2026:\n    holidays: ['2026-11-10']\n    workdays: []\n",
        "utf-8",
    )
    result = compile_schemas(schemas)
    assert result.ok, [str(d) for d in result.report.errors]
    write_build(result.artifacts, tmp_path / "build")

    class Svc:
        bundle = load_bundle(tmp_path / "build", schemas)

    return Svc()


def test_calendar_yaml_supplies_a_year_the_package_does_not_know(overridden: Any) -> None:
    assert not workdays.is_working_day(overridden, date(2027, 1, 1))  # a Friday, listed as a holiday
    assert workdays.is_working_day(overridden, date(2027, 1, 9))  # a Saturday, listed as a working day
    assert not workdays.is_working_day(overridden, date(2027, 1, 10))  # an unlisted Sunday
    assert workdays.is_working_day(overridden, date(2027, 1, 4))  # an unlisted Monday


def test_calendar_yaml_replaces_what_the_package_says_for_a_year_it_lists(overridden: Any) -> None:
    assert not workdays.is_working_day(overridden, date(2026, 11, 10))
    # the package's holidays of that year no longer apply: the year is what the file says
    assert workdays.is_working_day(overridden, date(2026, 10, 5))


def test_a_year_known_to_neither_is_refused_naming_the_year(overridden: Any) -> None:
    with pytest.raises(HttpError) as refused:
        workdays.between(overridden, date(2028, 3, 1), date(2028, 3, 9))
    assert refused.value.status == 409
    assert "2028" in refused.value.message
