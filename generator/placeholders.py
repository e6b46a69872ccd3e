"""`{placeholders}` in titles and messages, filled from the policy value they name (one value,
one place): a rows section's title and messages from its `min`/`max`, a field's messages from
its own constraints, a rule's message from the rule's parameters (and what each violation
reports, e.g. `{year}`, `{total}`). The generator refuses a name that nothing fills (E332)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def names(text: object) -> list[str]:
    return PLACEHOLDER.findall(text) if isinstance(text, str) else []


def fill(text: Any, values: Mapping[str, Any]) -> Any:
    """Text with every known {name} replaced; anything else unchanged (not a str.format)."""
    if not isinstance(text, str):
        return text

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return _show(values[key]) if key in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def rows_values(rows: Any) -> dict[str, Any]:
    """What a rows section's title and rows messages may name."""
    if not isinstance(rows, Mapping):
        return {}
    return {key: rows[key] for key in ("min", "max") if key in rows}


def unknown(text: object, known: Iterable[str]) -> list[str]:
    allowed = set(known)
    return [name for name in names(text) if name not in allowed]
