"""A valid declaration made from the compiled sections, not from a frozen copy of the policy.

Demo data and tests need declarations that pass every section. Writing one out by hand
restates policy (which fields are required, the row limit, the code-list values, the
yearly hours), so a YAML-only policy change would break them. Here a *persona* — the life
story of one applicant: schools, dates, texts, none of it policy — is completed against
whatever the build says: every error the section's own validator reports is repaired with
a value of the field's kind (its const, its examples, a code-list entry that fits the
cascade, a well-formed date, a number inside its bounds, a text of allowed length), rows
are cut to the limit, and yearly minimums are topped up. What the validator does not
report is left as the persona wrote it, so a persona value stays whenever it is valid.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from vocabulary.conditions import holds
from vocabulary.formats import is_id_card, is_uscc, parse_when
from vocabulary.kinds_lookup import member_path
from vocabulary.model import Context, Dictionaries
from vocabulary.rules import run_rule
from vocabulary.validation import FormValidator

__all__ = ["complete_declaration", "complete_section", "sample_value"]

# How many repair rounds a section gets: each round repairs every error it sees, and a
# repair can only reveal errors of fields that depend on it (cascades: level → title).
_ROUNDS = 8

# Rules over several rows that a new value for one field does not repair.
_NO_SAMPLE_REPAIR = frozenset({"rule:contiguous", "rule:ordered", "rule:unique", "rule:yearly-minimum"})

# A date-like sample sits a year before the declaration year: not in the future, and long
# after any minimum age of a persona born in the last century.
_FORMAT_SAMPLES: Mapping[str, Callable[[int], str]] = {
    "year-month": lambda year: f"{year - 1:04d}.01",
    "date": lambda year: f"{year - 1:04d}-01-01",
    "year": lambda year: f"{year - 1:04d}",
    "rank": lambda year: "1/1",
    "mobile-cn": lambda year: "13800000000",
    "id-card": lambda year: next(f"37100219800101001{c}" for c in "0123456789X" if is_id_card(f"37100219800101001{c}")),
    "uscc": lambda year: next(
        f"91371000MA3C0000{c}" + d
        for c in "0123456789"
        for d in "0123456789ABCDEFGHJKLMNPQRTUWXY"
        if is_uscc(f"91371000MA3C0000{c}" + d)
    ),
}


def _options(field: Mapping[str, Any], item: Mapping[str, Any], dictionaries: Dictionaries) -> list[Any] | None:
    """The choices the field offers for this item (a cascade narrows them), None if free."""
    source = field.get("options_from")
    if source:
        steps = member_path(str(source["member_of"]), item)
        key = item.get(source["key"])
        for entry in dictionaries.get(source["dictionary"]) or []:
            if steps is not None and entry.get("value") == key:
                found: Any = entry
                for step in steps:
                    found = found.get(step) if isinstance(found, Mapping) else None
                return list(found) if isinstance(found, list) else []
        return []
    if field.get("options"):
        return list(field["options"])
    return None


def sample_value(
    field: Mapping[str, Any],
    item: Mapping[str, Any],
    context: Context,
    dictionaries: Dictionaries,
    fixed: Mapping[str, Any] | None = None,
) -> Any:
    """A valid value of the field's kind, for the item it sits in; None when there is none
    (an empty cascade, an organisation without `fixed`)."""
    year = context.year or context.today.year
    if "const" in field:
        return field["const"]
    if field.get("source") == "notice.year":
        return year
    if fixed and field["id"] in fixed:
        return fixed[field["id"]]
    if field.get("examples"):
        return field["examples"][0]
    options = _options(field, item, dictionaries)
    if options is not None:
        return options[0] if options else None
    if field.get("type") == "integer":
        low = int(field.get("minimum", 0))
        return min(max(low, 0), int(field.get("maximum", low if low > 0 else 0)))
    if field.get("format") in _FORMAT_SAMPLES:
        return _FORMAT_SAMPLES[str(field["format"])](year)
    if field.get("type") == "group":
        # a group counts as given once something is in it: its required fields, else its first
        inner = [f for f in field.get("fields") or [] if f.get("required")] or (field.get("fields") or [])[:1]
        group = {f["id"]: sample_value(f, {}, context, dictionaries) for f in inner}
        return {k: v for k, v in group.items() if v is not None} or None
    if field.get("type") == "org":
        return None
    text = str(field.get("title") or field["id"])
    text = text * (1 + int(field.get("minLength", 0)) // max(len(text), 1))
    return text[: int(field.get("maxLength", len(text)))]


# --- finding the field and the item an error points at -------------------------------------


def _split(pointer: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        text = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(text) if text.isdigit() else text)
    return parts


def _locate(
    compiled: Mapping[str, Any], document: dict[str, Any], parts: Sequence[str | int]
) -> tuple[Mapping[str, Any] | None, dict[str, Any] | None, str | None]:
    """(field descriptor, the dict holding the value, the key) for a pointer's parts."""
    fields: Sequence[Mapping[str, Any]] = compiled.get("fields") or []
    holder: Any = document
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "rows" and not last and compiled.get("rows") is not None:
            fields = compiled["rows"].get("fields") or []
            holder = holder.get("rows")
            continue
        if isinstance(part, int):
            holder = holder[part] if isinstance(holder, list) and part < len(holder) else None
            continue
        field = next((f for f in fields if f["id"] == part), None)
        if not isinstance(holder, dict):
            return None, None, None
        if last:
            return field, holder, part
        if field is None or field.get("type") != "group":
            return None, None, None
        holder = holder.setdefault(part, {})
        fields = field.get("fields") or []
    return None, None, None


