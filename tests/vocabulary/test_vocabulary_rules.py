"""Every rule kind, run the way the runtime runs it: compiled rules through run_rule."""

from datetime import date
from typing import Any

import pytest

from vocabulary.rules import Context, Dictionaries, Violation, run_rule

CONTEXT = Context(year=2026, today=date(2026, 6, 1))
OPEN = ["至今"]


def compiled(
    kind: str, params: dict[str, Any], scope: str = "object", when: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "scope": scope,
        "params": params,
        "when": when,
        "message": "ignored here",
        "rule": "TEST-1",
        "severity": "error",
    }


def violations(
    rule: dict[str, Any],
    document: dict[str, Any],
    context: Context = CONTEXT,
    dictionaries: Dictionaries | None = None,
) -> list[Violation]:
    return list(run_rule(rule, document, context, dictionaries or {}))


def paths(rule: dict[str, Any], document: dict[str, Any], **kwargs: Any) -> list[tuple[Any, ...]]:
    return [violation.path for violation in violations(rule, document, **kwargs)]


# --- run_rule ------------------------------------------------------------------------------


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rule kind"):
        violations(compiled("no-such-kind", {}), {})


def test_a_rows_kind_needs_the_rows_scope() -> None:
    with pytest.raises(ValueError, match="scope"):
        violations(compiled("unique", {"fields": ["a"]}), {"rows": []})


def test_an_object_rule_applies_only_where_its_condition_holds_on_the_document() -> None:
    rule = compiled("match", {"field": "code", "pattern": "^A"}, when={"kind": "x"})
    assert paths(rule, {"kind": "x", "code": "B"}) == [("code",)]
    assert paths(rule, {"kind": "y", "code": "B"}) == []


def test_an_item_kind_with_rows_scope_is_checked_on_each_row_it_applies_to() -> None:
    rule = compiled("match", {"field": "code", "pattern": "^A"}, "rows", when={"kind": "x"})
    document = {
        "rows": [
            {"kind": "x", "code": "A1"},
            {"kind": "x", "code": "B1"},
            {"kind": "y", "code": "B2"},
            "not a row",
            {"kind": "x", "code": "C"},
        ]
    }
    assert paths(rule, document) == [("rows", 1, "code"), ("rows", 4, "code")]


def test_a_document_without_rows_has_no_row_violations() -> None:
    rule = compiled("match", {"field": "code", "pattern": "^A"}, "rows")
    assert paths(rule, {}) == []
    assert paths(rule, {"rows": "garbage"}) == []


# --- required-if ---------------------------------------------------------------------------

REQUIRED_IF = compiled("required-if", {"field": "exception", "when": {"mode": "破格"}})


def test_required_if_reports_the_empty_field_where_the_condition_holds() -> None:
    assert paths(REQUIRED_IF, {"mode": "破格"}) == [("exception",)]
    assert paths(REQUIRED_IF, {"mode": "破格", "exception": "  "}) == [("exception",)]


def test_required_if_accepts_a_filled_field_or_a_condition_that_does_not_hold() -> None:
    assert paths(REQUIRED_IF, {"mode": "破格", "exception": "学历破格"}) == []
    assert paths(REQUIRED_IF, {"mode": "正常"}) == []


def test_required_if_on_rows() -> None:
    rule = compiled("required-if", {"field": "b", "when": {"a": {"filled": True}}}, "rows")
    document = {"rows": [{"a": "1", "b": "2"}, {"a": "1"}, {}]}
    assert paths(rule, document) == [("rows", 1, "b")]


# --- not-before ----------------------------------------------------------------------------

NOT_BEFORE = compiled("not-before", {"field": "end", "than": "start", "open": OPEN}, "rows")


def test_not_before_reports_an_end_before_its_start() -> None:
    document = {"rows": [{"start": "2015.07", "end": "2018.06"}, {"start": "2018.07", "end": "2018.05"}]}
    found = violations(NOT_BEFORE, document)
    assert [(v.path, dict(v.params)) for v in found] == [(("rows", 1, "end"), {"than": "2018.07"})]


