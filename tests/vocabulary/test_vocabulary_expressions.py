"""The rule expression language (ELIG-2): parsing, type-checking and evaluating.

The shape and data here are small made-up declarations: they test the machinery, not
policy (policy's own rules run through their examples in the generator's tests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocabulary.declaration_rules import context_data, run_declaration_rules
from vocabulary.expr_eval import Env, When, amount, evaluate, span, whole_years
from vocabulary.expr_parse import ExprSyntaxError, parse
from vocabulary.expr_types import ROWS_KEY, ExprTypeError, infer

SHAPE: dict[str, Any] = {
    "header": {"mode": {"kind": "text", "options": ["正常晋升", "破格"]}, "work_start": "date", "years": "number"},
    "education": {"basis": {"graduated": "date", "education": "text"}},
    "achievements": {ROWS_KEY: {"category": {"kind": "text", "options": ["获奖", "专利"]}, "level": "text"}},
    "training": {ROWS_KEY: {"start": "date", "hours": "text"}},
    "account": {"birth_date": "date"},
    "declaration": {"year": "number", "year_end": "date", "today": "date"},
}


def value(text: str, sections: dict[str, Any], account: dict[str, Any] | None = None) -> Any:
    infer(parse(text), SHAPE)
    return evaluate(parse(text), Env(SHAPE, context_data(sections, account or {}, 2026, None)))


# --- syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [("header.mode ==", 15), ("(header.years > 1", 18), ("header.years >> 2", 15), ("count(a b)", 9), ("a # b", 3)],
)
def test_text_that_is_not_an_expression_is_refused_with_the_column_where_reading_stopped(
    text: str, column: int
) -> None:
    with pytest.raises(ExprSyntaxError) as error:
        parse(text)
    assert error.value.column == column


def test_an_expression_is_parsed_never_evaluated_as_python() -> None:
    with pytest.raises(ExprSyntaxError):
        parse("__import__('os').system('true')")
    with pytest.raises(ExprTypeError):
        infer(parse("__import__(header.mode)"), SHAPE)


# --- types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('header.mode == "破格" and header.years >= 3', "bool"),
        ("years(header.work_start, declaration.year_end)", "number"),
        ('count(achievements, category == "获奖")', "number"),
        ('sum(training, amount(hours, "学时"))', "number"),
        ("min(training, start)", "date"),
        ('any(achievements, level in ["省级", "国家级"])', "bool"),
        ("add_years(account.birth_date, 16)", "date"),
        ("full_years(sum(training, span(start, start, declaration.year_end)))", "number"),
    ],
)
def test_well_typed_expressions_have_the_type_their_functions_promise(text: str, found: str) -> None:
    assert infer(parse(text), SHAPE).name == found


@pytest.mark.parametrize(
    ("text", "kind", "suggestion"),
    [
        ("header.work_start <= declaration.year", "type", None),
        ("header.mode and header.years > 1", "type", None),
        ("sum(achievements, category)", "type", None),
        ("header.work_strat <= declaration.year_end", "name", "work_start"),
        ("achievements.category", "type", None),
        ('header.mode == "破格格"', "value", "破格"),
        ('count(achievements, category in ["获将"])', "value", "获奖"),
        ("yaers(header.work_start, declaration.year_end)", "name", "years"),
        ("count(header)", "type", None),
        ("span(header.work_start, header.years, declaration.year_end)", "type", None),
        ("full_years(header.work_start)", "type", None),
    ],
)
def test_ill_typed_expressions_are_refused_saying_why(text: str, kind: str, suggestion: str | None) -> None:
    with pytest.raises(ExprTypeError) as error:
        infer(parse(text), SHAPE)
    assert error.value.kind == kind
    assert error.value.suggestion == suggestion


# --- evaluation ------------------------------------------------------------------------------


def test_counts_by_category_and_level_see_only_the_matching_rows() -> None:
    rows = [{"category": "获奖", "level": "省级"}, {"category": "获奖", "level": "市级"}, {"category": "专利"}]
    sections = {"achievements": {"rows": rows}}
    assert value('count(achievements, category == "获奖" and level in ["省级", "国家级"])', sections) == 1
    assert value("count(achievements)", sections) == 3
    assert value('none(achievements, level == "国家级")', sections) is True
    assert value('all(achievements, category == "获奖")', sections) is False


def test_hours_and_credits_are_never_added_together() -> None:
    rows = [{"hours": "60学时"}, {"hours": "2.5学分"}, {"hours": "30学时"}]
    sections = {"training": {"rows": rows}}
    assert value('sum(training, amount(hours, "学时"))', sections) == 90
    assert value('sum(training, amount(hours, "学分"))', sections) == Decimal("2.5")


def test_a_comparison_with_an_empty_field_is_neither_true_nor_false() -> None:
    assert value("header.work_start <= declaration.year_end", {"header": {}}) is None
    assert value("header.work_start <= declaration.year_end or header.years > 1", {"header": {"years": 2}}) is True
    assert value("header.work_start <= declaration.year_end and header.years > 1", {"header": {"years": 0}}) is False


def test_a_year_month_is_compared_by_its_month_with_a_full_date() -> None:
    account = {"birth_date": "1985-03-02"}
    assert value(
        "header.work_start >= add_years(account.birth_date, 16)", {"header": {"work_start": "2001.03"}}, account
    )
    assert not value(
        "header.work_start >= add_years(account.birth_date, 16)", {"header": {"work_start": "2001.02"}}, account
    )


@given(st.integers(1950, 2030), st.integers(1, 12), st.integers(1950, 2030), st.integers(1, 12), st.integers(0, 40))
def test_whole_years_never_count_an_anniversary_not_yet_reached(y1: int, m1: int, y2: int, m2: int, n: int) -> None:
    start, end = When(y1, m1), When(y2, m2)
    years = whole_years(start, end)
    assert years >= 0
    if (y2, m2) >= (y1 + n, m1):
        assert years >= n
    else:
        assert years < n or years == 0


@pytest.mark.parametrize(("text", "unit", "found"), [("90学时", "学时", 90), ("90学时", "学分", 0), ("abc", "学时", 0)])
def test_amount_reads_a_number_only_in_its_own_unit(text: str, unit: str, found: int) -> None:
    assert amount(text, unit) == found


def test_a_row_spans_its_first_and_last_month_and_an_open_end_runs_to_the_date_given() -> None:
    work = {"work": {"rows": [{"start": "2015.07", "end": "2016.06"}, {"start": "2016.07", "end": "至今"}]}}
    shape = {**SHAPE, "work": {ROWS_KEY: {"start": "date", "end": "date"}}}

    def months(text: str) -> Any:
        infer(parse(text), shape)
        return evaluate(parse(text), Env(shape, context_data(work, {}, 2026, None)))

    assert months("sum(work, span(start, end, declaration.year_end))") == 12 + 126
    assert months("full_years(sum(work, span(start, end, declaration.year_end)))") == 11
    assert months("full_years(sum(work, span(start, end, declaration.year_end), end < declaration.year_end))") == 1


@given(st.integers(1950, 2030), st.integers(1, 12), st.integers(0, 600))
def test_consecutive_rows_span_as_many_months_as_the_whole_period(year: int, month: int, split: int) -> None:
    """DEC-13 rows are contiguous: splitting a period into two rows never loses or adds a month."""
    start = When(year, month)
    end_index = year * 12 + month - 1 + 600
    end = When(end_index // 12, end_index % 12 + 1)
    cut = year * 12 + month - 1 + split
    first_end, second_start = When(cut // 12, cut % 12 + 1), When((cut + 1) // 12, (cut + 1) % 12 + 1)
    assert span(start, first_end) + span(second_start, end) == span(start, end) == 601


# --- rules over a declaration ----------------------------------------------------------------


RULE = {
    "id": "training_in_year",
    "rule": "DEC-20",
    "check": "start <= declaration.year_end",
    "when": None,
    "for_each": "training",
    "at": "start",
    "message": "{value}",
}


def test_a_per_row_rule_points_at_the_row_that_breaks_it() -> None:
    data = context_data({"training": {"rows": [{"start": "2024.01"}, {"start": "2027.03"}]}}, {}, 2026, None)
    found = list(run_declaration_rules([RULE], SHAPE, data))
    assert [(f.pointer, f.params["value"]) for f in found] == [("/sections/training/rows/1/start", "2027.03")]


def test_a_per_row_rule_passes_when_every_row_holds() -> None:
    data = context_data({"training": {"rows": [{"start": "2024.01"}, {"start": "2026.12"}]}}, {}, 2026, None)
    assert list(run_declaration_rules([RULE], SHAPE, data)) == []
