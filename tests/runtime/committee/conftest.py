"""Fixtures for the committee stage: a real app on a real database (SQLite and PostgreSQL), with declarations put
into the needed state directly (the printed-documents helpers), plus the live services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "documents"))

import chain_helpers
from documents_helpers import UNIT_NAME, World, full_sections
from runtime_support import ROOT

from runtime.app import create_app
from runtime.clock import Clock


@pytest.fixture
def world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[World]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client)
    app.state.services.storage.close()


@pytest.fixture
def svc(world: World) -> Any:
    return world.client.app.state.services  # type: ignore[attr-defined]


@pytest.fixture
def unit(world: World) -> str:
    return world.org(UNIT_NAME)


@pytest.fixture
def committee(world: World) -> str:
    return world.org("威海市档案局", kinds=("department",))


@pytest.fixture
def chain_world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[chain_helpers.World]:
    """The review chain through the API: authorities' accounts, applicants, units, paths."""
    app = create_app(ROOT / "build", tmp_path / "chain", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        found = chain_helpers.World(client, app)
        found.seed_authorities()
        yield found
    app.state.services.storage.close()


LEVEL = "副高级"  # a level with the largest session minimum (COM-2)


@pytest.fixture
def drawn(world: World, unit: str, committee: str, svc: Any) -> dict[str, Any]:
    """A session of the level with the largest minimum, drawn; every drawn expert with an account."""
    office_account = world.org_account(committee, role="committee_office")
    headers = world.bearer(office_account)
    count = int(svc.bundle.committee["experts"]["session_minimum"][LEVEL])
    sections = full_sections(unit)
    sections["header"].update(level=LEVEL, title="副研究馆员")
    ids = [world.declaration(world.person(), sections, chain=[unit, committee], state="passed") for _ in range(2)]
    for i in range(count):
        body = {"name": f"表决专家{i}", "unit": f"外单位{i}", "title_level": LEVEL}
        assert world.client.post("/api/v1/experts", json=body, headers=headers).status_code == 201
    made = world.client.post(
        "/api/v1/review-sessions",
        json={"series": "档案", "level": LEVEL, "expert_count": count, "declaration_ids": ids},
        headers=headers,
    ).json()
    session = world.client.post(f"/api/v1/review-sessions/{made['id']}/draw", headers=headers).json()
    tokens, accounts = {}, {}
    for i, expert in enumerate(session["experts"]):
        account = world.client.post(
            f"/api/v1/experts/{expert['id']}/account",
            json={"login_name": f"expert{i:02d}", "password": "Zhuanjia#2026"},
            headers=headers,
        )
        assert account.status_code == 201, account.text
        tokens[expert["id"]] = world.bearer(account.json()["account_id"])
        accounts[expert["id"]] = account.json()["account_id"]
    return {
        "office": headers,
        "office_account": office_account,
        "session": session,
        "ids": ids,
        "tokens": tokens,
        "accounts": accounts,
        "count": count,
        "committee": committee,
    }