def test_not_before_accepts_the_same_month_an_open_end_and_dates() -> None:
    document = {
        "rows": [
            {"start": "2015.07", "end": "2015.07"},
            {"start": "2018.07", "end": "至今"},
            {"start": "2018-07-02", "end": "2018.07"},  # 1 July is before 2 July
            {"start": "2018-07-01", "end": "2018.07"},
        ]
    }
    assert paths(NOT_BEFORE, document) == [("rows", 2, "end")]


def test_not_before_skips_empty_and_unreadable_values() -> None:
    document = {"rows": [{"start": "2015.07"}, {"start": "2015.7", "end": "2014.01"}, {"end": "1"}]}
    assert paths(NOT_BEFORE, document) == []


# --- contiguous ----------------------------------------------------------------------------

CONTIGUOUS = compiled("contiguous", {"start": "start", "end": "end", "open": OPEN}, "rows")


def history(*spans: tuple[str, str]) -> dict[str, Any]:
    return {"rows": [{"start": start, "end": end} for start, end in spans]}


def problems(document: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, object]]:
    return [(v.path, str(v.params["problem"]), v.params["previous_end"]) for v in violations(CONTIGUOUS, document)]


def test_contiguous_accepts_rows_starting_in_the_end_month_or_the_month_after() -> None:
    document = history(("2010.09", "2014.06"), ("2014.07", "2018.12"), ("2018.12", "2020.12"), ("2021.01", "至今"))
    assert problems(document) == []


def test_contiguous_reports_a_gap() -> None:
    assert problems(history(("2010.09", "2014.06"), ("2014.09", "至今"))) == [(("rows", 1, "start"), "gap", "2014.06")]


def test_contiguous_reports_an_overlap() -> None:
    assert problems(history(("2010.09", "2014.06"), ("2014.05", "至今"))) == [
        (("rows", 1, "start"), "overlap", "2014.06")
    ]


def test_contiguous_reports_unsorted_rows_before_anything_else() -> None:
    document = history(("2014.07", "至今"), ("2010.09", "2014.06"), ("2016.01", "2017.01"))
    assert problems(document) == [(("rows", 1, "start"), "order", "至今")]


def test_contiguous_reports_an_open_end_that_is_not_last() -> None:
    document = history(("2010.09", "2014.06"), ("2014.07", "至今"), ("2016.01", "至今"))
    assert problems(document) == [(("rows", 1, "end"), "open_not_last", "2014.06")]


def test_contiguous_accepts_a_year_end_boundary_and_skips_unreadable_starts() -> None:
    document = history(("2010.09", "2014.12"), ("", ""), ("2015.01", "2015.03"))
    assert problems(document) == []


def test_contiguous_only_sees_the_rows_its_condition_selects() -> None:
    rule = compiled("contiguous", {"start": "start", "end": "end"}, "rows", when={"kind": {"not": "兼职"}})
    document = {
        "rows": [
            {"start": "2010.01", "end": "2012.12", "kind": "全职"},
            {"start": "2011.01", "end": "2011.06", "kind": "兼职"},
            {"start": "2013.01", "end": "2014.12", "kind": "全职"},
            {"start": "2016.01", "end": "2017.12", "kind": "全职"},
        ]
    }
    assert paths(rule, document) == [("rows", 3, "start")]


# --- ordered -------------------------------------------------------------------------------


def test_ordered_reports_rows_out_of_ascending_order() -> None:
    rule = compiled("ordered", {"field": "date"}, "rows")
    document = {"rows": [{"date": "2015.01"}, {"date": "2016.05"}, {"date": "2016-01-20"}, {}]}
    assert paths(rule, document) == [("rows", 2, "date")]


def test_ordered_accepts_descending_order_and_skips_unreadable_values() -> None:
    rule = compiled("ordered", {"field": "date", "order": "descending"}, "rows")
    document = {"rows": [{"date": "2020.01"}, {"date": "draft"}, {"date": "2020.01"}, {"date": "2019.12"}]}
    assert paths(rule, document) == []
    document["rows"].append({"date": "2021.01"})
    assert paths(rule, document) == [("rows", 4, "date")]


# --- unique --------------------------------------------------------------------------------

UNIQUE = compiled("unique", {"fields": ["award", "year"]}, "rows")


