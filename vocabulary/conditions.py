"""Conditions (`when`): a mapping from field name to a test; all tests must hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CONDITION_SCHEMA", "as_text", "holds", "is_filled"]

OPERATORS = ("in", "not", "not_in", "filled")

_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_SCALARS: dict[str, Any] = {"type": "array", "items": _SCALAR, "minItems": 1}

# Self-contained (no $ref) so that it can be embedded in other schemas, e.g. the
# parameters of rule kinds that take a condition. Draft 2020-12.
CONDITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"minLength": 1},
    "additionalProperties": {
        "oneOf": [
            _SCALAR,
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
                "properties": {
                    "in": _SCALARS,
                    "not": _SCALAR,
                    "not_in": _SCALARS,
                    "filled": {"type": "boolean"},
                },
            },
        ]
    },
}


def is_filled(value: object) -> bool:
    """Not None, not a blank string, not an empty list or mapping."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return True


def as_text(value: object) -> str:
    """The text a value is compared as, so that the YAML number 1 equals the stored "1"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        # JSON spelling, not Python's "True".
        return "true" if value else "false"
    return str(value)


def _check_test(test: object) -> None:
    if isinstance(test, Mapping):
        if not test:
            raise ValueError("a condition test names no operator")
        unknown = [operator for operator in test if operator not in OPERATORS]
        if unknown:
            raise ValueError(f"unknown condition operator {unknown[0]!r}")
    elif isinstance(test, list | tuple | set):
        raise ValueError(f"a condition test must be a value or an operator: {test!r}")


def _passes(test: object, value: object) -> bool:
    if not isinstance(test, Mapping):
        return as_text(value) == as_text(test)
    text = as_text(value)
    for operator, operand in test.items():
        if operator == "in":
            ok = text in {as_text(option) for option in operand}
        elif operator == "not_in":
            ok = text not in {as_text(option) for option in operand}
        elif operator == "not":
            ok = text != as_text(operand)
        else:  # "filled", the only operator left after _check_test
            ok = is_filled(value) == bool(operand)
        if not ok:
            return False
    return True


def holds(when: Mapping[str, Any] | None, item: Mapping[str, Any]) -> bool:
    """Whether every test of the condition holds for the item; no condition always holds.

    A test is a value (the field equals it, compared as text) or a mapping with one
    operator: ``in``, ``not``, ``not_in``, ``filled``. Raises ValueError on an unknown
    operator (the generator rejects those before they reach the runtime)."""
    if not when:
        return True
    # Validate every test first so a bad condition fails the same way whatever the data.
    for test in when.values():
        _check_test(test)
    return all(_passes(test, item.get(field)) for field, test in when.items())
