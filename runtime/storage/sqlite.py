"""The SQLite backend, the embedded default (postgres.py serves a whole province).

SQLite through sqlite-utils: WAL, synchronous=NORMAL, a busy timeout, foreign
keys on; one connection per thread; every user action is one transaction
started with BEGIN IMMEDIATE, so concurrent writers queue instead of failing
half-way.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from runtime.storage.committee_schema import COMMITTEE_SQLITE, COMMITTEE_SUMMARY
from runtime.storage.interface import StorageUnavailable, TypedLookups
from runtime.storage.migrations import (
    ACCOUNTS_AUDIT,
    ATTACHMENT_ROWS,
    ATTACHMENT_ROWS_SUMMARY,
    CHAIN_DRAFTS_SUMMARY,
    HARDENING_COLUMNS,
    QUEUE_INDEX_SUMMARY,
    SECTION_SIZE_SUMMARY,
    SQLITE_CHAIN,
    SQLITE_CHAIN_DRAFTS,
    SQLITE_QUEUE_INDEX,
    SQLITE_SECTION_SIZE,
    Migration,
    apply_migrations,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS organisations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kinds TEXT NOT NULL,              -- JSON list of org kinds from platform.yaml
  region TEXT NOT NULL,
  supervisor_id TEXT REFERENCES organisations(id),
  uscc TEXT,
  authority INTEGER NOT NULL DEFAULT 0,  -- 1: listed in platform.yaml, not self-registered
  permitted INTEGER NOT NULL DEFAULT 0,  -- holds title-review permission (UNIT-3)
  data TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organisations_name ON organisations(name);

CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                -- person | organisation
  role TEXT NOT NULL,
  login_name TEXT NOT NULL UNIQUE,
  id_number TEXT UNIQUE,
  name TEXT NOT NULL,
  mobile TEXT,
  org_id TEXT REFERENCES organisations(id),
  password_hash TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',   -- the other registration fields
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  commitment_version TEXT,
  commitment_at TEXT,
  totp_secret TEXT,
  totp_last_step INTEGER,            -- the newest TOTP step used: no code works twice
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS api_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS captchas (
  id TEXT PRIMARY KEY,
  answer_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS login_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT,
  account_text TEXT NOT NULL,
  ip TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE IF NOT EXISTS sms_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  mobile TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  tries INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mobile TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS declarations (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES accounts(id),
  notice_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  schema_hash TEXT NOT NULL,         -- the policy version it was created under
  state TEXT NOT NULL,
  holder_org_id TEXT REFERENCES organisations(id),  -- NULL: the applicant holds it
  unit_id TEXT REFERENCES organisations(id),
  series TEXT,
  level TEXT,
  chain TEXT NOT NULL DEFAULT '[]',  -- JSON list of organisation ids, unit first
  reached INTEGER NOT NULL DEFAULT -1,  -- highest chain index that has held it (who may see it)
  state_since TEXT,
  reopened TEXT,                     -- JSON list of sections reopened by a return (REV-5)
  certificate_no TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS declarations_holder ON declarations(holder_org_id, state);
CREATE INDEX IF NOT EXISTS declarations_person ON declarations(person_id);

CREATE TABLE IF NOT EXISTS sections (
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  section_id TEXT NOT NULL,
  data TEXT NOT NULL,
  error_count INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (declaration_id, section_id)
);

CREATE TABLE IF NOT EXISTS attachments (
  id TEXT PRIMARY KEY,
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  section_id TEXT NOT NULL,
  row INTEGER,
  kind TEXT NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  uploaded_by TEXT NOT NULL REFERENCES accounts(id),
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  transition TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  org_id TEXT,
  comment TEXT NOT NULL DEFAULT '',
  sections TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_declaration ON history(declaration_id, id);
CREATE TRIGGER IF NOT EXISTS history_append_only_update BEFORE UPDATE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_append_only_delete BEFORE DELETE ON history
  WHEN (SELECT COUNT(*) FROM declarations WHERE id = OLD.declaration_id) > 0
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

CREATE TABLE IF NOT EXISTS permission_requests (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  region TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL,               -- auto_approved | pending_manual | approved | rejected
  reasons TEXT NOT NULL DEFAULT '[]',
  comment TEXT NOT NULL DEFAULT '',
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);

CREATE TABLE IF NOT EXISTS paths (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  series TEXT NOT NULL,
  level TEXT NOT NULL,
  upper_org_id TEXT NOT NULL REFERENCES organisations(id),
  state TEXT NOT NULL,               -- pending | approved | rejected
  comment TEXT NOT NULL DEFAULT '',
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);

CREATE TABLE IF NOT EXISTS pending (
  id_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                -- person | unit: a registration awaiting confirmation (REG-3)
  data TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor_id TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  at TEXT NOT NULL
);
"""


# (table, column, type) of every column added to SCHEMA before migrations were versioned
ADDED_COLUMNS = [("accounts", "totp_last_step", "INTEGER")]

HARDENING_SQL = (
    """
-- hardening (issue 13): the REG-5 counter of login texts that name no account, so an unknown
-- account answers like a known one
CREATE TABLE IF NOT EXISTS login_ghosts (
  account_text TEXT PRIMARY KEY,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  touched_at TEXT NOT NULL
);

-- every request that could send an SMS, sent or not (runtime/sms_limits.py)
CREATE TABLE IF NOT EXISTS sms_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ip TEXT NOT NULL,
  account_key TEXT NOT NULL,
  mobile_key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_requests_at ON sms_requests(at);
"""
    + HARDENING_COLUMNS
)

