"""Size bounds of every declaration save, draft or not (issue 13, finding 3).

A draft may hold errors (DEC-2: nothing typed is lost), but never more text than the form
allows: a field's maxLength (or platform.yaml limits.text_max_chars when it has none), the
section's row maximum, and limits.declaration_max_kb for all sections together. Over-long
input is refused whole with a message naming the limit; nothing is cut and nothing saved.
"""

from __future__ import annotations

from typing import Any

from runtime.bundle import Form
from runtime.storage import dumps
from runtime.web.http import HttpError, Services


def limit(svc: Services, key: str) -> int:
    return int((svc.bundle.platform.get("limits") or {})[key])


def _refuse(svc: Services, errors: list[dict[str, Any]]) -> HttpError:
    return HttpError(422, "validation_failed", svc.bundle.text("validation_failed"), errors=errors)


def _too_long(svc: Services, form: Form, path: str, descriptor: dict[str, Any], value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    text = str(value)
    most = int(descriptor.get("maxLength") or limit(svc, "text_max_chars"))
    if len(text) <= most:
        return None
    return {
        "path": path,
        "code": "maxLength",
        "message": svc.bundle.text(
            "field_too_long", title=descriptor.get("title", descriptor.get("id", "")), limit=most, length=len(text)
        ),
        "rule": descriptor.get("rule") or form.compiled.get("rule", ""),
        "severity": "error",
    }


def check_fields(svc: Services, form: Form, document: dict[str, Any]) -> None:
    """422 naming every over-long field and a row count over the section's maximum."""
    errors: list[dict[str, Any]] = []
    for key, value in document.items():
        if key == "rows":
            most = int((form.rows or {}).get("max") or 0)
            if most and len(value) > most:
                message = _rows_message(svc, form, document) or svc.bundle.text("too_many_rows", limit=most)
                errors.append(
                    {"path": "/rows", "code": "maxItems", "message": message, "rule": form.compiled.get("rule", "")}
                )
            for index, row in enumerate(value):
                for column, cell in row.items():
                    descriptor = form.row_index.get(column) or {"id": column}
                    found = _too_long(svc, form, f"/rows/{index}/{column}", descriptor, cell)
                    if found:
                        errors.append(found)
            continue
        descriptor = form.field_index[key]
        if descriptor["type"] == "group" and isinstance(value, dict):
            subs = {d["id"]: d for d in descriptor.get("fields") or []}
            for sub, cell in value.items():
                found = _too_long(svc, form, f"/{key}/{sub}", subs.get(sub) or {"id": sub}, cell)
                if found:
                    errors.append(found)
        else:
            found = _too_long(svc, form, f"/{key}", descriptor, value)
            if found:
                errors.append(found)
    if errors:
        raise _refuse(svc, errors)


def _rows_message(svc: Services, form: Form, document: dict[str, Any]) -> str | None:
    """The section's own words for too many rows, as its validator says them (messages.yaml)."""
    found = form.validator.errors({"rows": document["rows"]}, svc.bundle.context(today=svc.clock.today()))
    return next((e.message for e in found if e.path == "/rows" and e.code == "maxItems"), None)


def check_total(svc: Services, declaration_id: str, section_id: str, document: dict[str, Any]) -> None:
    """Inside the save's transaction: the declaration's stored size with this section replaced."""
    others = svc.storage.one(  # `size`: the UTF-8 bytes of a section's data, kept by the database
        "SELECT COALESCE(SUM(size), 0) AS n FROM sections WHERE declaration_id = ? AND section_id != ?",
        (declaration_id, section_id),
    )
    size = int(others["n"] if others else 0) + len(dumps(document).encode("utf-8"))
    most = limit(svc, "declaration_max_kb")
    if size > most * 1024:
        message = svc.bundle.text("declaration_too_large", limit=most, size=-(-size // 1024))
        raise _refuse(svc, [{"path": "", "code": "declaration_too_large", "message": message, "rule": ""}])