def test_unique_reports_every_repeat_of_an_earlier_row() -> None:
    document = {
        "rows": [
            {"award": "科技进步奖", "year": "2019"},
            {"award": "科技进步奖", "year": "2020"},
            {"award": "科技进步奖 ", "year": "2019"},
            {"award": "科技进步奖", "year": "2019"},
        ]
    }
    found = violations(UNIQUE, document)
    assert [(v.path, dict(v.params)) for v in found] == [
        (("rows", 2, "award"), {"first_row": 1}),
        (("rows", 3, "award"), {"first_row": 1}),
    ]


def test_unique_ignores_rows_with_an_empty_value() -> None:
    document = {"rows": [{"award": "科技进步奖"}, {"award": "科技进步奖", "year": ""}]}
    assert paths(UNIQUE, document) == []


# --- match ---------------------------------------------------------------------------------


def test_match_checks_filled_strings_only() -> None:
    rule = compiled("match", {"field": "name", "pattern": r"^《.+》$"})
    assert paths(rule, {"name": "《论文》"}) == []
    assert paths(rule, {"name": "论文"}) == [("name",)]
    assert paths(rule, {"name": ""}) == []
    assert paths(rule, {}) == []


# --- equals --------------------------------------------------------------------------------


def test_equals_compares_two_fields_treating_missing_as_empty() -> None:
    rule = compiled("equals", {"field": "confirm", "other": "password"})
    assert paths(rule, {"password": "s3cret", "confirm": "s3cret"}) == []
    assert paths(rule, {}) == []
    assert paths(rule, {"password": "s3cret", "confirm": "secret"}) == [("confirm",)]
    assert paths(rule, {"password": "s3cret"}) == [("confirm",)]


# --- id-card-agrees ------------------------------------------------------------------------

AGREES = compiled(
    "id-card-agrees",
    {
        "id_field": "id",
        "birth_field": "birth",
        "sex_field": "sex",
        "sexes": {"odd": "男", "even": "女"},
    },
)


def test_id_card_agrees_accepts_matching_birth_date_and_sex() -> None:
    assert paths(AGREES, {"id": "11010519491231002X", "birth": "1949-12-31", "sex": "女"}) == []
    assert paths(AGREES, {"id": "371002199001011237", "birth": "1990-01-01", "sex": "男"}) == []


def test_id_card_agrees_reports_what_the_number_says() -> None:
    found = violations(AGREES, {"id": "11010519491231002X", "birth": "1949-12-30", "sex": "男"})
    assert [(v.path, dict(v.params)) for v in found] == [
        (("birth",), {"expected": "1949-12-31"}),
        (("sex",), {"expected": "女"}),
    ]


def test_id_card_agrees_ignores_invalid_numbers_and_empty_or_unreadable_fields() -> None:
    assert paths(AGREES, {"id": "360426199101010072", "birth": "2000-01-01", "sex": "女"}) == []
    assert paths(AGREES, {"id": "11010519491231002X"}) == []
    assert paths(AGREES, {"id": "11010519491231002X", "birth": "1949.12", "sex": ""}) == []


# --- whole-years ---------------------------------------------------------------------------


def whole_years(**params: Any) -> dict[str, Any]:
    return compiled("whole-years", {"field": "years", "since": "appointed", **params})


def test_whole_years_counts_to_the_end_of_the_declaration_year() -> None:
    rule = whole_years(until="year-end")
    found = violations(rule, {"appointed": "2020.07", "years": 7})
    assert [(v.path, dict(v.params)) for v in found] == [(("years",), {"computed": 6})]
    assert paths(rule, {"appointed": "2020.07", "years": 6}) == []
    assert paths(rule, {"appointed": "2020.07", "years": "5"}) == []


def test_whole_years_can_demand_the_exact_count() -> None:
    rule = whole_years(until="year-end", compare="equal")
    assert paths(rule, {"appointed": "2020.07", "years": "6"}) == []
    assert paths(rule, {"appointed": "2020.07", "years": "5"}) == [("years",)]


def test_whole_years_counts_to_today_in_full_anniversaries() -> None:
    rule = whole_years(until="today", compare="equal")
    today = Context(year=None, today=date(2026, 6, 1))
    assert paths(rule, {"appointed": "2020-06-01", "years": 6}, context=today) == []
    assert paths(rule, {"appointed": "2020-06-02", "years": 5}, context=today) == []
    assert paths(rule, {"appointed": "2030.01", "years": 0}, context=today) == []


