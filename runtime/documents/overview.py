"""The overview table (PRN-2): one row per applicant of a unit's series × level, laid out
as a text grid for print and as rows for the spreadsheet."""

from __future__ import annotations

import re
from typing import Any

from runtime.declarations import declarations, queues
from runtime.documents import text_grid
from runtime.documents.documents import (
    CELL_PADDING,
    HEADER_CHARS,
    MAX_COLUMN_WEIGHT,
    OVERVIEW,
    OVERVIEW_FONT_PT,
    OVERVIEW_UNITS,
    Subject,
    _base_context,
    load_subjects,
    mask_last4,
    org_names,
    printed_at,
    source_value,
)
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.http import HttpError, Services

# -- overview table (PRN-2) --------------------------------------------------------------


def overview_choices(svc: Services) -> dict[str, list[str]]:
    """The series and levels one may ask an overview for: the header's own choices."""
    header = svc.bundle.sections["declaration"][declarations.HEADER]
    return {
        "series": [str(o) for o in header.field_index["series"].get("options") or []],
        "level": [str(o) for o in header.field_index["level"].get("options") or []],
    }


def require_organisation(svc: Services, account: Account) -> None:
    if account["kind"] != "organisation" or not account["org_id"]:
        raise HttpError(403, "organisation_only", svc.bundle.text("organisation_only"))


def overview_declarations(svc: Services, account: Account, series: str, level: str) -> list[Declaration]:
    """Declarations of one series × level that this organisation holds or has held."""
    require_organisation(svc, account)
    choices = overview_choices(svc)
    if series not in choices["series"] or level not in choices["level"]:
        raise HttpError(
            422,
            "overview_params",
            svc.bundle.text("overview_params"),
            errors=[
                {
                    "path": "/series" if series not in choices["series"] else "/level",
                    "code": "overview_params",
                    "message": svc.bundle.text("overview_params"),
                    "rule": "PRN-2",
                }
            ],
        )
    matching = queues.QueueFilter(series=series, level=level)
    return [declaration_row(r) for r in queues.each_in_queue(svc, account, matching)]


def overview(svc: Services, account: Account, series: str, level: str) -> dict[str, Any]:
    spec = dict(svc.bundle.print[OVERVIEW])
    rows = overview_declarations(svc, account, series, level)
    columns = [c for c in spec.get("columns") or [] if isinstance(c, dict)]
    wanted = {c["source"].split(".", 1)[0] for c in columns} - {"person", "declaration", "certificate"}
    subjects = sorted(load_subjects(svc, rows, wanted | {declarations.HEADER}), key=_overview_order)
    when = printed_at(svc)
    table = []
    for number, subject in enumerate(subjects, start=1):
        line = []
        for column in columns:
            value = source_value(svc, subject, column["source"], row_number=number, printed_at=when)
            line.append(mask_last4(value) if column.get("mask") == "last4" else value)
        table.append(line)
    org_id = account["org_id"] or ""
    org = org_names(svc, {org_id}).get(org_id, "")
    ui = svc.bundle.ui
    return {
        **_base_context(svc, spec),
        "columns": [
            {"title": c["title"], "source": c["source"], "width": w}
            for c, w in zip(columns, column_widths(columns, table), strict=True)
        ],
        "rows": table,
        "subtitle": [
            {"title": ui.get("print_organisation", ""), "value": org},
            {"title": ui.get("series", ""), "value": series},
            {"title": ui.get("level", ""), "value": level},
            {"title": ui.get("print_count", ""), "value": str(len(table))},
            {"title": ui.get("print_printed_at", ""), "value": when},
        ],
        "series": series,
        "level": level,
    }


def overview_grid(context: dict[str, Any]) -> dict[str, Any]:
    """The overview's rows as a text grid for the PDF (runtime/text_grid.py says why)."""
    grid = text_grid.layout(
        [c["title"] for c in context["columns"]],
        context["rows"],
        [c["width"] for c in context["columns"]],
        OVERVIEW_UNITS,
        OVERVIEW_FONT_PT,
    )
    return {
        **context,
        "grid": {
            "header": grid.header,
            "rows": grid.rows,
            "width_em": round(grid.width_em, 2),
            "font_pt": grid.font_pt,
            "rules": grid.rules_uri(),
        },
    }


def _overview_order(subject: Subject) -> tuple[str, int, str]:
    header = subject.sections.get(declarations.HEADER) or {}
    rank = re.match(r"^\s*(\d+)", str(header.get("rank") or ""))
    unit = subject.org_names.get(subject.declaration["unit_id"] or "", "")
    return unit, int(rank.group(1)) if rank else 10**6, str(subject.person.get("name") or "")


def column_widths(columns: list[dict[str, Any]], table: list[list[str]]) -> list[float]:
    """Percent widths: a column's `width` from the schema, else as wide as its title and its
    longest value need, up to a limit (a fixed table layout is several times faster to print)."""
    weights = []
    for i, column in enumerate(columns):
        if column.get("width"):
            weights.append(float(column["width"]))
            continue
        longest = max((_text_width(line[i]) for line in table), default=0.0)
        title = min(_text_width(column["title"]), HEADER_CHARS)
        weights.append(min(MAX_COLUMN_WEIGHT, max(2.0, title, longest)) + CELL_PADDING)
    total = sum(weights) or 1.0
    return [round(w * 100 / total, 2) for w in weights]


def _text_width(text: str) -> float:
    """Width in CJK characters: Latin letters and digits count half."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in text)
