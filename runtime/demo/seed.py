"""Organisations from platform.yaml at every start, and demo data for `make run`.

The authorities (HR bureaus, the departments of the routing table, platform
support) are policy data: they are synchronised from build/ on every start.
Demo data is only for demonstrations and tests.
"""

from __future__ import annotations

import itertools
import json
import uuid
from importlib import resources
from typing import Any

from runtime.clock import iso
from runtime.demo.committee import seed_committee
from runtime.demo.declarations import seed_declarations
from runtime.paths import routing
from runtime.storage import dumps
from runtime.web.http import Services
from runtime.web.security import hash_password

DEMO_PASSWORD = "Weihai#2026demo"


def _org_account(svc: Services, org_id: str, login_name: str, name: str, role: str, password_hash: str) -> None:
    if svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (login_name,)):
        return
    svc.storage.insert(
        "accounts",
        {
            "id": uuid.uuid4().hex,
            "kind": "organisation",
            "role": role,
            "login_name": login_name,
            "id_number": None,
            "name": name,
            "mobile": None,
            "org_id": org_id,
            "password_hash": password_hash,
            "data": "{}",
            "created_at": iso(svc.clock.now()),
            "org_admin": 1,
        },
    )


def _unit(svc: Services, name: str, region: str, supervisor: str | None, uscc: str) -> str:
    found = svc.storage.one("SELECT id FROM organisations WHERE name = ?", (name,))
    if found:
        return str(found["id"])
    org_id = "u_" + uuid.uuid4().hex[:10]
    svc.storage.insert(
        "organisations",
        {
            "id": org_id,
            "name": name,
            "kinds": dumps(["employer"]),
            "region": region,
            "supervisor_id": supervisor,
            "uscc": uscc,
            "authority": 0,
            "permitted": 1,
            "created_at": iso(svc.clock.now()),
        },
    )
    return org_id


def authority_role(kinds: list[str]) -> str:
    """The role (platform.yaml) of an authority's account. HR authorities are `hr_admin`: they
    decide their region's permission requests, review and report, and record results where the
    city HR bureau is the committee organising unit; departments are `committee_office`, which
    reviews and reports too (schemas/workflow/declaration.yaml `by`)."""
    if "support" in kinds:
        return "support"
    if "region_hr" in kinds:
        return "hr_admin"
    if "department" in kinds:
        return "committee_office"
    return "reviewer"


def seed_authority_accounts(svc: Services, password_hash: str) -> None:
    """One account per authority of platform.yaml, its login name the authority id."""
    for authority in svc.bundle.platform.get("authorities") or []:
        role = authority_role(list(authority["kinds"]))
        _org_account(svc, authority["id"], authority["id"], authority["name"], role, password_hash)


def _approved_paths(svc: Services, unit_id: str, cells: list[tuple[str, ...]]) -> None:
    """Approved paths along the unit's chain for the demo cells, so reporting works at once."""
    unit = svc.storage.organisation(unit_id)
    assert unit is not None
    for series, level in cells:
        try:
            chain = routing.chain_for(svc, unit, series, level)
        except routing.NoPath:
            continue
        for lower, upper in itertools.pairwise(chain):
            if svc.storage.one(
                "SELECT 1 AS x FROM paths WHERE org_id = ? AND upper_org_id = ? AND series = ? AND level = ?",
                (lower, upper, series, level),
            ):
                continue
            now = iso(svc.clock.now())
            svc.storage.insert(
                "paths",
                {
                    "id": uuid.uuid4().hex,
                    "org_id": lower,
                    "series": series,
                    "level": level,
                    "upper_org_id": upper,
                    "state": "approved",
                    "comment": "",
                    "created_at": now,
                    "decided_at": now,
                },
            )


def demo_data() -> dict[str, Any]:
    """The demo organisations and people (runtime/demo_data.json)."""
    text = resources.files("runtime.demo").joinpath("demo_data.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


def seed_demo(svc: Services) -> list[dict[str, Any]]:
    """Demo organisations and accounts; returns the accounts to print."""
    data = demo_data()
    password_hash = hash_password(DEMO_PASSWORD)
    accounts: list[dict[str, Any]] = []
    with svc.storage.transaction():
        seed_authority_accounts(svc, password_hash)
        # a district supervising department (not an authority of platform.yaml)
        district = data["district_supervisor"]
        district_supervisor = _unit(svc, district["name"], district["region"], None, district["uscc"])
        svc.storage.execute(
            "UPDATE organisations SET kinds = ? WHERE id = ?", (dumps(["supervisor"]), district_supervisor)
        )
        _org_account(svc, district_supervisor, district["login"], district["name"], "reviewer", password_hash)
        accounts.append({"login": district["login"], "role": "reviewer", "org": district["name"]})
        for unit in data["units"]:
            supervisor = district_supervisor if unit["supervisor"] == "district_supervisor" else unit["supervisor"]
            supervisor_id = (
                supervisor
                if supervisor and svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ?", (supervisor,))
                else None
            )
            org_id = _unit(svc, unit["name"], unit["region"], supervisor_id, unit["uscc"])
            login = f"unit{len(accounts)}"
            _org_account(svc, org_id, login, unit["name"], "reviewer", password_hash)
            accounts.append({"login": login, "role": "reviewer", "org": unit["name"]})
            _approved_paths(svc, org_id, [tuple(cell) for cell in data["path_cells"]])
        person = data["applicant"]
        if not svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (person["login"],)):
            svc.storage.insert(
                "accounts",
                {
                    "id": uuid.uuid4().hex,
                    "kind": "person",
                    "role": "applicant",
                    "login_name": person["login"],
                    "id_number": person["id_number"],
                    "name": person["name"],
                    "mobile": person["mobile"],
                    "org_id": None,
                    "password_hash": password_hash,
                    "data": dumps(person["data"]),
                    "created_at": iso(svc.clock.now()),
                },
            )
        accounts.append({"login": person["login"], "role": "applicant", "org": ""})
        for authority in svc.bundle.platform.get("authorities") or []:
            if "region_hr" in authority["kinds"] and authority["region"] == "weihai":
                accounts.append({"login": authority["id"], "role": "hr_admin", "org": authority["name"]})
    city_unit = svc.storage.one("SELECT id FROM organisations WHERE name = ?", (data["declaring_unit"],))
    if city_unit:
        people = data.get("declaration_people") or {}
        for line in seed_declarations(svc, city_unit["id"], data["declaration_names"], password_hash, people):
            login = line.split(":")[0]
            accounts.append({"login": login, "role": "applicant", "org": line.split(": ")[1]})
    # expert pool, sessions, an expert login (COM-1..4)
    accounts += seed_committee(svc, DEMO_PASSWORD, data["committee"])
    return accounts
