"""The committee stage's policy as build/committee.json holds it (schemas/committee.yaml)."""

from __future__ import annotations

from typing import Any

from runtime.storage.rows import Account
from runtime.web.http import Services


def section(svc: Services, name: str) -> dict[str, Any]:
    """One block of committee.yaml (certificates, integrity, statistics …); {} when absent."""
    return dict(svc.bundle.committee.get(name) or {})


def number(svc: Services, block: str, key: str) -> int:
    return int(section(svc, block)[key])


def roles(svc: Services, block: str) -> list[str]:
    key = {"certificates": "revoke_by", "results_publicity": "decided_by"}.get(block, "by")
    return [str(r) for r in section(svc, block).get(key) or []]


def expert_role(svc: Services) -> str:
    """The platform role of an expert's login account (COM-3)."""
    return str(section(svc, "experts").get("account_role") or "")


def committee_name(svc: Services, organiser: str, organiser_name: str, series: str, level: str) -> str:
    """COM-1: the committee listed for the organiser and the series × level, else the name
    the policy's template gives."""
    for committee in svc.bundle.committee.get("committees") or []:
        if committee["organiser"] == organiser and series in committee["series"] and level in committee["levels"]:
            return str(committee["name"])
    template = str(svc.bundle.committee.get("committee_name") or "")
    if not template:
        return organiser_name
    return template.replace("{series}", series).replace("{level}", level).replace("{organiser}", organiser_name)


def issuer_name(svc: Services) -> str:
    authority = str(section(svc, "certificates").get("issuing_authority") or "")
    row = svc.storage.one("SELECT name FROM organisations WHERE id = ?", (authority,))
    if row:
        return str(row["name"])
    for item in svc.bundle.platform.get("authorities") or []:
        if item["id"] == authority:
            return str(item["name"])
    return ""


def nav(svc: Services, account: Account) -> list[tuple[str, str]]:
    """The stage's entries of the organisation menu, by the roles committee.yaml names."""
    items = []
    steps = {t["id"] for t in (svc.bundle.workflow.get("declaration") or {}).get("transitions") or []}
    if "start_unit_publicity" in steps and account["role"] in roles(svc, "unit_publicity"):
        items.append(("/unit-publicity", "nav_unit_publicity"))  # PUB-1, when the workflow has the step
    for href, block, key in (
        ("/experts", "experts", "nav_experts"),  # COM-1
        ("/review-sessions", "experts", "nav_sessions"),  # COM-2..4
        ("/certificates", "certificates", "nav_certificates"),
        ("/integrity", "integrity", "nav_integrity"),
        ("/statistics", "statistics", "nav_statistics"),
        ("/result-objections", "results_publicity", "nav_result_objections"),  # PUB-2
    ):
        if account["role"] in roles(svc, block):
            items.append((href, key))
    return items
