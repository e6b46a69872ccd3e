"""The rule-kind registry: its parameter schemas and the schema-language reference."""

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from vocabulary.rules import RULE_KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema-language.md"


def documented_kinds() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Rule kinds", 1)[1]
    section = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.MULTILINE)[0]
    return {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}


def test_every_documented_rule_kind_exists_and_every_kind_is_documented() -> None:
    assert documented_kinds() == set(RULE_KINDS)


@pytest.mark.parametrize("name", sorted(RULE_KINDS))
def test_the_parameters_of_each_kind_are_a_strict_json_schema(name: str) -> None:
    kind = RULE_KINDS[name]
    assert kind.name == name
    Draft202012Validator.check_schema(kind.parameters)
    assert kind.parameters["type"] == "object"
    assert kind.parameters["additionalProperties"] is False
    assert set(kind.parameters["required"]) <= set(kind.parameters["properties"])
    assert set(kind.field_params) <= set(kind.parameters["properties"])
    assert set(kind.condition_params) <= set(kind.parameters["properties"])
    assert kind.scope in ("item", "rows")


EXAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "required-if": {"field": "exception", "when": {"mode": "破格"}},
    "not-before": {"field": "end", "than": "start", "open": ["至今"]},
    "contiguous": {"start": "start", "end": "end", "open": ["至今"]},
    "ordered": {"field": "date", "order": "descending"},
    "unique": {"fields": ["award", "year"]},
    "match": {"field": "name", "pattern": "^《"},
    "equals": {"field": "confirm", "other": "password"},
    "id-card-agrees": {
        "id_field": "id",
        "birth_field": "birth",
        "sex_field": "sex",
        "sexes": {"odd": "男", "even": "女"},
    },
    "whole-years": {"field": "years", "since": "appointed", "until": "year-end"},
    "yearly-minimum": {
        "year_of": "date",
        "amount": "hours",
        "minimum": 72,
        "where": {"kind": {"in": ["公需", "专业"]}},
    },
    "cascade": {
        "dictionary": "series",
        "key": "series",
        "checks": [{"field": "title", "member_of": "titles.{level}"}],
    },
}

FIELDS_NAMED = {
    "required-if": ("exception", "mode"),
    "not-before": ("end", "start"),
    "contiguous": ("start", "end"),
    "ordered": ("date",),
    "unique": ("award", "year"),
    "match": ("name",),
    "equals": ("confirm", "password"),
    "id-card-agrees": ("id", "birth", "sex"),
    "whole-years": ("years", "appointed"),
    "yearly-minimum": ("date", "hours", "kind"),
    "cascade": ("series", "title", "level"),
}


def test_there_is_an_example_for_every_kind() -> None:
    assert set(EXAMPLE_PARAMS) == set(RULE_KINDS) == set(FIELDS_NAMED)


@pytest.mark.parametrize("name", sorted(EXAMPLE_PARAMS))
def test_documented_params_fit_the_parameter_schema(name: str) -> None:
    validator = Draft202012Validator(RULE_KINDS[name].parameters)
    assert validator.is_valid(EXAMPLE_PARAMS[name])
    assert not validator.is_valid({**EXAMPLE_PARAMS[name], "surprise": 1})
    for required in RULE_KINDS[name].parameters["required"]:
        params = {k: v for k, v in EXAMPLE_PARAMS[name].items() if k != required}
        assert not validator.is_valid(params), required


@pytest.mark.parametrize("name", sorted(EXAMPLE_PARAMS))
def test_each_kind_names_the_fields_its_params_refer_to(name: str) -> None:
    assert RULE_KINDS[name].fields_named(EXAMPLE_PARAMS[name]) == FIELDS_NAMED[name]