# --- repairs --------------------------------------------------------------------------------


def _top_up_yearly_minimums(
    compiled: Mapping[str, Any], document: dict[str, Any], context: Context, dictionaries: Dictionaries
) -> None:
    """Add what a year lacks (DEC-12) to the first row of that year that counts for the rule,
    or to a copy of the year's first row made to count."""
    rows = document.get("rows")
    if not isinstance(rows, list):
        return
    for rule in compiled.get("rules") or []:
        if rule["kind"] != "yearly-minimum":
            continue
        params = rule["params"]
        unit = str(params.get("unit") or "")
        for violation in run_rule(rule, document, context, dictionaries):
            found = violation.params
            missing = Decimal(str(found["minimum"])) - Decimal(str(found["total"]))
            of_year = [r for r in rows if isinstance(r, dict) and _year(r.get(params["year_of"])) == found["year"]]
            counting = [r for r in of_year if holds(params.get("where"), r)]
            if counting:
                row = counting[0]
                row[params["amount"]] = f"{_plain(_number(row.get(params['amount'])) + missing)}{unit}"
            elif of_year:
                row = copy.deepcopy(of_year[0])
                row.update({k: v for k, v in (params.get("where") or {}).items() if not isinstance(v, Mapping)})
                row[params["amount"]] = f"{_plain(missing)}{unit}"
                rows.append(row)


def _year(value: object) -> int | None:
    found = parse_when(value) if isinstance(value, str) else None
    return found[0] if found else None


def _number(value: object) -> Decimal:
    digits = ""
    for char in str(value or ""):
        if not (char.isdigit() or (char == "." and digits)):
            break
        digits += char
    return Decimal(digits.rstrip(".") or "0")


def _plain(number: Decimal) -> str:
    return str(int(number)) if number == number.to_integral_value() else str(number)


def _repair(
    compiled: Mapping[str, Any],
    document: dict[str, Any],
    pointer: str,
    code: str,
    context: Context,
    dictionaries: Dictionaries,
    fixed: Mapping[str, Any] | None,
) -> bool:
    """Repair one error in place; False when this kind of error has no repair."""
    rows_spec = compiled.get("rows") or {}
    if code == "maxItems" and pointer == "/rows":
        del document["rows"][int(rows_spec["max"]) :]
        return True
    if code == "minItems" and pointer == "/rows":
        rows = document.setdefault("rows", [])
        rows.append(copy.deepcopy(rows[-1]) if rows else {})
        return True
    if code in _NO_SAMPLE_REPAIR:
        return False  # a rule over several rows: the persona must get it right
    field, holder, key = _locate(compiled, document, _split(pointer))
    if holder is None or key is None:
        return False
    if code == "additionalProperties" or field is None:
        holder.pop(key, None)
        return True
    value = sample_value(field, holder, context, dictionaries, fixed)
    if value is None or holder.get(key) == value:
        return False
    holder[key] = value
    return True


def complete_section(
    compiled: Mapping[str, Any],
    persona: Mapping[str, Any] | None,
    dictionaries: Dictionaries,
    context: Context,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The persona's section made valid under this compiled section (see the module doc);
    `fixed` gives values the build cannot know (the declaring unit's id)."""
    document: dict[str, Any] = copy.deepcopy(dict(persona or {}))
    for field in compiled.get("fields") or []:
        if fixed and field["id"] in fixed:
            document[field["id"]] = fixed[field["id"]]
    if compiled.get("rows") is not None:
        document.setdefault("rows", [])
    validator = FormValidator(compiled, dictionaries)
    for _ in range(_ROUNDS):
        _top_up_yearly_minimums(compiled, document, context, dictionaries)
        errors = validator.errors(document, context)
        changed = [_repair(compiled, document, e.path, e.code, context, dictionaries, fixed) for e in errors]
        if not any(changed):
            break
    return document


def complete_declaration(
    sections: Mapping[str, Mapping[str, Any]],
    persona: Mapping[str, Any],
    dictionaries: Dictionaries,
    context: Context,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every section of the declaration (section id -> compiled section), completed."""
    return {
        section_id: complete_section(compiled, persona.get(section_id), dictionaries, context, fixed)
        for section_id, compiled in sections.items()
    }
