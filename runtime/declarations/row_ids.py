"""Stable ids of the rows of a repeatable section (issue 13, finding 5).

A proof is uploaded for one achievement, one assessment, one training row. Bound to a row
*number*, deleting row 1 moved row 3's proof under another achievement in the printed review form.
So every row carries `row_id`, a key the server assigns: the form and the API send it back
with the row, and a save keeps a sent id only when the stored section already has it (once),
so an id can be neither invented nor copied onto a second row. Everything else gets a new id.

Rows saved before ids existed read as `legacy<index>`; migration 8 gave their attachments the
same id, and the next save writes it into the row, so nothing moves on the way.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from runtime.bundle import ROW_ID, ROW_ID_PATTERN

LEGACY = "legacy"
_SHAPE = re.compile(ROW_ID_PATTERN)


def row_id_of(index: int, row: Any) -> str:
    found = row.get(ROW_ID) if isinstance(row, dict) else None
    return found if isinstance(found, str) and _SHAPE.match(found) else f"{LEGACY}{index}"


def ids(document: Any) -> list[str]:
    """The ids of a section's rows, in their order."""
    rows = document.get("rows") if isinstance(document, dict) else None
    return [row_id_of(i, row) for i, row in enumerate(rows or [])]


def with_ids(document: dict[str, Any]) -> dict[str, Any]:
    """The document with an id on every row (legacy rows get theirs by position)."""
    rows = document.get("rows")
    if not isinstance(rows, list):
        return document
    return {
        **document,
        "rows": [{**row, ROW_ID: row_id_of(i, row)} if isinstance(row, dict) else row for i, row in enumerate(rows)],
    }


def assign(stored: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """`incoming` with ids the server vouches for: a sent id is kept when the stored section has
    that row and no earlier row of this save took it; any other row gets a fresh id."""
    rows = incoming.get("rows")
    if not isinstance(rows, list):
        return incoming
    known = set(ids(stored))
    used: set[str] = set()
    result = []
    for row in rows:
        sent = row.get(ROW_ID) if isinstance(row, dict) else None
        kept = sent if isinstance(sent, str) and sent in known and sent not in used else uuid.uuid4().hex
        used.add(kept)
        result.append({**row, ROW_ID: kept} if isinstance(row, dict) else row)
    return {**incoming, "rows": result}


def without_ids(row: Any) -> Any:
    """A row's own values, for comparing and showing."""
    return {k: v for k, v in row.items() if k != ROW_ID} if isinstance(row, dict) else row
