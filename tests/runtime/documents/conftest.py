"""Fixtures for the printed documents: a real app on a real SQLite file in tmp_path, its
declarations put into the needed state directly in the database (documents_helpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

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
def unit(world: World) -> str:
    return world.org(UNIT_NAME)


@pytest.fixture
def committee(world: World) -> str:
    return world.org("威海市档案局", kinds=("department",))
