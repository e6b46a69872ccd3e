"""The types rule kinds are made of, kept apart from the kinds so each kind module can
import them without importing the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

__all__ = [
    "Context",
    "Dictionaries",
    "IndexedRows",
    "RuleKind",
    "Violation",
    "field_schema",
    "params_schema",
    "string_value",
]

Dictionaries = Mapping[str, Sequence[Mapping[str, Any]]]
"""Dictionary id -> entries, each ``{"value": ..., "label": ..., **attributes}``."""

IndexedRows = Sequence[tuple[int, Mapping[str, Any]]]
"""The rows a rows-kind check sees: (index in the document's rows, row)."""


@dataclass(frozen=True)
class Context:
    """What a check may know beyond the document."""

    year: int | None = None  # the declaration year (from the notice)
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class Violation:
    """One place where a rule does not hold.

    ``path`` holds JSON-pointer parts relative to the document, e.g. ("rows", 2, "end");
    ``params`` the values for the message's ``{placeholders}``."""

    path: tuple[str | int, ...]
    params: Mapping[str, object] = field(default_factory=dict)


def _no_more_fields(params: Mapping[str, Any]) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class RuleKind:
    """A named cross-field or cross-row check.

    ``parameters`` is the JSON Schema (2020-12) of the rule's params. ``field_params``
    name the params whose values are field names (a str or a list of str);
    ``condition_params`` those holding a condition, whose keys are field names;
    ``more_fields`` finds field names nested deeper (e.g. in cascade checks).

    A "item" kind's check is ``(params, item, context, dictionaries)`` and runs on one
    object (the document or each row); a "rows" kind's check is
    ``(params, indexed_rows, context, dictionaries)`` and yields paths that start with
    the row index."""

    name: str
    parameters: dict[str, Any]
    field_params: tuple[str, ...]
    scope: Literal["item", "rows"]
    check: Callable[..., Iterator[Violation]]
    condition_params: tuple[str, ...] = ()
    more_fields: Callable[[Mapping[str, Any]], Iterable[str]] = _no_more_fields

    def fields_named(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Every field name the params refer to, in order, without repeats."""
        names: list[str] = []
        for param in self.field_params:
            value = params.get(param)
            names.extend([value] if isinstance(value, str) else value or ())
        for param in self.condition_params:
            names.extend(params.get(param) or ())
        names.extend(self.more_fields(params))
        return tuple(dict.fromkeys(names))


def field_schema() -> dict[str, Any]:
    """The JSON Schema of a param naming a field."""
    return {"type": "string", "minLength": 1}


def params_schema(properties: Mapping[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """The JSON Schema of a rule kind's params: exactly these properties."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": dict(properties),
        "required": list(required),
    }


def string_value(item: Mapping[str, Any], name: str) -> str | None:
    """The field's value when it is a string, else None (checks skip what they can't read)."""
    value = item.get(name)
    return value if isinstance(value, str) else None
