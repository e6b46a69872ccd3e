"""Fixtures for the help tests: a real app on a real database (SQLite and PostgreSQL, issue 14),
and the FAQ as build/ compiled it (tests never restate a question)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_support import ROOT
from starlette.testclient import TestClient

from runtime.app import create_app
from runtime.clock import Clock


@pytest.fixture
def client(tmp_path: Path, clock: Clock, database: str | None) -> Iterator[TestClient]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=clock, database=database)
    with TestClient(app, base_url="http://testserver") as found:
        yield found
    app.state.services.storage.close()


@pytest.fixture(scope="session")
def faq() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((ROOT / "build" / "faq.json").read_text("utf-8"))
    return found
