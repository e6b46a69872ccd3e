"""vocabulary.specimen: a persona completed against the compiled sections of build/ passes them.

These tests read the policy from build/ and never restate it, so they hold whatever the
sections say (issue 11's drills: a new limit, a new required field, a new code list entry)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vocabulary.formats import format_checker
from vocabulary.model import Context
from vocabulary.specimen import complete_declaration, complete_section, sample_value
from vocabulary.validation import FormValidator

BUILD = Path(__file__).resolve().parents[2] / "build"
DICTIONARIES = {k: v["entries"] for k, v in json.loads((BUILD / "dictionaries.json").read_text("utf-8")).items()}
SECTION_IDS = json.loads((BUILD / "forms" / "declaration.json").read_text("utf-8"))["sections"]
SECTIONS = {s: json.loads((BUILD / "forms" / "declaration" / f"{s}.json").read_text("utf-8")) for s in SECTION_IDS}
CONTEXT = Context(year=2026, today=date(2026, 11, 10))


def errors(section_id: str, document: Any) -> list[Any]:
    return FormValidator(SECTIONS[section_id], DICTIONARIES).errors(document, CONTEXT)


def test_from_an_empty_persona_every_section_is_completed_into_one_that_passes() -> None:
    completed = complete_declaration(SECTIONS, {}, DICTIONARIES, CONTEXT, {"unit": "org-1"})
    assert {s: errors(s, completed[s]) for s in SECTIONS if errors(s, completed[s])} == {}
    assert completed["header"]["unit"] == "org-1"


def test_an_empty_persona_fails_where_something_is_required() -> None:
    """The test above means something: without completion, required sections fail."""
    failing = [s for s in SECTIONS if errors(s, {})]
    assert "header" in failing and len(failing) > 1


def test_a_valid_persona_value_is_kept_and_an_invalid_one_replaced() -> None:
    header = SECTIONS["header"]
    persona = {"rank": "2/3", "level": "不存在的级别", "work_start": "2010.07"}
    completed = complete_section(header, persona, DICTIONARIES, CONTEXT, {"unit": "org-1"})
    assert completed["rank"] == "2/3" and completed["work_start"] == "2010.07"
    [level] = [f for f in header["fields"] if f["id"] == "level"]
    assert completed["level"] in level["options"]
    assert errors("header", completed) == []


def test_a_conditional_field_is_filled_only_where_its_condition_holds() -> None:
    header = SECTIONS["header"]
    required_when = header["client"]["fields"]["required_when"]
    field, [condition] = next(iter(required_when.items()))
    [(trigger, value)] = [(k, v) for k, v in condition.items() if isinstance(v, str)]
    met = complete_section(header, {trigger: value}, DICTIONARIES, CONTEXT, {"unit": "org-1"})
    assert met.get(field) and errors("header", met) == []
    options = next(f for f in header["fields"] if f["id"] == trigger)["options"]
    other = next(o for o in options if o != value)
    unmet = complete_section(header, {trigger: other}, DICTIONARIES, CONTEXT, {"unit": "org-1"})
    assert field not in unmet and errors("header", unmet) == []


def test_rows_beyond_the_limit_are_cut_to_the_limit() -> None:
    section = SECTIONS["achievements"]
    limit = int(section["rows"]["max"])
    persona = complete_section(section, {}, DICTIONARIES, CONTEXT)
    row = persona["rows"][0] if persona["rows"] else {}
    many = {"rows": [dict(row, name=f"论文:《第{i}篇》") for i in range(limit + 3)]}
    assert any(e.code == "maxItems" for e in errors("achievements", many))
    completed = complete_section(section, many, DICTIONARIES, CONTEXT)
    assert len(completed["rows"]) == limit and errors("achievements", completed) == []


def test_a_year_short_of_its_minimum_is_topped_up_to_exactly_the_minimum() -> None:
    section = SECTIONS["continuing_education"]
    [total] = [r for r in section["rules"] if r["kind"] == "yearly-minimum" and not r["params"].get("where")]
    params = total["params"]
    persona = complete_section(section, {}, DICTIONARIES, CONTEXT)
    short = {"rows": [dict(row, **{params["amount"]: f"1{params.get('unit', '')}"}) for row in persona["rows"]]}
    assert errors("continuing_education", short)
    completed = complete_section(section, short, DICTIONARIES, CONTEXT)
    assert errors("continuing_education", completed) == []


@pytest.mark.parametrize("name", ["year-month", "date", "year", "rank", "mobile-cn", "id-card", "uscc"])
def test_a_sample_of_every_named_format_passes_that_format(name: str) -> None:
    field = {"id": "x", "title": "样例", "type": "text", "format": name}
    sample = sample_value(field, {}, CONTEXT, DICTIONARIES)
    assert format_checker().conforms(sample, name), sample


def test_a_sample_number_stays_inside_its_bounds() -> None:
    assert sample_value({"id": "n", "type": "integer", "minimum": 3, "maximum": 9}, {}, CONTEXT, {}) == 3
    assert sample_value({"id": "n", "type": "integer", "maximum": 60}, {}, CONTEXT, {}) == 0


def test_a_sample_text_respects_its_lengths() -> None:
    short = sample_value({"id": "t", "title": "很长很长的栏目名称", "maxLength": 4}, {}, CONTEXT, {})
    long = sample_value({"id": "t", "title": "简介", "minLength": 30}, {}, CONTEXT, {})
    assert len(short) == 4 and len(long) >= 30
