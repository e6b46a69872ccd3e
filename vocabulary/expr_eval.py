"""Evaluating type-checked rule expressions against a declaration (ELIG-2).

Values are ``Decimal`` numbers, text, ``When`` dates, booleans, lists, or None for
what the applicant has not filled in. Missing values spread like SQL's NULL: a
comparison with a missing value is neither true nor false, so a rule over an empty
field is not judged (the section's own ``required`` check reports the gap).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from vocabulary.expr_parse import Binary, Call, ListLit, Literal, Node, Path, Unary
from vocabulary.expr_types import ROWS_KEY, leaf_kind
from vocabulary.formats import parse_date, parse_year_month

__all__ = ["Env", "Value", "When", "evaluate", "to_value", "when_of"]


@dataclass(frozen=True)
class When:
    """A date as precise as it was written: ``2015.10`` has no day."""

    year: int
    month: int
    day: int | None = None

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}.{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def key(self, other: When) -> tuple[int, ...]:
        """Compared at the coarser precision of the two: a month holds all its days."""
        if self.day is None or other.day is None:
            return (self.year, self.month)
        return (self.year, self.month, self.day)


Value = Decimal | str | bool | When | list[Any] | None


@dataclass(frozen=True)
class _Rows:
    shape: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Env:
    """``shape``: kinds of every readable name; ``data``: section id -> document, plus
    ``account`` and ``declaration`` mappings."""

    shape: Mapping[str, Any]
    data: Mapping[str, Any]


def when_of(value: object) -> When | None:
    if isinstance(value, date):
        return When(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    return _when_of_text(value)


@lru_cache(maxsize=4096)
def _when_of_text(value: str) -> When | None:
    """Parsed once per distinct text: a declaration repeats the same few dates in many rules
    (bench/bench_rules.py), and When is immutable, so sharing it is safe."""
    year_month = parse_year_month(value.strip())
    if year_month is not None:
        return When(*year_month)
    day = parse_date(value.strip())
    return When(day.year, day.month, day.day) if day is not None else None


def to_value(raw: object, kind: str) -> Value:
    """A stored field value as the expression sees it; unreadable counts as missing."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind == "number":
        if isinstance(raw, bool):
            return None
        try:
            return Decimal(str(raw).strip()) if isinstance(raw, int | str) else None
        except InvalidOperation:
            return None
    if kind == "date":
        return when_of(raw)
    if kind == "bool":
        return raw if isinstance(raw, bool) else None
    return str(raw).strip()