# Version 1 is SCHEMA itself (IF NOT EXISTS: a database from before versioning keeps its rows).
# Version 2: the notices and corrections of issue 17.
ISSUE_17 = """
-- notifications (issue 17): the in-app message list, and SMS waiting to be sent after the
-- action that caused them committed (retried, rate-limited per account)
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX IF NOT EXISTS messages_account ON messages(account_id, id);
CREATE INDEX IF NOT EXISTS messages_unread ON messages(account_id) WHERE read_at IS NULL;

CREATE TABLE IF NOT EXISTS sms_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  mobile TEXT NOT NULL,
  text TEXT NOT NULL,
  event TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX IF NOT EXISTS sms_outbox_due ON sms_outbox(state, next_at);
CREATE INDEX IF NOT EXISTS sms_outbox_sent ON sms_outbox(account_id, sent_at);

-- HR corrections of a unit's basic information (issue 17): what changed, who, why
CREATE TABLE IF NOT EXISTS unit_corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  actor_id TEXT NOT NULL,
  authority_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  before TEXT NOT NULL,              -- JSON: the changed fields' old values
  after TEXT NOT NULL,               -- JSON: their new values
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unit_corrections_org ON unit_corrections(org_id, id);
"""
SQLITE_MIGRATIONS = [
    Migration(1, "base tables", SCHEMA),
    Migration(2, "messages, SMS outbox, unit corrections", ISSUE_17),
    Migration(3, "chain membership rows for queues", SQLITE_CHAIN),
    Migration(4, "issue 13: unknown-account login counters, SMS requests, declaration versions", HARDENING_SQL),
    Migration(5, COMMITTEE_SUMMARY, COMMITTEE_SQLITE),
    Migration(6, QUEUE_INDEX_SUMMARY, SQLITE_QUEUE_INDEX),
    Migration(7, "issue 13: forced password change, org admins, audit by person", ACCOUNTS_AUDIT),
    Migration(8, ATTACHMENT_ROWS_SUMMARY, ATTACHMENT_ROWS),
    Migration(9, CHAIN_DRAFTS_SUMMARY, SQLITE_CHAIN_DRAFTS),
    Migration(10, SECTION_SIZE_SUMMARY, SQLITE_SECTION_SIZE),
]


class Storage(TypedLookups):
    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.migrate()
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StorageUnavailable(f"cannot open the database {path}: {exc}") from None

    def migrate(self) -> None:
        conn = self.db.conn
        _begin_immediate(conn)  # a second server starting now waits here
        try:
            self._add_new_columns()
            apply_migrations(_SqliteTarget(conn), SQLITE_MIGRATIONS)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        _patiently(lambda: conn.execute("COMMIT"))

    def script(self, sql: str) -> None:
        """Idempotent DDL of a capability's own tables (CREATE … IF NOT EXISTS): run again whole
        when another process's write held it up."""
        conn = self.db.conn
        _patiently(lambda: conn.executescript(sql))

    def tables(self) -> list[str]:
        rows = self.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
        return [r["name"] for r in rows]

    def _add_new_columns(self) -> None:
        """Columns added to a table after databases with that table existed (CREATE TABLE IF
        NOT EXISTS leaves an old table as it was)."""
        for table, column, kind in ADDED_COLUMNS:
            present = {row[1] for row in self.db.conn.execute(f"PRAGMA table_info({table})")}
            if present and column not in present:
                self.db.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @property
    def db(self) -> sqlite_utils.Database:
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=0")  # from here on the waiting is _patiently's
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One user action: everything inside commits together or not at all."""
        db = self.db
        if db.conn.in_transaction:  # nested: join the outer action
            yield db
            return
        _begin_immediate(db.conn)
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        else:
            _patiently(lambda: db.conn.execute("COMMIT"))  # only a rollback journal waits here

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        conn = self.db.conn
        cursor = _patiently(lambda: conn.execute(sql, params))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        conn = self.db.conn
        cursor = _patiently(lambda: conn.execute(sql, params))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        conn = self.db.conn
        return _patiently(lambda: conn.execute(sql, params)).rowcount

    def insert(self, table: str, row: dict[str, Any]) -> None:
        db = self.db
        _patiently(lambda: db[table].insert(row))  # type: ignore[union-attr]

    def close(self) -> None:
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None


# how long a statement waits for another process's write to finish before it gives up
BUSY_SECONDS = 10

_Result = TypeVar("_Result")


def _patiently(run: Callable[[], _Result]) -> _Result:
    """Run one statement, waiting for as long as BUSY_SECONDS while another server process
    holds the lock it needs (its write transaction; a reader only while a crashed writer's log
    is recovered). SQLite's own wait sleeps 1, 2, 5, 10, 20 ms … between tries, and the event
    loop of this process (every connection it serves) sleeps with it; a save holds the lock for
    well under a millisecond, so this tries again every 0.1-2 ms instead. The connection's own
    busy timeout is 0, so nothing else waits: no setting toggled around each transaction."""
    deadline = 0.0
    pause = 0.0001
    while True:
        try:
            return run()
        except sqlite3.OperationalError as refused:
            if refused.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            now = time.monotonic()
            if not deadline:
                deadline = now + BUSY_SECONDS
            elif now > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.002)


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the database's write lock, waiting as every statement does (`_patiently`)."""
    _patiently(lambda: conn.execute("BEGIN IMMEDIATE"))


class _SqliteTarget:
    """What apply_migrations needs, inside the caller's transaction (executescript would
    commit it, so a script runs statement by statement)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def has_table(self, name: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
            is not None
        )

    def value(self, sql: str) -> Any:
        row = self.conn.execute(sql).fetchone()
        return None if row is None else row[0]

    def script(self, sql: str) -> None:
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.conn.execute(statement)
                statement = ""
        if statement.strip():
            self.conn.execute(statement)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(value: str | None, default: Any = None) -> Any:
    return json.loads(value) if value else default
