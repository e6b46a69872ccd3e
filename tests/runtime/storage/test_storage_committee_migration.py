"""The committee stage's tables come from a numbered migration on both backends, and a database
whose committee tables were made before that migration existed migrates without a clash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runtime.storage import open_storage
from runtime.storage.committee_schema import COMMITTEE_SQLITE
from runtime.storage.migrations import POSTGRES_MIGRATIONS, apply_migrations
from runtime.storage.sqlite import SQLITE_MIGRATIONS

STAGE_TABLES = ("certificate_revocations", "experts", "review_sessions", "ballots", "result_objections")


def test_the_committee_tables_are_one_numbered_migration_on_both_backends() -> None:
    sqlite_versions = {m.version: m.summary for m in SQLITE_MIGRATIONS}
    postgres_versions = {m.version: m.summary for m in POSTGRES_MIGRATIONS}
    committee = [v for v, summary in sqlite_versions.items() if summary.startswith("committee stage")]
    assert len(committee) == 1
    assert postgres_versions[committee[0]] == sqlite_versions[committee[0]]


def test_a_new_database_has_every_committee_table(tmp_path: Path, database: str | None) -> None:
    storage = open_storage(database or tmp_path / "zhicheng.sqlite3")
    try:
        for table in STAGE_TABLES:
            assert storage.one(f"SELECT COUNT(*) AS n FROM {table}") == {"n": 0}
    finally:
        storage.close()


def test_a_database_with_the_tables_made_at_start_before_the_migration_still_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    version = next(m.version for m in SQLITE_MIGRATIONS if m.summary.startswith("committee stage"))
    newest = max(m.version for m in SQLITE_MIGRATIONS)
    conn = sqlite3.connect(path, isolation_level=None)
    # as an older program left it: the migrations before the committee's, then its tables made at start
    apply_migrations(_Target(conn), [m for m in SQLITE_MIGRATIONS if m.version < version])
    conn.executescript(COMMITTEE_SQLITE)
    conn.execute("INSERT INTO certificate_revocations VALUES ('N1', 'd', 'r', 'a', 'o', 't')")
    conn.close()
    assert "IF NOT EXISTS" in COMMITTEE_SQLITE
    again = open_storage(path)
    try:
        assert again.one("SELECT certificate_no FROM certificate_revocations") == {"certificate_no": "N1"}
        assert again.one("SELECT MAX(version) AS v FROM schema_version") == {"v": newest}
    finally:
        again.close()


class _Target:
    """apply_migrations on a plain connection, as an older program's start did."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def has_table(self, name: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def value(self, sql: str) -> object:
        row = self.conn.execute(sql).fetchone()
        return row[0] if row else None

    def script(self, sql: str) -> None:
        self.conn.executescript(sql)
