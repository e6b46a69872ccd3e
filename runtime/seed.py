"""Organisations from platform.yaml at every start, and demo data for `make run`.

The authorities (HR bureaus, the departments of the routing table, platform
support) are policy data: they are synchronised from build/ on every start.
Demo data is only for demonstrations and tests.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from runtime import routing
from runtime.clock import iso
from runtime.demo import seed_declarations
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


# Demo cells (series, level) whose whole reporting chain gets approved paths (PATH-1).
DEMO_PATH_CELLS = (("档案", "中级"), ("工程技术", "中级"), ("中小学教师", "中级"))


def _approved_paths(svc: Services, unit_id: str) -> None:
    """Approved paths along the unit's chain for the demo cells, so reporting works at once."""
    unit = svc.storage.one("SELECT * FROM organisations WHERE id = ?", (unit_id,))
    for series, level in DEMO_PATH_CELLS:
        try:
            chain = routing.chain_for(svc, unit or {}, series, level)
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


def seed_demo(svc: Services) -> list[dict[str, Any]]:
    """Demo organisations and accounts; returns the accounts to print."""
    password_hash = hash_password(DEMO_PASSWORD)
    accounts: list[dict[str, Any]] = []
    with svc.storage.transaction():
        seed_authority_accounts(svc, password_hash)
        # a district supervising department (not an authority of platform.yaml)
        district_supervisor = _unit(svc, "环翠区示范教育和体育局", "huancui", None, "11371002MB2800009X")
        svc.storage.execute(
            "UPDATE organisations SET kinds = ? WHERE id = ?", (dumps(["supervisor"]), district_supervisor)
        )
        _org_account(svc, district_supervisor, "supervisor1", "环翠区示范教育和体育局", "reviewer", password_hash)
        accounts.append({"login": "supervisor1", "role": "reviewer", "org": "环翠区示范教育和体育局"})
        units = [
            ("威海市示范科技有限公司", "weihai", None, "91371000MA3C00001X"),
            ("威海市第一示范中学", "weihai", "weihai_education", "12371000MB2800002Y"),
            ("环翠区示范机械厂", "huancui", None, "91371002MA3C00003Y"),
            ("环翠区示范小学", "huancui", district_supervisor, "12371002MB2800004Y"),
            ("荣成市示范渔业公司", "rongcheng", None, "91371082MA3C00005Y"),
            ("高区示范电子公司", "gaoqu", None, "91371071MA3C00006Y"),
        ]
        for name, region, supervisor, uscc in units:
            supervisor_id = (
                supervisor
                if supervisor and svc.storage.one("SELECT 1 AS x FROM organisations WHERE id = ?", (supervisor,))
                else None
            )
            org_id = _unit(svc, name, region, supervisor_id, uscc)
            login = f"unit{len(accounts)}"
            _org_account(svc, org_id, login, name, "reviewer", password_hash)
            accounts.append({"login": login, "role": "reviewer", "org": name})
            _approved_paths(svc, org_id)
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
        accounts.append({"login": "weihai_hrss", "role": "hr_admin", "org": "威海市人力资源和社会保障局"})
    city_unit = svc.storage.one("SELECT id FROM organisations WHERE name = ?", ("威海市示范科技有限公司",))
    if city_unit:
        names = {f"demo-{i}": n for i, n in enumerate(("李四", "王五", "赵六", "孙七", "周八"), start=1)}
        for line in seed_declarations(svc, city_unit["id"], names, password_hash):
            login = line.split(":")[0]
            accounts.append({"login": login, "role": "applicant", "org": line.split(": ")[1]})
    return accounts
