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
from documents_helpers import UNIT_NAME, World
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