def test_whole_years_skips_what_it_cannot_compute() -> None:
    rule = whole_years(until="year-end")
    assert paths(rule, {"appointed": "2020.07", "years": 7}, context=Context()) == []
    assert paths(rule, {"appointed": "", "years": 7}) == []
    assert paths(rule, {"appointed": "2020.07", "years": "seven"}) == []


# --- yearly-minimum ------------------------------------------------------------------------

YEARLY = compiled(
    "yearly-minimum",
    {"year_of": "date", "amount": "hours", "minimum": 72, "where": {"kind": {"not": "其他"}}},
    "rows",
)


def test_yearly_minimum_reports_each_short_year_at_its_first_row() -> None:
    document = {
        "rows": [
            {"date": "2023.03", "hours": "40学时", "kind": "公需"},
            {"date": "2023.09", "hours": "32", "kind": "专业"},
            {"date": "2024.03", "hours": "40.5学时", "kind": "公需"},
            {"date": "2024.05", "hours": "100", "kind": "其他"},
            {"date": "2025.01", "hours": 72, "kind": "专业"},
            {"date": "2026.01", "hours": "100", "kind": "其他"},
            {"date": "", "hours": "100", "kind": "专业"},
        ]
    }
    found = violations(YEARLY, document)
    assert [(v.path, dict(v.params)) for v in found] == [
        (("rows", 2, "hours"), {"year": 2024, "total": 40.5, "minimum": 72}),
        (("rows", 5, "hours"), {"year": 2026, "total": 0, "minimum": 72}),
    ]


def test_yearly_minimum_accepts_years_that_reach_the_minimum() -> None:
    document = {"rows": [{"date": "2023-03-01", "hours": "36"}, {"date": "2023.10", "hours": "36"}]}
    assert paths(YEARLY, document) == []


def test_yearly_minimum_years_come_from_the_rows_the_rule_applies_to() -> None:
    rule = compiled(
        "yearly-minimum",
        {"year_of": "date", "amount": "hours", "minimum": 10},
        "rows",
        when={"kind": "专业"},
    )
    document = {"rows": [{"date": "2023.01", "hours": "1", "kind": "公需"}]}
    assert paths(rule, document) == []


# --- cascade -------------------------------------------------------------------------------

SERIES: Dictionaries = {
    "series": [
        {
            "value": "档案",
            "label": "档案",
            "titles": {"正高级": ["研究馆员"], "初级": ["助理馆员", "管理员"]},
            "specialties": ["档案管理", "档案保护技术"],
        }
    ]
}
CASCADE = compiled(
    "cascade",
    {
        "dictionary": "series",
        "key": "series",
        "checks": [
            {"field": "title", "member_of": "titles.{level}"},
            {"field": "level", "member_of": "titles"},
            {"field": "specialty", "member_of": "specialties"},
        ],
    },
)


def cascade(document: dict[str, Any]) -> list[tuple[tuple[Any, ...], dict[str, object]]]:
    return [(v.path, dict(v.params)) for v in violations(CASCADE, document, dictionaries=SERIES)]


def test_cascade_accepts_values_the_entry_lists() -> None:
    document = {"series": "档案", "level": "初级", "title": "管理员", "specialty": "档案管理"}
    assert cascade(document) == []


def test_cascade_reports_values_the_entry_does_not_list() -> None:
    document = {"series": "档案", "level": "正高级", "title": "管理员", "specialty": "会计"}
    assert cascade(document) == [
        (("title",), {"value": "管理员"}),
        (("specialty",), {"value": "会计"}),
    ]


def test_cascade_reports_a_missing_attribute_path() -> None:
    document = {"series": "档案", "level": "中级", "title": "馆员"}
    assert cascade(document) == [(("title",), {"value": "馆员"}), (("level",), {"value": "中级"})]


def test_cascade_skips_empty_fields_unknown_keys_and_empty_placeholders() -> None:
    assert cascade({"series": "档案", "title": "馆员"}) == []
    assert cascade({"series": "会计", "level": "中级", "title": "馆员"}) == []
    assert cascade({"level": "中级", "title": "馆员"}) == []
