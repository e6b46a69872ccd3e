"""Both storage backends keep the same promises: one transaction per action, append-only history,
constraints, versioned migrations at start; and a bad database is one line or a 503, never a
traceback (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pg_server import PostgresServer
from runtime_support import ROOT, frozen_clock
from starlette.testclient import TestClient

from runtime.app import create_app
from runtime.storage import Database, SchemaTooNew, StorageUnavailable, open_storage
from runtime.storage.migrations import POSTGRES_MIGRATIONS
from runtime.storage.sqlite import SQLITE_MIGRATIONS

STAMP = "2026-11-10T10:00:00+08:00"


@pytest.fixture
def storage(tmp_path: Path, database: str | None) -> Iterator[Database]:
    found = open_storage(database or tmp_path / "zhicheng.sqlite3")
    yield found
    found.close()


def person(storage: Database, login: str = "p1") -> str:
    account_id = uuid.uuid4().hex
    storage.insert(
        "accounts",
        {
            "id": account_id,
            "kind": "person",
            "role": "applicant",
            "login_name": login,
            "name": "张三",
            "password_hash": "x",
            "created_at": STAMP,
        },
    )
    return account_id


def declaration(storage: Database, person_id: str) -> str:
    declaration_id = uuid.uuid4().hex
    storage.insert(
        "declarations",
        {
            "id": declaration_id,
            "person_id": person_id,
            "notice_id": "n",
            "year": 2026,
            "schema_hash": "h",
            "state": "draft",
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    )
    return declaration_id


def test_a_transaction_commits_everything_or_nothing(storage: Database) -> None:
    with pytest.raises(RuntimeError), storage.transaction():
        person(storage, "lost")
        raise RuntimeError("the action failed half-way")
    assert storage.one("SELECT id FROM accounts WHERE login_name = ?", ("lost",)) is None
    with storage.transaction():
        person(storage, "kept")
    assert storage.one("SELECT login_name FROM accounts WHERE login_name = ?", ("kept",)) == {"login_name": "kept"}


def test_a_nested_transaction_joins_the_outer_action(storage: Database) -> None:
    with pytest.raises(RuntimeError), storage.transaction():
        with storage.transaction():
            person(storage, "inner")
        raise RuntimeError("the outer action failed after the inner one finished")
    assert storage.one("SELECT id FROM accounts WHERE login_name = ?", ("inner",)) is None


def test_a_login_name_is_unique_on_both_backends(storage: Database) -> None:
    person(storage, "same")
    with pytest.raises(Exception, match=r"(?i)unique"):
        person(storage, "same")


def test_history_is_append_only_while_its_declaration_exists(storage: Database) -> None:
    declaration_id = declaration(storage, person(storage))
    storage.insert(
        "history",
        {
            "declaration_id": declaration_id,
            "transition": "submit",
            "to_state": "submitted",
            "actor_id": "x",
            "at": STAMP,
        },
    )
    with pytest.raises(Exception, match="append-only"):
        storage.execute("UPDATE history SET comment = 'rewritten' WHERE declaration_id = ?", (declaration_id,))
    with pytest.raises(Exception, match="append-only"):
        storage.execute("DELETE FROM history WHERE declaration_id = ?", (declaration_id,))
    storage.execute("DELETE FROM declarations WHERE id = ?", (declaration_id,))  # its history goes with it
    assert storage.all("SELECT id FROM history WHERE declaration_id = ?", (declaration_id,)) == []


def test_a_percent_sign_and_a_question_mark_in_quoted_text_stay_text(storage: Database) -> None:
    person(storage, "a%b?")
    found = storage.one("SELECT login_name FROM accounts WHERE login_name LIKE '%\\%%' ESCAPE '\\' AND ? = 1", (1,))
    assert found == {"login_name": "a%b?"}


def test_start_applies_every_migration_once_and_records_its_version(storage: Database) -> None:
    migrations = SQLITE_MIGRATIONS if storage.backend == "sqlite" else POSTGRES_MIGRATIONS
    rows = storage.all("SELECT version FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == [m.version for m in migrations]


def test_a_second_start_on_a_migrated_database_changes_nothing(tmp_path: Path, database: str | None) -> None:
    target = database or tmp_path / "zhicheng.sqlite3"
    first = open_storage(target)
    person(first, "survivor")
    first.close()
    second = open_storage(target)
    assert second.one("SELECT login_name FROM accounts") == {"login_name": "survivor"}
    assert second.one("SELECT COUNT(*) AS n FROM schema_version") == {"n": len(SQLITE_MIGRATIONS)}
    second.close()


def test_a_database_migrated_by_a_newer_program_is_refused(tmp_path: Path, database: str | None) -> None:
    target = database or tmp_path / "zhicheng.sqlite3"
    first = open_storage(target)
    first.execute("INSERT INTO schema_version (version, summary, applied_at) VALUES (999, 'future', ?)", (STAMP,))
    first.close()
    with pytest.raises(SchemaTooNew, match="999"):
        open_storage(target)


def test_a_url_of_another_database_kind_is_refused_in_one_line() -> None:
    with pytest.raises(StorageUnavailable, match=r"^unsupported database URL mysql://"):
        open_storage("mysql://root:secret@localhost/zhicheng")


def test_an_unreachable_postgresql_says_so_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable) as raised:
        open_storage(f"postgresql://zc:secret@/zhicheng?host={tmp_path}&connect_timeout=1")
    assert "secret" not in str(raised.value) and "\n" not in str(raised.value)
    assert str(raised.value).startswith("cannot reach the database at postgresql://zc:***@")


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime", "--build", str(ROOT / "build"), "serve", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/zhicheng", "postgresql://zc@/zhicheng?host=/nonexistent&connect_timeout=1"],
)
def test_serve_with_a_bad_database_url_stops_with_one_line(url: str, tmp_path: Path) -> None:
    done = serve("--data-dir", str(tmp_path), "--database", url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("cannot start: ")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_serve_on_a_database_of_a_newer_program_stops_with_one_line(tmp_path: Path, database: str | None) -> None:
    target = database or str(tmp_path / "zhicheng.sqlite3")
    first = open_storage(target)
    first.execute("INSERT INTO schema_version (version, summary, applied_at) VALUES (999, 'future', ?)", (STAMP,))
    first.close()
    done = serve("--data-dir", str(tmp_path), "--database", target)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "newer than this program" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_postgresql_that_goes_away_mid_run_answers_503_then_recovers(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    own = PostgresServer().start()  # stopped on purpose: not the shared server
    try:
        app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=frozen_clock(), database=own.url())
        with TestClient(app, base_url="http://testserver") as client:
            assert client.get("/api/v1/captcha").status_code == 200
            own.pause()
            gone: Any = client.get("/api/v1/captcha")
            assert gone.status_code == 503 and gone.json()["errors"][0]["code"] == "database_unavailable"
            page = client.get("/login")
            assert page.status_code == 503 and "Traceback" not in page.text
            own.resume()
            deadline = time.monotonic() + 30  # the pool retries with backoff, then afresh
            while (back := client.get("/api/v1/captcha").status_code) != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert back == 200
        app.state.services.storage.close()
    finally:
        own.stop()
