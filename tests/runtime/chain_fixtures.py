"""Fixtures for the review-chain tests: a real app on a real SQLite file in tmp_path, the
authorities' accounts of platform.yaml, and a clock frozen inside the notice window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chain_helpers import World
from runtime_support import ROOT
from starlette.testclient import TestClient

from runtime.app import create_app
from runtime.clock import Clock


@pytest.fixture
def world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[World]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        found = World(client, app)
        found.seed_authorities()
        yield found
    app.state.services.storage.close()
