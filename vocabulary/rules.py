"""The registry of rule kinds and the one way to run a compiled rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from vocabulary import kinds_dates, kinds_fields, kinds_lookup, kinds_rows
from vocabulary.conditions import holds
from vocabulary.model import Context, Dictionaries, RuleKind, Violation

__all__ = ["RULE_KINDS", "Context", "Dictionaries", "RuleKind", "Violation", "run_rule"]

RULE_KINDS: Mapping[str, RuleKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            *kinds_fields.KINDS,
            *kinds_dates.KINDS,
            *kinds_rows.KINDS,
            *kinds_lookup.KINDS,
        )
    }
)


def _rows(document: Mapping[str, Any]) -> Sequence[object]:
    rows = document.get("rows")
    # Anything but a list is the JSON Schema `type` check's to report.
    return rows if isinstance(rows, list) else []


def run_rule(
    rule: Mapping[str, Any],
    document: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    """Check one compiled rule against a document; paths are relative to the document.

    ``rule`` holds ``kind``, ``scope`` ("object" or "rows"), ``params`` and ``when``
    (a condition or None); other keys (message, rule, severity, ...) are ignored. With
    scope "rows" the condition selects rows, with scope "object" it tests the document.
    Raises ValueError for an unknown kind or a rows kind given scope "object"."""
    kind = RULE_KINDS.get(rule["kind"])
    if kind is None:
        raise ValueError(f"unknown rule kind {rule['kind']!r}")
    params: Mapping[str, Any] = rule.get("params") or {}
    when: Mapping[str, Any] | None = rule.get("when")
    scope = rule.get("scope") or "object"
    if scope not in ("object", "rows"):
        raise ValueError(f"unknown rule scope {scope!r}")

    if kind.scope == "rows":
        if scope != "rows":
            raise ValueError(f"rule kind {kind.name!r} checks rows and needs scope 'rows'")
        indexed = [
            (index, row) for index, row in enumerate(_rows(document)) if isinstance(row, Mapping) and holds(when, row)
        ]
        for violation in kind.check(params, indexed, context, dictionaries):
            yield Violation(("rows", *violation.path), violation.params)
    elif scope == "rows":
        for index, row in enumerate(_rows(document)):
            if isinstance(row, Mapping) and holds(when, row):
                for violation in kind.check(params, row, context, dictionaries):
                    yield Violation(("rows", index, *violation.path), violation.params)
    elif holds(when, document):
        yield from kind.check(params, document, context, dictionaries)
