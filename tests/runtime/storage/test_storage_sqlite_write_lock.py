"""SQLite's write lock between server processes (issue 14): a transaction waits for another
process's write and then commits; one that waits past the busy timeout fails as a locked
database (a 503 to the person, see runtime.storage.disk) and leaves the connection as it was."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.storage import disk, open_storage
from runtime.storage import sqlite as sqlite_storage
from runtime.storage.interface import Database


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Database]:
    found = open_storage(tmp_path / "zhicheng.sqlite3")
    found.execute("CREATE TABLE IF NOT EXISTS lock_probe (n INTEGER)")
    yield found
    found.close()


def hold_write_lock(path: Path, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """Another connection (as another server process would) writes for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO lock_probe VALUES (1)")
        taken.set()
        threading.Event().wait(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(5)
    return thread, taken


def busy_timeout(storage: Database) -> int:
    row = storage.one("PRAGMA busy_timeout")
    assert row is not None
    return int(next(iter(row.values())))


def test_a_transaction_waits_for_another_write_and_then_commits(storage: Database, tmp_path: Path) -> None:
    holder, taken = hold_write_lock(tmp_path / "zhicheng.sqlite3", 0.3)
    assert taken.is_set()
    with storage.transaction():
        storage.execute("INSERT INTO lock_probe VALUES (2)")
    holder.join()
    rows = storage.all("SELECT n FROM lock_probe ORDER BY n")
    assert [r["n"] for r in rows] == [1, 2]  # both writes, the waiting one after the holder's
    assert busy_timeout(storage) == sqlite_storage.BUSY_SECONDS * 1000


def test_a_transaction_that_waits_too_long_fails_as_locked(
    storage: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_storage, "BUSY_SECONDS", 0.2)
    storage.execute("PRAGMA busy_timeout=200")  # what a connection opened with that setting has
    holder, _ = hold_write_lock(tmp_path / "zhicheng.sqlite3", 1.5)
    try:
        with pytest.raises(sqlite3.OperationalError) as refused, storage.transaction():
            storage.execute("INSERT INTO lock_probe VALUES (2)")
        assert disk.is_disk_failure(refused.value)  # answered as 503, never a traceback
        assert busy_timeout(storage) == 200  # the statements after it wait as before
    finally:
        holder.join()
    assert [r["n"] for r in storage.all("SELECT n FROM lock_probe")] == [1]  # nothing half-written
