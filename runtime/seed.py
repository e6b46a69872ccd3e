"""Organisations from platform.yaml at every start, and demo data for `make run`.

The authorities (HR bureaus, the departments of the routing table, platform
support) are policy data: they are synchronised from build/ on every start.
Demo data is only for demonstrations and tests.
"""

from __future__ import annotations

import uuid
from typing import Any

from runtime.clock import iso
from runtime.security import hash_password
from runtime.storage import dumps
from runtime.web import Services

DEMO_PASSWORD = "Weihai#2026demo"


def sync_authorities(svc: Services) -> None:
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        for authority in svc.bundle.platform.get("authorities") or []:
            row = {
                "id": authority["id"],
                "name": authority["name"],
                "kinds": dumps(authority["kinds"]),
                "region": authority["region"],
                "authority": 1,
                "permitted": 1,
            }
            if svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ?", (authority["id"],)):
                svc.storage.execute(
                    "UPDATE organisations SET name = ?, kinds = ?, region = ?, authority = 1 WHERE id = ?",
                    (row["name"], row["kinds"], row["region"], row["id"]),
                )
            else:
                svc.storage.insert("organisations", {**row, "created_at": now})


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


def seed_demo(svc: Services) -> list[dict[str, Any]]:
    """Demo organisations and accounts; returns the accounts to print."""
    password_hash = hash_password(DEMO_PASSWORD)
    accounts: list[dict[str, Any]] = []
    with svc.storage.transaction():
        for authority in svc.bundle.platform.get("authorities") or []:
            role = (
                "support"
                if "support" in authority["kinds"]
                else (
                    "committee_office"
                    if "department" in authority["kinds"] and "region_hr" not in authority["kinds"]
                    else "reviewer"
                )
            )
            _org_account(svc, authority["id"], authority["id"], authority["name"], role, password_hash)
        units = [
            ("威海市示范科技有限公司", "weihai", None, "91371000MA3C00001X"),
            ("威海市第一示范中学", "weihai", "weihai_edu", "12371000MB2800002Y"),
            ("环翠区示范机械厂", "huancui", None, "91371002MA3C00003Y"),
        ]
        for name, region, supervisor, uscc in units:
            supervisor_id = (
                supervisor
                if supervisor and svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ?", (supervisor,))
                else None
            )
            org_id = _unit(svc, name, region, supervisor_id, uscc)
            login = f"unit{len(accounts) + 1}"
            _org_account(svc, org_id, login, name, "reviewer", password_hash)
            accounts.append({"login": login, "role": "reviewer", "org": name})
        if not svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = 'zhangsan'"):
            svc.storage.insert(
                "accounts",
                {
                    "id": uuid.uuid4().hex,
                    "kind": "person",
                    "role": "applicant",
                    "login_name": "zhangsan",
                    "id_number": "371002199001011237",
                    "name": "张三",
                    "mobile": "13800000001",
                    "org_id": None,
                    "password_hash": password_hash,
                    "data": dumps({"sex": "男", "ethnicity": "汉族", "birth_date": "1990-01-01"}),
                    "created_at": iso(svc.clock.now()),
                },
            )
        accounts.append({"login": "zhangsan", "role": "applicant", "org": ""})
        accounts.append({"login": "weihai_hrss", "role": "reviewer", "org": "威海市人力资源和社会保障局"})
    return accounts
