"""Declaration-level rules: checks that read several sections and the account (ELIG-2).

A compiled rule (build/rules.json, from schemas/rules/*.yaml) holds::

    {"id": ..., "rule": "DEC-20", "severity": "error", "message": "...",
     "check": "<expression that must hold>", "when": "<expression>" | None,
     "for_each": "<rows section>" | None, "at": "<where the error shows>"}

With ``for_each`` the check runs once per row of that section, its bare names being
the row's fields; ``at`` is then a row field. Otherwise ``at`` is a dotted path such
as ``education.basis.graduated``. A rule fails only when its check is false: a
check over an empty field is not judged. The message's ``{value}`` is the value at
``at`` as the applicant wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from vocabulary.expr_eval import Env, evaluate
from vocabulary.expr_parse import Node, parse
from vocabulary.expr_types import ROWS_KEY

__all__ = ["Finding", "context_data", "parsed", "run_declaration_rules", "section_of", "with_computed"]


@dataclass(frozen=True)
class Finding:
    """One failed declaration rule: where (section and JSON-pointer parts below it)."""

    rule: Mapping[str, Any]
    section: str
    path: tuple[str | int, ...]
    params: Mapping[str, object]

    @property
    def pointer(self) -> str:
        parts = ("sections", self.section, *self.path)
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@lru_cache(maxsize=1024)
def parsed(text: str) -> Node:
    return parse(text)


def context_data(
    sections: Mapping[str, Any], account: Mapping[str, Any], year: int | None, today: Any
) -> dict[str, Any]:
    """What an expression may read: every section, the account, the declaration's year."""
    data: dict[str, Any] = dict(sections)
    data["account"] = dict(account)
    declaration: dict[str, Any] = {"today": today}
    if year is not None:
        declaration.update(year=year, year_end=f"{year:04d}-12-31")
    data["declaration"] = declaration
    return data


def _raw(document: Any, parts: Sequence[str]) -> object:
    node = document
    for part in parts:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _holds(text: str | None, env: Env, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> bool:
    return text is None or evaluate(parsed(text), env, row_shape, row) is True


def section_of(rule: Mapping[str, Any]) -> str:
    """The section a rule's failure is shown in: the section whose rows it checks, or the one
    its ``at`` names first."""
    return str(rule.get("for_each") or str(rule["at"]).split(".")[0])


def run_declaration_rules(
    rules: Sequence[Mapping[str, Any]], shape: Mapping[str, Any], data: Mapping[str, Any]
) -> Iterator[Finding]:
    """Every failure of the rules against one declaration's data (see ``context_data``)."""
    env = Env(shape=shape, data=data)
    for rule in rules:
        check, when, for_each = rule["check"], rule.get("when"), rule.get("for_each")
        if for_each:
            row_shape = shape[for_each][ROWS_KEY]
            rows = _raw(data, (for_each, "rows"))
            for index, row in enumerate(rows if isinstance(rows, list) else []):
                if not isinstance(row, Mapping) or not _holds(when, env, row_shape, row):
                    continue
                if evaluate(parsed(check), env, row_shape, row) is False:
                    at = str(rule["at"])
                    yield Finding(rule, for_each, ("rows", index, at), {"value": row.get(at, ""), "row": index + 1})
            continue
        if not _holds(when, env, None, None) or evaluate(parsed(check), env) is not False:
            continue
        section, *below = str(rule["at"]).split(".")
        value = _raw(data, (section, *below))
        yield Finding(rule, section_of(rule), tuple(below), {"value": "" if value is None else value})


def with_computed(
    compiled: Mapping[str, Any], document: Mapping[str, Any], shape: Mapping[str, Any], data: Mapping[str, Any]
) -> dict[str, Any]:
    """The section with its ``computed`` fields worked out (DEC-8 聘任年限): whatever was
    typed there is replaced; a value that cannot be worked out yet is left empty."""
    section = str(compiled["id"])
    result: dict[str, Any] = dict(document)
    env = Env(shape=shape, data={**data, section: result})

    def value(expression: str, row_shape: Mapping[str, Any] | None, row: Mapping[str, Any] | None) -> object:
        found = evaluate(parsed(expression), env, row_shape, row)
        return int(found) if isinstance(found, Decimal) else None

    for field in compiled.get("fields") or []:
        if field.get("computed"):
            result[field["id"]] = value(field["computed"], None, None)
    row_fields = [f for f in (compiled.get("rows") or {}).get("fields") or [] if f.get("computed")]
    rows = result.get("rows")
    if row_fields and isinstance(rows, list):
        row_shape = shape[section][ROWS_KEY]
        new_rows = []
        for row in rows:
            if isinstance(row, Mapping):
                row = dict(row)
                for field in row_fields:
                    row[field["id"]] = value(field["computed"], row_shape, row)
            new_rows.append(row)
        result["rows"] = new_rows
    return result
