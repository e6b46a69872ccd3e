"""Fixtures for the applicant side: a real app on a real SQLite file in tmp_path, driven over
HTTP with a controllable clock. Helpers live in applicant_helpers.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from applicant_helpers import Applicant, World
from runtime_support import ROOT
from starlette.testclient import TestClient

from runtime.app import create_app
from runtime.clock import Clock


@pytest.fixture
def world(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[World]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client, clock, tmp_path / "data")
    app.state.services.storage.close()


@pytest.fixture
def applicant(world: World) -> Applicant:
    return world.applicant()


@pytest.fixture
def unit_id(world: World) -> str:
    return world.unit()


@pytest.fixture
def filled(world: World, applicant: Applicant, unit_id: str) -> str:
    """A declaration of `applicant` with every section valid, not yet submitted."""
    declaration_id = applicant.new_declaration()
    applicant.fill(declaration_id, unit_id)
    return declaration_id
