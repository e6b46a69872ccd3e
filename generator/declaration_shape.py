"""What a declaration-level expression may read (ELIG-2), built from the compiled forms.

Every section of the declaration form by its id; ``account`` with the person
registration fields (never passwords); ``declaration`` with the notice year, the
end of that year and today. ``rich`` keeps each coded field's values so the type
checker can refuse a misspelt code; ``plain`` (for build/) keeps only the kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from generator.model import Model
from vocabulary.expr_types import ROWS_KEY

DECLARATION_FORM = "declaration"
ACCOUNT_FORM = "person_registration"
_DATE_FORMATS = ("year-month", "date")
_HIDDEN_TYPES = ("password",)


def _leaf(descriptor: Mapping[str, Any]) -> Any:
    if descriptor.get("type") == "integer" or descriptor.get("format") == "year":
        return "number"
    if descriptor.get("format") in _DATE_FORMATS:
        return "date"
    options = [*(descriptor.get("options") or []), *(descriptor.get("or") or [])]
    return {"kind": "text", "options": [str(o) for o in options]} if options else "text"


def _fields(descriptors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for descriptor in descriptors:
        if descriptor.get("type") in _HIDDEN_TYPES or descriptor["id"].endswith("_confirm"):
            continue
        if descriptor.get("type") == "group":
            shape[descriptor["id"]] = _fields(descriptor.get("fields") or [])
        else:
            shape[descriptor["id"]] = _leaf(descriptor)
    return shape


def rich(model: Model) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for section_id, compiled in (model.sections.get(DECLARATION_FORM) or {}).items():
        section = _fields(compiled.get("fields") or [])
        rows = compiled.get("rows")
        if isinstance(rows, Mapping):
            section[ROWS_KEY] = _fields(rows.get("fields") or [])
        shape[section_id] = section
    account = model.forms.get(ACCOUNT_FORM) or {}
    shape["account"] = _fields(account.get("fields") or [])
    shape["declaration"] = {"year": "number", "year_end": "date", "today": "date"}
    return shape


def plain(shape: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, node in shape.items():
        if isinstance(node, Mapping) and "kind" in node:
            result[name] = node["kind"]
        elif isinstance(node, Mapping):
            result[name] = plain(node)
        else:
            result[name] = node
    return result


def field_at(shape: Mapping[str, Any], dotted: str) -> Any:
    """The shape node at a dotted path, or None."""
    node: Any = shape
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node or part == ROWS_KEY:
            return None
        node = node[part]
    return node
