"""Eligibility tables (ELIG-1): which combination of conditions allows declaring.

A compiled level of a table (build/eligibility.json) holds its ``measures`` (named
expressions over the declaration, with a title and a unit) and its ``rows`` (each a
combination: measure -> requirement, where a requirement is ``{"in": [...]}``,
``{"at_least": n}`` or ``{"at_most": n}``). The applicant meets the level when one
row holds entirely; otherwise the *nearest* row — fewest requirements missing, then
the smallest shortfall — says exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vocabulary.declaration_rules import parsed
from vocabulary.expr_eval import Env, Value, evaluate

__all__ = ["Gap", "Outcome", "assess", "find_level", "message"]


@dataclass(frozen=True)
class Gap:
    """One requirement of a row that the declaration does not meet."""

    measure: str
    title: str
    unit: str
    requirement: Mapping[str, Any]
    actual: Value
    shortfall: Decimal = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    met: bool
    row: Mapping[str, Any] | None  # the met row, or the nearest one
    gaps: tuple[Gap, ...] = ()
    values: Mapping[str, Value] = field(default_factory=dict)


def _number(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


def _gap(name: str, measure: Mapping[str, Any], requirement: Any, actual: Value) -> Gap | None:
    title, unit = str(measure.get("title", name)), str(measure.get("unit", ""))
    if not isinstance(requirement, Mapping):
        requirement = {"in": [requirement]}
    if "in" in requirement:
        wanted = [str(option) for option in requirement["in"]]
        if actual is not None and str(actual) in wanted:
            return None
        return Gap(name, title, unit, requirement, actual, Decimal(1))
    limit = _number(requirement.get("at_least", requirement.get("at_most")))
    number = _number(actual)
    if number is None or limit is None:
        return Gap(name, title, unit, requirement, actual, Decimal(100))
    if "at_least" in requirement:
        return None if number >= limit else Gap(name, title, unit, requirement, actual, limit - number)
    return None if number <= limit else Gap(name, title, unit, requirement, actual, number - limit)


def assess(level: Mapping[str, Any], shape: Mapping[str, Any], data: Mapping[str, Any]) -> Outcome:
    """Whether the declaration meets a row of this level of a table, or how near it comes."""
    env = Env(shape=shape, data=data)
    measures: Mapping[str, Mapping[str, Any]] = level["measures"]
    values = {name: evaluate(parsed(m["value"]), env) for name, m in measures.items()}
    best: tuple[tuple[int, int, Decimal, int], Mapping[str, Any], tuple[Gap, ...]] | None = None
    for position, row in enumerate(level["rows"]):
        gaps = tuple(
            gap
            for name, requirement in row["conditions"].items()
            if (gap := _gap(name, measures[name], requirement, values[name])) is not None
        )
        if not gaps:
            return Outcome(True, row, (), values)
        # A missing education or mode is further away than years still to serve: rank
        # categorical gaps first, then numeric ones, then by how much is still short.
        categorical = sum(1 for g in gaps if "in" in g.requirement)
        numeric = [g.shortfall for g in gaps if "in" not in g.requirement]
        rank = (categorical, len(numeric), sum(numeric, Decimal(0)), position)
        if best is None or rank < best[0]:
            best = (rank, row, gaps)
    assert best is not None  # the generator refuses a level without rows
    return Outcome(False, best[1], best[2], values)


def find_level(tables: Mapping[str, Any], series: object, level: object) -> tuple[str, Mapping[str, Any]] | None:
    """The table and level that govern a series x level, if policy gives one."""
    for table_id, table in tables.items():
        if series in table["series"] and level in table["levels"]:
            return table_id, table["levels"][level]
    return None


def _fill(template: str, values: Mapping[str, object]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _shown(value: Value, texts: Mapping[str, str]) -> str:
    if value is None:
        return texts.get("eligibility_not_filled", "")
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    return str(value)


def describe_gap(gap: Gap, texts: Mapping[str, str]) -> str:
    requirement = gap.requirement
    values: dict[str, object] = {"measure": gap.title, "unit": gap.unit, "actual": _shown(gap.actual, texts)}
    if "in" in requirement:
        values["options"] = "、".join(str(o) for o in requirement["in"])
        key = "eligibility_need_in"
    else:
        key = "eligibility_need_at_least" if "at_least" in requirement else "eligibility_need_at_most"
        limit = _number(requirement.get("at_least", requirement.get("at_most")))
        values["limit"] = _shown(limit, texts)
        values["short"] = _shown(gap.shortfall, texts)
    if gap.actual is None:
        key = key + "_unknown"
    return _fill(texts.get(key, ""), values)


def message(outcome: Outcome, texts: Mapping[str, str]) -> str:
    """The applicant's sentence: the row they meet, or the nearest row and what is missing."""
    row_title = str((outcome.row or {}).get("title", ""))
    if outcome.met:
        return _fill(texts.get("eligibility_met", ""), {"row": row_title})
    missing = texts.get("eligibility_separator", ";").join(describe_gap(g, texts) for g in outcome.gaps)
    return _fill(texts.get("eligibility_nearest", ""), {"row": row_title, "missing": missing})


def gaps_as_dicts(gaps: Sequence[Gap], texts: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {"measure": g.measure, "title": g.title, "actual": _shown(g.actual, texts), "missing": describe_gap(g, texts)}
        for g in gaps
    ]
