"""overview (PRN-2) as a spreadsheet: the same title, columns and rows as the PDF.

Cells hold text as text: a value a user typed that starts with "=" stays a string,
never a formula (spreadsheet formula injection).
"""

from __future__ import annotations

import io
import re
from typing import Any

SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SMALL_NUMBER = re.compile(r"^[0-9]{1,9}$")
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3


def overview_xlsx(context: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    columns: list[dict[str, Any]] = context["columns"]
    width = max(1, len(columns))
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE_FORBIDDEN.sub("", str(context["title"]))[:31] or "Sheet1"
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet.cell(row=TITLE_ROW, column=1, value=str(context["title"])).font = Font(bold=True, size=16)
    sheet.cell(row=TITLE_ROW, column=1).alignment = centre
    subtitle = "    ".join(f"{item['title']}: {item['value']}" for item in context.get("subtitle") or [])
    _text(sheet.cell(row=SUBTITLE_ROW, column=1), subtitle).alignment = centre
    if width > 1:
        sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
        sheet.merge_cells(start_row=SUBTITLE_ROW, start_column=1, end_row=SUBTITLE_ROW, end_column=width)
    sheet.row_dimensions[TITLE_ROW].height = 30

    header_fill = PatternFill("solid", fgColor="E8E8E8")
    for index, column in enumerate(columns, start=1):
        cell = _text(sheet.cell(row=HEADER_ROW, column=index), str(column["title"]))
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = box
        cell.fill = header_fill
        total_chars = 160  # a landscape page holds about this many CJK characters at 9pt
        sheet.column_dimensions[get_column_letter(index)].width = max(6.0, column["width"] * total_chars / 100 * 1.9)
    for offset, line in enumerate(context["rows"], start=1):
        for index, value in enumerate(line, start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=index)
            if SMALL_NUMBER.match(value or ""):
                cell.value = int(value)
            else:
                _text(cell, value)
            cell.border = box
            cell.alignment = centre
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(cell: Any, value: str) -> Any:
    cell.value = value
    cell.data_type = "s"  # "=…" typed by a user is text, not a formula
    return cell
