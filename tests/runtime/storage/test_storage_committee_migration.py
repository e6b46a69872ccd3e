"""The committee stage's tables come from a numbered migration on both backends, and a database
whose committee tables were made before that migration existed migrates without a clash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runtime.storage import open_storage
from runtime.storage.committee_schema import COMMITTEE_SQLITE
from runtime.storage.migrations import POSTGRES_MIGRATIONS
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
    first = open_storage(path)
    first.close()
    conn = sqlite3.connect(path)
    version = next(m.version for m in SQLITE_MIGRATIONS if m.summary.startswith("committee stage"))
    newest = max(m.version for m in SQLITE_MIGRATIONS)
    conn.execute("DELETE FROM schema_version WHERE version >= ?", (version,))  # as an older program left it
    conn.execute("ALTER TABLE attachments DROP COLUMN row_id")  # which had no column of a later migration
    conn.execute("INSERT INTO certificate_revocations VALUES ('N1', 'd', 'r', 'a', 'o', 't')")
    conn.commit()
    conn.close()
    assert "IF NOT EXISTS" in COMMITTEE_SQLITE
    again = open_storage(path)
    try:
        assert again.one("SELECT certificate_no FROM certificate_revocations") == {"certificate_no": "N1"}
        assert again.one("SELECT MAX(version) AS v FROM schema_version") == {"v": newest}
    finally:
        again.close()
