"""Statistics of a notice year (STAT-1): counts of declarations by series, level, region or
state, scoped like every list — an HR authority sees the declarations of units in its
region and the regions below it (the city bureau: the whole city), a department the
declarations routed to it (the chain ends there). Every count drills down to its list.

Counted are declarations an organisation has held at least once (submitted), so drafts an
applicant never sent stay private. The database groups and counts; nothing loads a whole
year into Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from runtime.committee import policy
from runtime.declarations import queues
from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account
from runtime.units import units
from runtime.web.http import HttpError, Services, whole_number

BLOCK = "statistics"
# dimension -> the SQL expression it groups by (declaring unit's region for `region`)
COLUMNS = {"series": "d.series", "level": "d.level", "region": "u.region", "state": "d.state"}


@dataclass(frozen=True)
class Query:
    year: int
    by: str
    filters: dict[str, str]


def _invalid(svc: Services, code: str, path: str) -> HttpError:
    message = svc.bundle.text(code)
    return HttpError(422, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "STAT-1"}])


def dimensions(svc: Services) -> list[str]:
    return [str(d) for d in policy.section(svc, BLOCK).get("dimensions") or []]


def years(svc: Services) -> list[int]:
    return sorted({int(n["year"]) for n in svc.bundle.platform.get("notices") or []}, reverse=True)


def parse_query(svc: Services, params: Any) -> Query:
    """Year, grouping and filters from query parameters; 422 for anything not offered."""
    text = str(params.get("year") or "")
    if not text:
        year = (years(svc) or [0])[0]  # the latest notice year
    else:
        year = (whole_number(text, 4) if len(text) == 4 else None) or -1
    if year not in years(svc):
        raise _invalid(svc, "statistics_year_unknown", "/year")
    offered = dimensions(svc)
    by = str(params.get("by") or offered[0])
    if by not in offered:
        raise _invalid(svc, "statistics_dimension_unknown", "/by")
    filters = {}
    for name in offered:
        value = params.get(name)
        if isinstance(value, str) and value:
            if len(value) > 64:
                raise _invalid(svc, "statistics_dimension_unknown", f"/{name}")
            filters[name] = value
    return Query(year, by, filters)


def _region_ids(svc: Services, root: str) -> list[str]:
    """The region and every region below it."""
    regions = svc.bundle.platform.get("regions") or []
    found = [root]
    changed = True
    while changed:
        changed = False
        for item in regions:
            if item.get("parent") in found and item["id"] not in found:
                found.append(item["id"])
                changed = True
    return found


def scope(svc: Services, account: Account) -> tuple[str, list[Any]]:
    """The WHERE fragment that limits counts to what this account may see; 403 otherwise."""
    if account["kind"] != "organisation" or account["role"] not in policy.roles(svc, BLOCK):
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    org = units.organisation(svc, account["org_id"])
    if org and units.HR_KIND in units.kinds(org):
        regions = _region_ids(svc, org["region"])
        return f"u.region IN ({','.join('?' for _ in regions)})", list(regions)
    return queues.chain_ends_at(account["org_id"])


def _where(svc: Services, account: Account, query: Query) -> tuple[str, list[Any]]:
    fragment, params = scope(svc, account)
    clauses = ["d.year = ?", "d.reached >= 0", fragment]
    values: list[Any] = [query.year, *params]
    for name, value in query.filters.items():
        clauses.append(f"{COLUMNS[name]} = ?")
        values.append(value)
    return " AND ".join(clauses), values


def title_of(svc: Services, dimension: str, value: Any) -> str:
    if value is None:
        return ""
    if dimension == "state":
        return workflow.state_title(svc, str(value))
    if dimension == "region":
        for item in svc.bundle.platform.get("regions") or []:
            if item["id"] == value:
                return str(item["name"])
    return str(value)


def counts(svc: Services, account: Account, query: Query) -> dict[str, Any]:
    """{rows: [{value, title, count}], total} grouped by the query's dimension."""
    where, values = _where(svc, account, query)
    column = COLUMNS[query.by]
    rows = svc.storage.all(
        f"SELECT {column} AS value, COUNT(*) AS n FROM declarations d"
        f" LEFT JOIN organisations u ON u.id = d.unit_id WHERE {where} GROUP BY {column} ORDER BY n DESC, value",
        tuple(values),
    )
    found = [{"value": r["value"], "title": title_of(svc, query.by, r["value"]), "count": int(r["n"])} for r in rows]
    return {
        "year": query.year,
        "by": query.by,
        "filters": query.filters,
        "rows": found,
        "total": sum(r["count"] for r in found),
    }


def declarations(
    svc: Services, account: Account, query: Query, *, limit: str | int | None = None, cursor: str | None = None
) -> queues.Page:
    """One page of the drill-down list behind a count (the filters of the query), newest change
    first: keyset pages over (updated_at, id) with limit/cursor, as every list (issue 14)."""
    size = queues.page_limit(svc, limit)
    where, values = _where(svc, account, query)
    after, more_values = queues.after_cursor(svc, cursor, "d.updated_at", "d.id")
    where = " AND ".join([where, *after])
    params: list[Any] = [*values, *more_values]
    rows = svc.storage.all(
        "SELECT d.id, d.series, d.level, d.state, u.region, u.name AS unit_name, a.name AS person_name, d.chain,"
        " d.updated_at FROM declarations d JOIN accounts a ON a.id = d.person_id"
        f" LEFT JOIN organisations u ON u.id = d.unit_id WHERE {where} ORDER BY d.updated_at DESC, d.id DESC LIMIT ?",
        (*params, size + 1),
    )
    page = queues.cut(rows, size, "updated_at")
    for row in page.rows:
        row["state_title"] = title_of(svc, "state", row["state"])
        row["region_name"] = title_of(svc, "region", row["region"])
        row["reviewable"] = account["org_id"] in loads(row.pop("chain"), [])
    return page


def sheet(svc: Services, result: dict[str, Any]) -> dict[str, Any]:
    """The same table as a spreadsheet context (runtime.spreadsheet.overview_xlsx)."""
    text = svc.bundle.text
    subtitle = [{"title": text("statistics_year"), "value": str(result["year"])}]
    subtitle += [{"title": text(f"dimension_{k}"), "value": title_of(svc, k, v)} for k, v in result["filters"].items()]
    rows = [[r["title"], str(r["count"])] for r in result["rows"]]
    rows.append([text("statistics_total"), str(result["total"])])
    return {
        "title": text("statistics_title"),
        "subtitle": subtitle,
        "columns": [
            {"title": text(f"dimension_{result['by']}"), "width": 60},
            {"title": text("statistics_count"), "width": 40},
        ],
        "rows": rows,
    }


def chart_svg(svc: Services, result: dict[str, Any]) -> bytes:
    """A bar chart of the same numbers, rendered on the server (no script, no external files)."""
    import pygal

    text = svc.bundle.text
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=False,
        show_legend=False,
        width=800,
        height=max(200, 40 * len(result["rows"]) + 120),
        title=f"{text('statistics_title')} {result['year']} · {text('dimension_' + result['by'])}",
        print_values=True,
    )
    chart.x_labels = [r["title"] or "-" for r in result["rows"]]
    chart.add(svc.bundle.text("statistics_count"), [r["count"] for r in result["rows"]])
    rendered: bytes = chart.render()
    # pygal always writes its interactive config as a <script>; the chart is read as an image
    return re.sub(rb"<script\b[^>]*>.*?</script>", b"", rendered, flags=re.S)
