"""Rule kinds about dates within one object: not-before, whole-years."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vocabulary.formats import parse_when
from vocabulary.model import (
    Context,
    Dictionaries,
    RuleKind,
    Violation,
    field_schema,
    params_schema,
    string_value,
)

__all__ = ["KINDS", "open_schema", "whole_years_between"]

_COUNT_RE = re.compile(r"\s*(\d{1,4})\s*", re.ASCII)


def open_schema() -> dict[str, Any]:
    """The JSON Schema of an ``open`` param: the words that mean "until now"."""
    return {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}


def check_not_before(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name, than = params["field"], params["than"]
    value, than_value = string_value(item, name), string_value(item, than)
    if value is None or than_value is None or value in params.get("open", ()):
        return
    # An open `than` (or any unreadable value) is not judged here: format checks own it.
    later, earlier = parse_when(value), parse_when(than_value)
    if later is not None and earlier is not None and later < earlier:
        yield Violation((name,), {"than": than_value})


def whole_years_between(start: tuple[int, int, int], end: tuple[int, int, int]) -> int:
    """Full anniversaries of ``start`` reached by ``end``; never negative."""
    years = end[0] - start[0] - (1 if end[1:] < start[1:] else 0)
    return max(years, 0)


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        match = _COUNT_RE.fullmatch(value)
        if match:
            return int(match[1])
    return None


def check_whole_years(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name = params["field"]
    value = _count(item.get(name))
    since_value = string_value(item, params["since"])
    since = parse_when(since_value) if since_value is not None else None
    if value is None or since is None:
        return
    if params["until"] == "year-end":
        if context.year is None:
            return
        until = (context.year, 12, 31)
    else:
        until = (context.today.year, context.today.month, context.today.day)
    computed = whole_years_between(since, until)
    exact = params.get("compare", "at-most") == "equal"
    if value != computed if exact else value > computed:
        yield Violation((name,), {"computed": computed})


KINDS = (
    RuleKind(
        name="not-before",
        parameters=params_schema(
            {"field": field_schema(), "than": field_schema(), "open": open_schema()},
            ["field", "than"],
        ),
        field_params=("field", "than"),
        scope="item",
        check=check_not_before,
    ),
    RuleKind(
        name="whole-years",
        parameters=params_schema(
            {
                "field": field_schema(),
                "since": field_schema(),
                "until": {"enum": ["year-end", "today"]},
                "compare": {"enum": ["at-most", "equal"]},
            },
            ["field", "since", "until"],
        ),
        field_params=("field", "since"),
        scope="item",
        check=check_whole_years,
    ),
)
