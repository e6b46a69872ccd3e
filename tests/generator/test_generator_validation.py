"""The validation library on forms compiled from the real schemas/.

`vocabulary.validation.FormValidator` is what the runtime runs on every save; here it
judges documents against the compiled registration forms and declaration sections.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.model import Model
from vocabulary.rules import Context
from vocabulary.specimen import complete_declaration
from vocabulary.validation import Error, FormValidator, fill_message

DATA = Path(__file__).resolve().parent / "data"
CJK = re.compile(r"[\u4e00-\u9fff]")
POINTER = re.compile(r"^(/([^/~]|~[01])*)+$")
RULE_ID = re.compile(r"^[A-Z]+-[0-9]+$")


def valid_declaration(model: Model) -> dict[str, Any]:
    """The persona of data/declaration_valid.json completed against the compiled sections, so
    a new required field or a new limit in schemas/ needs no edit here (vocabulary.specimen)."""
    persona: dict[str, Any] = json.loads((DATA / "declaration_valid.json").read_text(encoding="utf-8"))
    persona.pop("_about")
    sections = model.sections["declaration"]
    # the declaring unit is data, not policy: any organisation id does for the validator
    fixed = {"unit": "org-371002-0001"}
    return complete_declaration(sections, persona, model.dictionaries(), model.example_context(), fixed)


def validate(model: Model, form_id: str, document: Any) -> list[Error]:
    if "/" in form_id:
        form, section = form_id.split("/")
        compiled = model.sections[form][section]
    else:
        compiled = model.forms[form_id]
    return FormValidator(compiled, model.dictionaries()).errors(document, model.example_context())


def section(model: Model, section_id: str, **changes: Any) -> list[Error]:
    document = valid_declaration(model)[section_id]
    document.update(changes)
    return validate(model, f"declaration/{section_id}", document)


def all_forms(model: Model) -> list[str]:
    forms = [f for f, c in model.forms.items() if c["kind"] in ("form", "section")]
    return forms + [f"declaration/{s}" for s in model.sections["declaration"]]


# --- a complete declaration -----------------------------------------------------------------


def test_a_complete_declaration_passes_every_section_without_an_error(model: Model) -> None:
    document = valid_declaration(model)
    assert set(document) == set(model.sections["declaration"])
    for section_id, content in document.items():
        assert validate(model, f"declaration/{section_id}", content) == [], section_id


# --- the shape of every error ---------------------------------------------------------------


def broken_documents(model: Model) -> list[tuple[str, Any]]:
    """Documents with every kind of mistake: empty ones, wrong types, wrong formats, rule breaks."""
    documents: list[tuple[str, Any]] = [(form_id, {}) for form_id in all_forms(model)]
    limit = int(model.sections["declaration"]["achievements"]["rows"]["max"])
    documents += [
        ("declaration/header", {"rank": "6/5", "level": "中级", "series": "档案", "title": "研究馆员"}),
        ("declaration/header", {"mode": "破格", "professional_years": "十年", "entrusted": "是"}),
        ("declaration/work_experience", {"rows": [{"start": "2015.13", "end": "2010.06", "x": 1}]}),
        # one row over the limit the schemas set, out of order
        ("declaration/achievements", {"rows": [{"time": "2023.11"}, {"time": "2021.05"}] * (limit // 2 + 1)}),
        ("declaration/continuing_education", {"rows": [{"start": "2024.01", "hours": "10学时"}]}),
        ("declaration/education", {"basis": {"graduated": "2008-07"}, "full_time": "山东大学"}),
        ("person_registration", {"id_number": "371002199001011237", "sex": "女", "password": "a"}),
        ("unit_registration", {"uscc": "91110000600037341A", "mobile": "1380631123"}),
        ("declaration/societies", {"societies_text": 42, "unknown": "x"}),
    ]
    return documents


def test_every_error_has_a_pointer_a_code_a_chinese_message_and_a_rule_id(model: Model) -> None:
    seen_codes = set()
    for form_id, document in broken_documents(model):
        errors = validate(model, form_id, document)
        for error in errors:
            where = f"{form_id} {error}"
            assert POINTER.match(error.path), where
            assert error.code, where
            assert CJK.search(error.message), where
            assert "{" not in error.message, where
            assert RULE_ID.match(error.rule), where
            assert error.severity in ("error", "warning"), where
            seen_codes.add(error.code.split(":")[0])
    assert {"required", "format", "type", "rule", "maxItems", "additionalProperties"} <= seen_codes


def test_errors_serialise_as_plain_dictionaries(model: Model) -> None:
    [error] = section(model, "header", rank="6/5")
    assert error.as_dict() == {
        "path": "/rank",
        "code": "format",
        "message": error.message,
        "rule": "DEC-3",
        "severity": "error",
    }


# --- paths ----------------------------------------------------------------------------------


def test_an_error_in_a_rows_section_points_at_the_row_and_the_column(model: Model) -> None:
    rows = valid_declaration(model)["work_experience"]["rows"]
    rows[1]["start"] = "2015.13"
    errors = section(model, "work_experience", rows=rows)
    assert [(e.path, e.code) for e in errors if e.code == "format"] == [("/rows/1/start", "format")]


def test_a_rule_broken_in_one_row_points_at_that_row(model: Model) -> None:
    rows = valid_declaration(model)["work_experience"]["rows"]
    rows[0]["end"] = "2009.12"
    errors = section(model, "work_experience", rows=rows)
    not_before = [e for e in errors if e.code == "rule:not-before"]
    assert [e.path for e in not_before] == ["/rows/0/end"]
    [rule] = [r for r in model.sections["declaration"]["work_experience"]["rules"] if r["kind"] == "not-before"]
    assert not_before[0].message == rule["message"]
    assert not_before[0].rule == rule["rule"]


def test_a_nested_group_field_error_points_inside_the_group(model: Model) -> None:
    education = valid_declaration(model)["education"]
    education["basis"]["graduated"] = "2010-06"
    errors = validate(model, "declaration/education", education)
    assert [(e.path, e.code) for e in errors] == [("/basis/graduated", "format")]


def test_too_many_rows_is_reported_on_the_rows_with_the_policy_message(model: Model) -> None:
    compiled = model.sections["declaration"]["achievements"]
    limit = int(compiled["rows"]["max"])
    message = compiled["schema"]["properties"]["rows"]["x-messages"]["maxItems"]
    assert str(limit) in message  # the message names the limit the rows keep (DEC-14)
    rows = valid_declaration(model)["achievements"]["rows"]
    many = [dict(rows[0], name=f"论文:《第{i}篇》") for i in range(limit + 1)]
    errors = section(model, "achievements", rows=many)
    assert [(e.path, e.code, e.message) for e in errors] == [("/rows", "maxItems", message)]
    assert section(model, "achievements", rows=many[:limit]) == []


# --- required fields ------------------------------------------------------------------------


def test_a_missing_required_field_gets_the_fields_chinese_message(model: Model) -> None:
    errors = validate(model, "declaration/header", {})
    by_path = {e.path: e for e in errors}
    properties = model.sections["declaration"]["header"]["schema"]["properties"]
    for name in model.sections["declaration"]["header"]["schema"]["required"]:
        error = by_path[f"/{name}"]
        assert error.code == "required"
        assert error.message == properties[name]["x-messages"]["required"]
        assert properties[name]["title"] in error.message
    template = model.project.data("messages")["validation"]["required"]
    assert by_path["/level"].message == template.replace("{title}", properties["level"]["title"])


def test_an_empty_text_counts_as_missing(model: Model) -> None:
    errors = section(model, "header", rank="")
    expected = model.sections["declaration"]["header"]["schema"]["properties"]["rank"]["x-messages"]["required"]
    assert [(e.path, e.code, e.message) for e in errors] == [("/rank", "required", expected)]


def test_blank_space_counts_as_missing_too(model: Model) -> None:
    errors = section(model, "header", rank="   ")
    assert [(e.path, e.code) for e in errors] == [("/rank", "required")]


def test_an_empty_optional_field_is_no_error(model: Model) -> None:
    assert section(model, "header", work_unit="", exception="") == []


def test_a_required_column_missing_in_a_row_points_at_the_row(model: Model) -> None:
    rows = valid_declaration(model)["assessments"]["rows"]
    rows[-1]["grade"] = ""
    errors = section(model, "assessments", rows=rows)
    items = model.sections["declaration"]["assessments"]["schema"]["properties"]["rows"]["items"]
    expected = items["properties"]["grade"]["x-messages"]["required"]
    assert [(e.path, e.code, e.message) for e in errors] == [(f"/rows/{len(rows) - 1}/grade", "required", expected)]


def test_a_required_if_rule_fires_only_where_its_condition_holds(model: Model) -> None:
    assert section(model, "header", mode="正常晋升") == []
    [error] = section(model, "header", mode="破格")
    assert (error.path, error.code, error.rule) == ("/exception", "rule:required-if", "DEC-3")
    [rule] = [r for r in model.sections["declaration"]["header"]["rules"] if r["params"].get("field") == "exception"]
    assert error.message == rule["message"]


# --- warnings -------------------------------------------------------------------------------


def test_too_few_training_hours_is_a_warning_with_the_figures_filled_in(model: Model) -> None:
    """Every row one hour: each yearly minimum of schemas/ (DEC-12) warns with its year, the
    hours its rows add up to and its minimum filled into its own message."""
    rules = model.sections["declaration"]["continuing_education"]["rules"]
    minimums = [r for r in rules if r["kind"] == "yearly-minimum"]
    assert minimums
    rows = valid_declaration(model)["continuing_education"]["rows"]
    for row in rows:
        row["hours"] = f"1{minimums[0]['params']['unit']}"
    errors = section(model, "continuing_education", rows=rows)
    assert {e.severity for e in errors} == {"warning"}
    expected = set()
    for rule in minimums:
        params = rule["params"]
        for year in {row[params["year_of"]][:4] for row in rows}:
            counted = [
                row
                for row in rows
                if row[params["year_of"]].startswith(year)
                and all(row.get(k) == v for k, v in params.get("where", {}).items())
            ]
            if counted and len(counted) < params["minimum"]:
                values = {"year": year, "total": len(counted), "minimum": params["minimum"]}
                expected.add(fill_message(rule["message"], values))
    assert expected and expected <= {e.message for e in errors}


def test_a_title_of_none_without_a_qualification_is_only_a_warning(model: Model) -> None:
    errors = section(model, "current_title", rows=[{"title": "无"}])
    assert [(e.path, e.severity, e.rule) for e in errors] == [("/rows/0/qualification", "warning", "DEC-8")]


def test_schema_errors_are_never_warnings(model: Model) -> None:
    for form_id, document in broken_documents(model):
        for error in validate(model, form_id, document):
            if not error.code.startswith("rule:"):
                assert error.severity == "error", error


# --- context --------------------------------------------------------------------------------


@pytest.mark.parametrize(("years", "ok"), [(16, True), (17, False)])
def test_professional_years_are_capped_by_whole_years_since_work_start(model: Model, years: int, ok: bool) -> None:
    document = dict(valid_declaration(model)["header"], work_start="2010.07", professional_years=years)
    compiled = model.sections["declaration"]["header"]
    validator = FormValidator(compiled, model.dictionaries())
    errors = validator.errors(document, Context(year=2026, today=model.example_context().today))
    assert (errors == []) is ok
    if not ok:
        [rule] = [r for r in compiled["rules"] if r["kind"] == "whole-years"]
        assert errors[0].message == fill_message(rule["message"], {"computed": 16})
