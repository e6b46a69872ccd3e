"""Who a declaration travels through (PATH-2, PATH-3), from build/routing.json.

A chain is a list of organisation ids: the declaring unit first, the committee
office that records the result last. Its steps come from the chain rules of
the unit's region kind; an empty table cell means there is no path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from runtime.storage import loads
from runtime.storage.rows import Organisation
from runtime.web.http import Services
from vocabulary.terms import TABLE_STEP


class Place(TypedDict):
    """Where a unit stands for routing: an Organisation row, or a region and supervisor alone."""

    id: str
    region: str
    supervisor_id: str | None


@dataclass
class NoPath(Exception):
    reason: str  # no_region | no_chain | empty_cell | no_authority


def region(svc: Services, region_id: str) -> dict[str, Any] | None:
    for item in svc.bundle.platform.get("regions") or []:
        if item.get("id") == region_id:
            return dict(item)
    return None


def region_by_code(svc: Services, code: str) -> dict[str, Any] | None:
    for item in svc.bundle.platform.get("regions") or []:
        if item.get("code") == code:
            return dict(item)
    return None


def steps_for(svc: Services, region_kind: str) -> list[str]:
    for chain in svc.bundle.routing.get("chains") or []:
        if region_kind in chain.get("region_kinds", []):
            return list(chain.get("steps") or [])
    raise NoPath("no_chain")


def table_cell(svc: Services, table: str, series: str, level: str) -> str | None:
    cells = ((svc.bundle.routing.get("tables") or {}).get(table) or {}).get("cells") or {}
    found = (cells.get(series) or {}).get(level)
    return str(found) if found else None


def chain_for(svc: Services, unit: Place, series: str, level: str) -> list[str]:
    """Organisation ids from the unit to the committee office, or NoPath."""
    where = region(svc, unit["region"])
    if where is None:
        raise NoPath("no_region")
    chain = [unit["id"]]
    for step in steps_for(svc, where["kind"]):
        org_id: str | None
        if step == "supervisor":
            org_id = unit.get("supervisor_id")
            if not org_id:
                continue
        elif step == "region_hr":
            org_id = _authority_id(svc, kind="region_hr", region=where["id"])
            if org_id is None:
                raise NoPath("no_authority")
        else:
            match = TABLE_STEP.match(step)
            name = table_cell(svc, match.group(1), series, level) if match else None
            if name is None:
                raise NoPath("empty_cell")
            org_id = _authority_id(svc, name=name)
            if org_id is None:
                raise NoPath("no_authority")
        if org_id != chain[-1]:
            chain.append(org_id)
    return chain


def _authority_id(
    svc: Services, *, kind: str | None = None, region: str | None = None, name: str | None = None
) -> str | None:
    rows = svc.storage.all("SELECT id, name, kinds, region FROM organisations WHERE authority = 1")
    for row in rows:
        if name is not None and row["name"] != name:
            continue
        if kind is not None and kind not in loads(row["kinds"], []):
            continue
        if region is not None and row["region"] != region:
            continue
        return str(row["id"])
    return None


# A stand-in for "some unit" when a chain is asked for without a real one (the routing
# page, or an upper organisation working out its own next step).
_ANY_UNIT = ""


def chain_above(svc: Services, region_id: str, supervisor_id: str | None, series: str, level: str) -> list[str]:
    """The organisations a unit of this region (and supervisor) reports through, unit left out."""
    return chain_for(svc, {"id": _ANY_UNIT, "region": region_id, "supervisor_id": supervisor_id}, series, level)[1:]


def uppers_for(svc: Services, org: Organisation, series: str, level: str) -> list[str]:
    """Where `org` may request a path to (PATH-1): the organisation right after it in any chain
    it takes part in — as a declaring unit itself, or as the supervisor of units in its own
    region or the regions of its subordinate units. Empty when `org` is the end of its chains;
    NoPath when no chain exists at all."""
    chains: list[list[str]] = []
    failures: list[NoPath] = []

    def collect(unit: Place) -> None:
        try:
            chains.append(chain_for(svc, unit, series, level))
        except NoPath as exc:
            failures.append(exc)

    collect(org)
    if "supervisor" in loads(org.get("kinds"), []):
        rows = svc.storage.all("SELECT DISTINCT region FROM organisations WHERE supervisor_id = ?", (org["id"],))
        for region_id in sorted({org["region"], *(r["region"] for r in rows)}):
            collect({"id": _ANY_UNIT, "region": region_id, "supervisor_id": org["id"]})
    uppers: list[str] = []
    for chain in chains:
        if org["id"] in chain[:-1]:
            upper = chain[chain.index(org["id"]) + 1]
            if upper not in uppers:
                uppers.append(upper)
    if not uppers and not chains and failures:
        raise failures[0]
    return uppers
