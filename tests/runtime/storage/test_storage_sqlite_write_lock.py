"""SQLite's write lock between server processes (issue 14): a transaction, and a write made
outside one, waits for another process's write and then commits; one that waits past the busy
timeout fails as a locked database (a 503 to the person, see runtime.storage.disk) and leaves
the connection as it was. The waiting is the storage's own (short sleeps, so a process's event
loop is not held for SQLite's 1-20 ms ones): the connection's busy timeout stays 0."""

from __future__ import annotations

import sqlite3
import threading
import time
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
    assert busy_timeout(storage) == 0  # nothing waits in SQLite's own sleeps


def test_a_write_outside_a_transaction_waits_for_another_write_too(storage: Database, tmp_path: Path) -> None:
    holder, taken = hold_write_lock(tmp_path / "zhicheng.sqlite3", 0.3)
    assert taken.is_set()
    assert storage.execute("INSERT INTO lock_probe VALUES (2)") == 1
    storage.insert("lock_probe", {"n": 3})
    holder.join()
    assert [r["n"] for r in storage.all("SELECT n FROM lock_probe ORDER BY n")] == [1, 2, 3]


def test_a_read_does_not_wait_for_another_write(storage: Database, tmp_path: Path) -> None:
    storage.execute("INSERT INTO lock_probe VALUES (0)")
    holder, taken = hold_write_lock(tmp_path / "zhicheng.sqlite3", 1.0)
    assert taken.is_set()
    try:
        started = time.monotonic()
        rows = storage.all("SELECT n FROM lock_probe")
        assert time.monotonic() - started < 0.5  # WAL: the committed rows, at once
        assert [r["n"] for r in rows] == [0]  # not the holder's uncommitted one
    finally:
        holder.join()


def test_a_transaction_that_waits_too_long_fails_as_locked(
    storage: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_storage, "BUSY_SECONDS", 0.2)
    holder, _ = hold_write_lock(tmp_path / "zhicheng.sqlite3", 1.5)
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError) as refused, storage.transaction():
            storage.execute("INSERT INTO lock_probe VALUES (2)")
        assert disk.is_disk_failure(refused.value)  # answered as 503, never a traceback
        assert 0.2 <= time.monotonic() - started < 1.2  # it waited its timeout, not the holder out
        with pytest.raises(sqlite3.OperationalError) as refused_too:
            storage.execute("INSERT INTO lock_probe VALUES (3)")  # outside a transaction: the same
        assert disk.is_disk_failure(refused_too.value)
        assert busy_timeout(storage) == 0  # the connection as it was
    finally:
        holder.join()
    assert [r["n"] for r in storage.all("SELECT n FROM lock_probe")] == [1]  # nothing half-written
    storage.execute("INSERT INTO lock_probe VALUES (4)")  # and it writes again once the lock is free
    assert [r["n"] for r in storage.all("SELECT n FROM lock_probe ORDER BY n")] == [1, 4]
