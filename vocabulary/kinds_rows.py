"""Rule kinds across the rows of a table: contiguous, ordered, unique, yearly-minimum.

Each check receives ``[(index, row), ...]`` and yields paths starting with the index."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vocabulary.conditions import CONDITION_SCHEMA, as_text, holds, is_filled
from vocabulary.formats import parse_when, parse_year_month
from vocabulary.kinds_dates import open_schema
from vocabulary.model import (
    Context,
    Dictionaries,
    IndexedRows,
    RuleKind,
    Violation,
    field_schema,
    params_schema,
    string_value,
)

__all__ = ["KINDS"]


# --- contiguous ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    index: int
    start: tuple[int, int]
    end: tuple[int, int] | None  # None: open, empty or unreadable
    is_open: bool
    end_text: str


def _next_month(year_month: tuple[int, int]) -> tuple[int, int]:
    year, month = year_month
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _spans(params: Mapping[str, Any], rows: IndexedRows) -> list[_Span]:
    open_words = params.get("open", ())
    spans = []
    for index, row in rows:
        start_text = string_value(row, params["start"])
        start = parse_year_month(start_text) if start_text is not None else None
        if start is None:
            continue  # an unreadable start is the format check's to report
        end_text = string_value(row, params["end"]) or ""
        is_open = end_text in open_words
        end = None if is_open else parse_year_month(end_text)
        spans.append(_Span(index, start, end, is_open, end_text))
    return spans


def check_contiguous(
    params: Mapping[str, Any],
    rows: IndexedRows,
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    start, end = params["start"], params["end"]
    spans = _spans(params, rows)
    pairs = list(itertools.pairwise(spans))
    unsorted = [(before, after) for before, after in pairs if after.start < before.start]
    # Each failure kind carries what its own message needs (DEC-13): the rows by number,
    # and for a gap the months missing, so the applicant knows exactly what to fix.
    if unsorted:
        # Gaps and overlaps between neighbours mean nothing until the rows are sorted.
        for before, after in unsorted:
            yield Violation((after.index, start), {"problem": "order", **_rows_named(before, after)})
        return
    previous_end = ""
    for before, after in pairs:
        if before.is_open:
            yield Violation(
                (before.index, end),
                {"problem": "open_not_last", **_rows_named(before, after), "previous_end": previous_end},
            )
        elif before.end is not None:
            # Starting in the month the previous row ended, or the month after, is contiguous.
            if after.start < before.end:
                yield Violation((after.index, start), {"problem": "overlap", **_rows_named(before, after)})
            elif after.start > _next_month(before.end):
                first, last = _next_month(before.end), _previous_month(after.start)
                months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
                gap = {"missing_from": _text(first), "missing_to": _text(last), "months": months}
                yield Violation((after.index, start), {"problem": "gap", **_rows_named(before, after), **gap})
        previous_end = before.end_text


def _rows_named(before: _Span, after: _Span) -> dict[str, object]:
    return {"previous_end": before.end_text, "previous_row": before.index + 1, "row": after.index + 1}


def _previous_month(year_month: tuple[int, int]) -> tuple[int, int]:
    year, month = year_month
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _text(year_month: tuple[int, int]) -> str:
    return f"{year_month[0]:04d}.{year_month[1]:02d}"


# --- ordered -------------------------------------------------------------------------------


def check_ordered(
    params: Mapping[str, Any],
    rows: IndexedRows,
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name = params["field"]
    descending = params.get("order", "ascending") == "descending"
    previous: tuple[int, int, int] | None = None
    for index, row in rows:
        text = string_value(row, name)
        value = parse_when(text) if text is not None else None
        if value is None:
            continue
        if previous is not None and (value > previous if descending else value < previous):
            yield Violation((index, name))
        previous = value


# --- unique --------------------------------------------------------------------------------


def check_unique(
    params: Mapping[str, Any],
    rows: IndexedRows,
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    names = params["fields"]
    first_seen: dict[tuple[str, ...], int] = {}
    for index, row in rows:
        values = [row.get(name) for name in names]
        if not all(is_filled(value) for value in values):
            continue
        # Surrounding blanks are typing noise, not a different award.
        key = tuple(as_text(value).strip() for value in values)
        if key in first_seen:
            yield Violation((index, names[0]), {"first_row": first_seen[key] + 1})
        else:
            first_seen[key] = index


# --- yearly-minimum ------------------------------------------------------------------------

_LEADING_NUMBER_RE = re.compile(r"\s*(\d+(?:\.\d+)?)", re.ASCII)


def _leading_number(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        match = _LEADING_NUMBER_RE.match(value)
        if match:
            return Decimal(match[1])
    return Decimal(0)


def _in_unit(value: object, unit: str | None, convert: Mapping[str, Any]) -> Decimal:
    """The amount in the rule's unit (DEC-21): ``90学时`` counts for 学时; ``2.5学分`` counts
    only through a policy conversion factor, never as 2.5 学时. Without a unit, the
    leading number whatever follows it."""
    number = _leading_number(value)
    if unit is None:
        return number
    written = _LEADING_NUMBER_RE.sub("", value, count=1).strip() if isinstance(value, str) else unit
    if written == unit:
        return number
    factor = convert.get(written)
    return number * Decimal(str(factor)) if factor is not None else Decimal(0)


def _plain(number: Decimal) -> int | float:
    """A total as the message should show it: 12, not 12.0 nor Decimal('12')."""
    return int(number) if number == number.to_integral_value() else float(number)


def check_yearly_minimum(
    params: Mapping[str, Any],
    rows: IndexedRows,
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    year_of, amount, where = params["year_of"], params["amount"], params.get("where")
    minimum = Decimal(str(params["minimum"]))
    first_row: dict[int, int] = {}
    totals: dict[int, Decimal] = {}
    for index, row in rows:
        text = string_value(row, year_of)
        when = parse_when(text) if text is not None else None
        if when is None:
            continue
        # Every dated row makes its year count, even when `where` leaves its amount out:
        # a year with only non-counting rows then totals 0.
        year = when[0]
        first_row.setdefault(year, index)
        totals.setdefault(year, Decimal(0))
        if holds(where, row):
            totals[year] += _in_unit(row.get(amount), params.get("unit"), params.get("convert") or {})
    for year, index in first_row.items():
        if totals[year] < minimum:
            yield Violation(
                (index, amount),
                {"year": year, "total": _plain(totals[year]), "minimum": params["minimum"]},
            )


KINDS = (
    RuleKind(
        name="contiguous",
        parameters=params_schema(
            {"start": field_schema(), "end": field_schema(), "open": open_schema()},
            ["start", "end"],
        ),
        field_params=("start", "end"),
        scope="rows",
        check=check_contiguous,
    ),
    RuleKind(
        name="ordered",
        parameters=params_schema(
            {"field": field_schema(), "order": {"enum": ["ascending", "descending"]}},
            ["field"],
        ),
        field_params=("field",),
        scope="rows",
        check=check_ordered,
    ),
    RuleKind(
        name="unique",
        parameters=params_schema(
            {
                "fields": {
                    "type": "array",
                    "items": field_schema(),
                    "minItems": 1,
                    "uniqueItems": True,
                }
            },
            ["fields"],
        ),
        field_params=("fields",),
        scope="rows",
        check=check_unique,
    ),
    RuleKind(
        name="yearly-minimum",
        parameters=params_schema(
            {
                "year_of": field_schema(),
                "amount": field_schema(),
                "minimum": {"type": "number", "minimum": 0},
                "where": copy.deepcopy(CONDITION_SCHEMA),
                "unit": {"type": "string", "minLength": 1},
                "convert": {
                    "type": "object",
                    "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
                },
            },
            ["year_of", "amount", "minimum"],
        ),
        field_params=("year_of", "amount"),
        condition_params=("where",),
        scope="rows",
        check=check_yearly_minimum,
    ),
)
