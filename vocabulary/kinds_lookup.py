"""Rule kinds that compare fields with what something else says: id-card-agrees, cascade."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from vocabulary.conditions import as_text, is_filled
from vocabulary.formats import id_card_birth_date, id_card_sex_parity, parse_date
from vocabulary.model import (
    Context,
    Dictionaries,
    RuleKind,
    Violation,
    field_schema,
    params_schema,
    string_value,
)

__all__ = ["KINDS", "member_path"]

_PLACEHOLDER_RE = re.compile(r"\{([^{}]+)\}")


# --- id-card-agrees ------------------------------------------------------------------------


def check_id_card_agrees(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    number = string_value(item, params["id_field"])
    if number is None:
        return
    born = id_card_birth_date(number, context.today)
    parity = id_card_sex_parity(number, context.today)
    if born is None or parity is None:
        return  # not a valid number: the id-card format check reports it
    birth_field = params["birth_field"]
    birth_text = string_value(item, birth_field)
    typed = parse_date(birth_text) if birth_text is not None else None
    if typed is not None and typed != born:
        yield Violation((birth_field,), {"expected": born.isoformat()})
    sex_field = params["sex_field"]
    sex = item.get(sex_field)
    expected_sex = params["sexes"][parity]
    if is_filled(sex) and as_text(sex) != as_text(expected_sex):
        yield Violation((sex_field,), {"expected": expected_sex})


# --- cascade -------------------------------------------------------------------------------


def member_path(member_of: str, item: Mapping[str, Any]) -> list[str] | None:
    """The attribute path ``member_of`` names for this item, e.g. "titles.{level}" ->
    ["titles", "<level value>"]; None when a placeholder's field is empty.

    The template is split on dots before substitution, so a value holding a dot stays
    one step of the path."""
    steps = []
    for step in member_of.split("."):
        names = _PLACEHOLDER_RE.findall(step)
        if not all(is_filled(item.get(name)) for name in names):
            return None
        steps.append(_PLACEHOLDER_RE.sub(lambda match: as_text(item.get(match[1])).strip(), step))
    return steps


def _resolve(entry: Mapping[str, Any], steps: Sequence[str]) -> object:
    """The attribute at ``steps`` in the entry; None when the path does not exist."""
    found: object = entry
    for step in steps:
        if not isinstance(found, Mapping) or step not in found:
            return None
        found = found[step]
    return found


def _members(found: object) -> set[str] | None:
    # A list names its members; a mapping its keys (e.g. "titles" lists the levels).
    if isinstance(found, Mapping):
        return {as_text(key) for key in found}
    if isinstance(found, list | tuple):
        return {as_text(member) for member in found}
    return None


def check_cascade(
    params: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
) -> Iterator[Violation]:
    key = item.get(params["key"])
    if not is_filled(key):
        return
    # A missing dictionary is a build error, not a user error: let the KeyError surface.
    entries = dictionaries[params["dictionary"]]
    entry = next((e for e in entries if as_text(e.get("value")) == as_text(key)), None)
    if entry is None:
        return  # not a value of the dictionary: the enum check reports it
    for check in params["checks"]:
        name = check["field"]
        value = item.get(name)
        steps = member_path(check["member_of"], item)
        if not is_filled(value) or steps is None:
            continue
        members = _members(_resolve(entry, steps))
        if members is None or as_text(value) not in members:
            yield Violation((name,), {"value": value})


def _cascade_fields(params: Mapping[str, Any]) -> Iterable[str]:
    for check in params.get("checks") or ():
        yield check["field"]
        yield from _PLACEHOLDER_RE.findall(check.get("member_of", ""))


KINDS = (
    RuleKind(
        name="id-card-agrees",
        parameters=params_schema(
            {
                "id_field": field_schema(),
                "birth_field": field_schema(),
                "sex_field": field_schema(),
                "sexes": params_schema({"odd": {"type": "string"}, "even": {"type": "string"}}, ["odd", "even"]),
            },
            ["id_field", "birth_field", "sex_field", "sexes"],
        ),
        field_params=("id_field", "birth_field", "sex_field"),
        scope="item",
        check=check_id_card_agrees,
    ),
    RuleKind(
        name="cascade",
        parameters=params_schema(
            {
                "dictionary": {"type": "string", "minLength": 1},
                "key": field_schema(),
                "checks": {
                    "type": "array",
                    "minItems": 1,
                    "items": params_schema(
                        {"field": field_schema(), "member_of": {"type": "string", "minLength": 1}},
                        ["field", "member_of"],
                    ),
                },
            },
            ["dictionary", "key", "checks"],
        ),
        field_params=("key",),
        more_fields=_cascade_fields,
        scope="item",
        check=check_cascade,
    ),
)
