"""Walk the fields of a form file, wherever they are nested."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.loader import Path_


def field_specs(data: Mapping[str, Any]) -> Iterator[tuple[Path_, str, Mapping[str, Any]]]:
    """(path of the field spec, field name, spec) for top-level, row and group fields."""
    yield from _walk(data.get("fields"), ("fields",))
    rows = data.get("rows")
    if isinstance(rows, Mapping):
        yield from _walk(rows.get("fields"), ("rows", "fields"))


def _walk(fields: Any, base: Path_) -> Iterator[tuple[Path_, str, Mapping[str, Any]]]:
    if not isinstance(fields, Mapping):
        return
    for name, spec in fields.items():
        if not isinstance(spec, Mapping):
            continue
        path = (*base, name)
        yield path, name, spec
        if spec.get("type") == "group":
            yield from _walk(spec.get("fields"), (*path, "fields"))


def names(fields: Any) -> list[str]:
    return [str(n) for n in fields] if isinstance(fields, Mapping) else []
