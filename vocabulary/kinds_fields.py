"""Rule kinds about one object's fields: required-if, match, equals."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from vocabulary.conditions import CONDITION_SCHEMA, holds, is_filled
from vocabulary.model import (
    Context,
    Dictionaries,
    RuleKind,
    Violation,
    field_schema,
    params_schema,
    string_value,
)

__all__ = ["KINDS"]


def check_required_if(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name = params["field"]
    if holds(params["when"], item) and not is_filled(item.get(name)):
        yield Violation((name,))


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_match(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name = params["field"]
    value = string_value(item, name)
    if value is not None and is_filled(value) and not _compiled(params["pattern"]).search(value):
        yield Violation((name,))


def check_equals(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    name, other = params["field"], params["other"]

    # An empty confirmation against a filled original is a mismatch too, so missing and
    # None both count as "".
    def value(field: str) -> object:
        found = item.get(field)
        return "" if found is None else found

    if value(name) != value(other):
        yield Violation((name,))


KINDS = (
    RuleKind(
        name="required-if",
        parameters=params_schema(
            {"field": field_schema(), "when": copy.deepcopy(CONDITION_SCHEMA)},
            ["field", "when"],
        ),
        field_params=("field",),
        condition_params=("when",),
        scope="item",
        check=check_required_if,
    ),
    RuleKind(
        name="match",
        parameters=params_schema(
            {
                "field": field_schema(),
                "pattern": {"type": "string", "minLength": 1, "format": "regex"},
            },
            ["field", "pattern"],
        ),
        field_params=("field",),
        scope="item",
        check=check_match,
    ),
    RuleKind(
        name="equals",
        parameters=params_schema(
            {"field": field_schema(), "other": field_schema()},
            ["field", "other"],
        ),
        field_params=("field", "other"),
        scope="item",
        check=check_equals,
    ),
)
