"""The review queue as a spreadsheet (issue 16; REV-1): exactly the view on screen — the same
filters, search and sort, every page of it — and only what this organisation may see (queue.find
scopes the rows; ID numbers are masked as platform.yaml's `privacy` says for this role).

Every cell is a text cell, and a value that a spreadsheet would read as a formula when the
sheet is saved as CSV and opened again (=, +, -, @, tab, carriage return first) is prefixed with
an apostrophe: names and unit names are typed by applicants and units.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from runtime.review import queue
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# (row key, ui text key): the queue table's columns plus sex and birth date (the review page's)
COLUMNS = (
    ("person_name", "applicant_name"),
    ("id_number", "id_number"),
    ("sex", "sex"),
    ("birth_date", "birth_date"),
    ("unit_name", "declaring_unit"),
    ("rank", "rank"),
    ("year", "year"),
    ("series", "series"),
    ("level", "level"),
    ("state_title", "state"),
    ("holder", "holder"),
    ("updated_at", "time"),
)


def guarded(value: Any) -> str:
    """The value as inert text (CSV / formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(svc: Services, key: str, row: dict[str, Any]) -> str:
    if key == "holder":
        return str(row.get("holder") or svc.bundle.ui.get("holder_self", ""))
    if key == "updated_at":
        return str(row.get("updated_at") or "")[:16].replace("T", " ")
    value = row.get(key)
    return "" if value is None else str(value)


def rows_of(svc: Services, account: Account, filters: dict[str, Any]) -> list[list[str]]:
    """Every row of the view, in its order; refused (422) beyond platform.yaml's lists.max_export_rows."""
    limit = int((svc.bundle.platform.get("lists") or {}).get("max_export_rows", 0))
    total = queue.find(svc, account, **filters, page=1).total
    if total > limit:
        raise HttpError(422, "export_too_many", svc.bundle.text("export_too_many", limit=limit, total=total))
    return [[_cell(svc, key, row) for key, _ in COLUMNS] for row in queue.each_found(svc, account, **filters)]


def queue_xlsx(svc: Services, account: Account, filters: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = svc.bundle.ui.get("review_queue", "queue")[:31]
    for index, (_, title) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=guarded(svc.bundle.ui.get(title, title)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for offset, line in enumerate(rows_of(svc, account, filters), start=2):
        for index, value in enumerate(line, start=1):
            cell = sheet.cell(row=offset, column=index, value=guarded(value))
            cell.data_type = "s"  # text, never a number or a formula
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKL", (10, 20, 6, 12, 28, 12, 6, 12, 10, 12, 24, 17), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(content: bytes, filename: str) -> Response:
    """An attachment with an ASCII fallback name plus the UTF-8 name (RFC 6266)."""
    disposition = f"attachment; filename=\"queue.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=XLSX, headers={"content-disposition": disposition})