def _read(path: Path, env: Env, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> Any:
    if row_shape is not None and row is not None and path.parts[0] in row_shape:
        shape: Any = row_shape
        node: Any = row
    else:
        shape, node = env.shape, env.data
    for part in path.parts:
        shape = shape[part]
        # JSON documents are plain dicts: test that first, the Mapping ABC check is slow
        node = node.get(part) if type(node) is dict or isinstance(node, Mapping) else None
    if isinstance(shape, Mapping) and ROWS_KEY in shape:
        rows = node.get("rows") if isinstance(node, Mapping) else None
        items = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
        return _Rows(shape[ROWS_KEY], items)
    return to_value(node, leaf_kind(shape))


def _compare(op: str, left: Value, right: Value) -> bool | None:
    if left is None or right is None:
        return None
    a: Any = left
    b: Any = right
    if isinstance(left, When) and isinstance(right, When):
        a, b = left.key(right), right.key(left)
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _logic(op: str, left: Value, right: Value) -> bool | None:
    if op == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


def _binary(node: Binary, env: Env, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> Value:
    left = evaluate(node.left, env, row_shape, row)
    right = evaluate(node.right, env, row_shape, row)
    if node.op in ("and", "or"):
        return _logic(node.op, left, right)
    if node.op in ("+", "-"):
        if not isinstance(left, Decimal) or not isinstance(right, Decimal):
            return None
        return left + right if node.op == "+" else left - right
    if node.op in ("in", "not in"):
        if left is None or not isinstance(right, list):
            return None
        found = any(_compare("==", left, item) for item in right)
        return found if node.op == "in" else not found
    return _compare(node.op, left, right)


def whole_years(start: When, end: When) -> int:
    """Full anniversaries of start reached by end (a month without a day starts on the 1st)."""
    years = end.year - start.year
    if (end.month, end.day or 1) < (start.month, start.day or 1):
        years -= 1
    return max(years, 0)


def service_years(start: When, end: When, gap_months: Decimal) -> Decimal:
    """Whole years of service from start to end after deducting the months of a gap (DEC-8:
    under 4 years counts 3). A year counts once its anniversary is reached, as in the
    whole-years rule kind; a month without a day counts from its first day."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if (end.day or 1) < (start.day or 1):
        months -= 1
    return Decimal(max(months - int(gap_months), 0) // 12)


def _months(start: When, end: When) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if start.day is not None and end.day is not None and end.day < start.day:
        months -= 1
    return max(months, 0)


def span(start: When, end: When) -> int:
    """The months a row covers, its first and last month both included (DEC-13 rows: the next
    row starts in the month after this one ends), so 2015.07–2016.06 is 12 months."""
    return max((end.year - start.year) * 12 + end.month - start.month + 1, 0)


def _add_years(start: When, years: Decimal) -> When:
    year = start.year + int(years)
    if start.day is None:
        return When(year, start.month)
    return When(year, start.month, min(start.day, calendar.monthrange(year, start.month)[1]))


_AMOUNT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(\S*)\s*$")


def amount(text: str, unit: str) -> Decimal:
    """The number of ``90学时`` in unit 学时; 0 when written in another unit (DEC-21)."""
    match = _AMOUNT.match(text)
    if match is None or match[2] != unit:
        return Decimal(0)
    return Decimal(match[1])


def _aggregate(node: Call, env: Env, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> Value:
    rows = evaluate(node.args[0], env, row_shape, row)
    assert isinstance(rows, _Rows)
    name, args = node.name, node.args[1:]

    def each(arg: Node) -> list[Value]:
        return [evaluate(arg, env, rows.shape, item) for item in rows.rows]

    if name in ("any", "all", "none"):
        results = each(args[0])
        # any/none count the rows where the condition is true, like count(): a row with
        # an empty field is not a match. all() stays unknown while a row is unknown.
        if name == "any":
            return True in results
        if name == "none":
            return True not in results
        return False if False in results else (None if None in results else True)
    keep = [True] * len(rows.rows) if len(args) < (1 if name == "count" else 2) else [r is True for r in each(args[-1])]
    if name == "count":
        return Decimal(sum(keep))
    values = [v for v, k in zip(each(args[0]), keep, strict=True) if k and v is not None]
    if name == "sum":
        return sum((v for v in values if isinstance(v, Decimal)), Decimal(0))
    if not values:
        return None
    dates = [v for v in values if isinstance(v, When)]
    if dates:
        pick = min if name == "min" else max
        return pick(dates, key=lambda v: (v.year, v.month, v.day or 1))
    numbers = [v for v in values if isinstance(v, Decimal)]
    return (min if name == "min" else max)(numbers) if numbers else None


def _call(node: Call, env: Env, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> Value:
    if node.name in ("count", "sum", "min", "max", "any", "all", "none"):
        return _aggregate(node, env, row_shape, row)
    args = [evaluate(arg, env, row_shape, row) for arg in node.args]
    if node.name == "filled":
        return args[0] is not None
    if node.name == "service_years" and args[2] is None:
        args[2] = Decimal(0)  # no gap written: nothing to deduct
    if node.name == "span" and args[1] is None and args[0] is not None:
        args[1] = args[2]  # an open end (至今) runs to the date given for it
    if any(arg is None for arg in args):
        return None
    functions: dict[str, Callable[..., Value]] = {
        "years": lambda a, b: Decimal(whole_years(a, b)),
        "months": lambda a, b: Decimal(_months(a, b)),
        "year": lambda a: Decimal(a.year),
        "add_years": _add_years,
        "service_years": service_years,
        "amount": amount,
        "span": lambda a, b, _open: Decimal(span(a, b)),
        "full_years": lambda months: Decimal(int(months) // 12),
    }
    return functions[node.name](*args)


def evaluate(
    node: Node,
    env: Env,
    row_shape: Mapping[str, Any] | None = None,
    row: Mapping[str, Any] | None = None,
) -> Value:
    """The value of a type-checked expression (the generator checked it; the runtime trusts it)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Path):
        found = _read(node, env, row_shape, row)
        return found  # type: ignore[no-any-return]
    if isinstance(node, ListLit):
        return [evaluate(item, env, row_shape, row) for item in node.items]
    if isinstance(node, Unary):
        value = evaluate(node.operand, env, row_shape, row)
        if value is None:
            return None
        if node.op == "not":
            return not value
        return -value if isinstance(value, Decimal) else None
    if isinstance(node, Binary):
        return _binary(node, env, row_shape, row)
    return _call(node, env, row_shape, row)
