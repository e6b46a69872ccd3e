"""The audit page of an HR authority (issue 13, finding 11): who (person and organisation) did
what and when in its region — permission decisions, password resets, staff accounts, name
corrections, and the declarations' history — filtered by date, organisation and action, also
as a spreadsheet. A district sees its own region, the city bureau the whole city; an
organisation of another region in the filter is 404.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from typing import Any

from runtime.clock import iso
from runtime.paths import routing
from runtime.review import workflow
from runtime.storage.rows import Account
from runtime.units.units import hr_org, not_found, organisation
from runtime.web.http import Services

# The spreadsheet's columns: (ui text key, row key).
COLUMNS = (
    ("audit_at", "at"),
    ("audit_person", "actor_name"),
    ("audit_org", "org_name"),
    ("audit_action", "action_title"),
    ("audit_target", "target"),
    ("audit_detail", "detail"),
)


def regions_of(svc: Services, account: Account) -> list[str]:
    """The caller's region and, for a city bureau, every region below it."""
    org = hr_org(svc, account)
    found = [org["region"]]
    where = routing.region(svc, org["region"])
    if where and where.get("kind") == "city":
        found += [r["id"] for r in svc.bundle.platform.get("regions") or [] if r.get("parent") == org["region"]]
    return found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


def entries(svc: Services, account: Account, filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Newest first, at most `limit`. Audit rows of the caller's regions (rows with no region:
    the city bureau's), and the declarations' history acted by organisations of those regions."""
    regions = regions_of(svc, account)
    city = routing.region(svc, regions[0])
    marks = ", ".join("?" for _ in regions)
    audit_where = [
        f"(a.region IN ({marks})" + (" OR a.region IS NULL)" if city and city.get("kind") == "city" else ")")
    ]
    history_where = [f"o.region IN ({marks})"]
    audit_params: list[Any] = list(regions)
    history_params: list[Any] = list(regions)
    since, until = _day(filters.get("from", "")), _day(filters.get("to", ""))
    if since:
        audit_where.append("a.at >= ?")
        history_where.append("h.at >= ?")
        audit_params.append(since.isoformat())
        history_params.append(since.isoformat())
    if until:
        end = (until + timedelta(days=1)).isoformat()
        audit_where.append("a.at < ?")
        history_where.append("h.at < ?")
        audit_params.append(end)
        history_params.append(end)
    org_id = filters.get("org", "").strip()[:64]
    if org_id:
        chosen = organisation(svc, org_id)
        if chosen is None or chosen["region"] not in regions:
            raise not_found(svc)
        audit_where.append("a.actor_org_id = ?")
        history_where.append("h.org_id = ?")
        audit_params.append(org_id)
        history_params.append(org_id)
    action = filters.get("action", "").strip()[:64]
    if action:
        audit_where.append("a.action = ?")
        history_where.append("'declaration_' || h.transition = ?")
        audit_params.append(action)
        history_params.append(action)
    sql = (
        "SELECT a.at, a.actor_name, a.actor_org_id, a.action, a.target, a.detail FROM audit a"
        f" WHERE {' AND '.join(audit_where)}"
        " UNION ALL "
        "SELECT h.at, COALESCE(p.name, ''), h.org_id, 'declaration_' || h.transition, h.declaration_id, h.comment"
        " FROM history h JOIN organisations o ON o.id = h.org_id LEFT JOIN accounts p ON p.id = h.actor_id"
        f" WHERE {' AND '.join(history_where)}"
        " ORDER BY 1 DESC LIMIT ?"
    )
    rows = svc.storage.all(sql, (*audit_params, *history_params, limit))
    names: dict[str, str] = {}
    titles = _titles(svc)
    for row in rows:
        org = row["actor_org_id"]
        if org and org not in names:
            found = organisation(svc, org)
            names[org] = found["name"] if found else org
    return [
        {
            **row,
            "org_name": names.get(row["actor_org_id"] or "", ""),
            "action_title": titles.get(row["action"], row["action"]),
        }
        for row in rows
    ]


def _titles(svc: Services) -> dict[str, str]:
    """Every action's title: a workflow step (`declaration_<step>`, from the history) by its title
    in the workflow schema, unless messages.yaml words it (audit_action_*), as it does the rest."""
    steps = workflow.definition(svc)["transitions"]
    said = Counter(str(t["title"]) for t in steps)
    titles = {  # two steps of one title (confirming a pass or a fail) told apart by where they lead
        f"declaration_{t['id']}": str(t["title"])
        + (f"({workflow.state_title(svc, t['to'])})" if said[str(t["title"])] > 1 else "")
        for t in steps
    }
    prefix = "audit_action_"
    titles |= {k[len(prefix) :]: v for k, v in svc.bundle.ui.items() if k.startswith(prefix)}
    return titles


def actions(svc: Services) -> list[dict[str, str]]:
    """The actions the filter offers: every one with a title (_titles)."""
    return [{"value": value, "title": title} for value, title in _titles(svc).items()]


def organisations_of(svc: Services, account: Account) -> list[dict[str, Any]]:
    regions = regions_of(svc, account)
    marks = ", ".join("?" for _ in regions)
    return svc.storage.all(
        f"SELECT id, name FROM organisations WHERE region IN ({marks}) ORDER BY name", tuple(regions)
    )


def spreadsheet(svc: Services, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = svc.bundle.text("audit_title")[:31]
    sheet.append([svc.bundle.text(key) for key, _ in COLUMNS])
    for row in rows:
        sheet.append([str(row.get(field) or "") for _, field in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stamp(svc: Services) -> str:
    return iso(svc.clock.now())[:10]
