"""Shared by every runtime test package: the clock frozen inside the notice window, and the
database every storage-touching test runs on: once on SQLite, once on a real PostgreSQL server
this test run starts itself (pg_server.py). The shared helpers live in runtime_support.py,
importable from every package's tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pg_server import NoPostgres, PostgresServer
from runtime_support import frozen_clock

from runtime.clock import Clock

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
def clock() -> Clock:
    return frozen_clock()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except NoPostgres as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))  # CI must prove both backends
        pytest.skip(str(exc))
    yield server
    server.stop()


def _database(request: pytest.FixtureRequest) -> str | None:
    """None: the app's default SQLite file in its data dir; else a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.schema_url()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest) -> str | None:
    return _database(request)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request: pytest.FixtureRequest) -> str | None:
    return _database(request)
