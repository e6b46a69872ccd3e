"""Conditions (`when`) and the filled test."""

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from vocabulary.conditions import CONDITION_SCHEMA, holds, is_filled


@pytest.mark.parametrize("value", [None, "", "   ", [], {}])
def test_empty_values_are_not_filled(value: object) -> None:
    assert not is_filled(value)


@pytest.mark.parametrize("value", ["x", 0, False, [""], {"a": 1}])
def test_other_values_are_filled(value: object) -> None:
    assert is_filled(value)


def test_no_condition_always_holds() -> None:
    assert holds(None, {})
    assert holds({}, {"mode": "x"})


def test_an_equality_test_compares_as_text() -> None:
    assert holds({"mode": "破格"}, {"mode": "破格"})
    assert not holds({"mode": "破格"}, {"mode": "正常"})
    assert holds({"count": 1}, {"count": "1"})
    assert holds({"count": "1"}, {"count": 1})
    assert not holds({"mode": "破格"}, {})


def test_the_operators() -> None:
    item = {"category": "论文/著作", "title": "无", "unit": ""}
    assert holds({"category": {"in": ["论文/著作", "其他"]}}, item)
    assert not holds({"category": {"in": ["其他"]}}, item)
    assert holds({"category": {"not_in": ["其他"]}}, item)
    assert not holds({"category": {"not_in": ["论文/著作"]}}, item)
    assert holds({"title": {"not": "有"}}, item)
    assert not holds({"title": {"not": "无"}}, item)
    assert holds({"unit": {"filled": False}}, item)
    assert holds({"title": {"filled": True}}, item)
    assert not holds({"missing": {"filled": True}}, item)


def test_every_test_must_hold() -> None:
    when = {"mode": "破格", "title": {"not": "无"}}
    assert holds(when, {"mode": "破格", "title": "工程师"})
    assert not holds(when, {"mode": "破格", "title": "无"})


def test_an_unknown_operator_is_an_error_whatever_the_data() -> None:
    with pytest.raises(ValueError, match="between"):
        holds({"a": "x", "b": {"between": [1, 2]}}, {"a": "y"})


@pytest.mark.parametrize(
    "when",
    [
        {"mode": "破格"},
        {"count": 3},
        {"category": {"in": ["a", "b"]}},
        {"title": {"not": "无"}},
        {"category": {"not_in": ["其他"]}},
        {"work_unit": {"filled": True}},
    ],
)
def test_the_documented_conditions_fit_the_condition_schema(when: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(CONDITION_SCHEMA)
    assert Draft202012Validator(CONDITION_SCHEMA).is_valid(when)


@pytest.mark.parametrize(
    "when",
    [
        {},
        {"mode": None},
        {"mode": ["a"]},
        {"mode": {}},
        {"mode": {"between": [1, 2]}},
        {"mode": {"in": "a"}},
        {"mode": {"in": []}},
        {"mode": {"filled": "yes"}},
        {"mode": {"in": ["a"], "not": "b"}},
        "mode",
    ],
)
def test_malformed_conditions_do_not_fit_the_condition_schema(when: object) -> None:
    assert not Draft202012Validator(CONDITION_SCHEMA).is_valid(when)
