"""Versioned migrations of the database schema itself, applied at start, never by hand.

Each backend has its list; version N means the same tables on both. A database newer than this
program stops the start with one line (an old program must not write into a schema it does
not know). The caller holds the lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock)
so N servers starting at once migrate once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from runtime.storage.committee_schema import COMMITTEE_POSTGRES, COMMITTEE_SUMMARY


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer program."""


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    sql: str


class Target(Protocol):
    def has_table(self, name: str) -> bool: ...
    def value(self, sql: str) -> Any: ...
    def script(self, sql: str) -> None: ...


VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def current_version(db: Target) -> int:
    if not db.has_table("schema_version"):
        return 0
    return int(db.value("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version") or 0)


def apply_migrations(db: Target, migrations: list[Migration]) -> int:
    """Apply what is missing, in order; returns the version the database is at now."""
    newest = migrations[-1].version
    current = current_version(db)
    if current > newest:
        raise SchemaTooNew(
            f"the database schema is at version {current}, newer than this program's {newest}: upgrade the program"
        )
    db.script(VERSION_TABLE)
    for migration in migrations:
        if migration.version <= current:
            continue
        db.script(migration.sql)
        summary = migration.summary.replace("'", "''")
        db.script(
            "INSERT INTO schema_version (version, summary, applied_at)"
            f" VALUES ({int(migration.version)}, '{summary}', CAST(CURRENT_TIMESTAMP AS TEXT))"
        )
    return newest


# PostgreSQL's tables mirror SQLite's column for column (TEXT timestamps in ISO form, INTEGER
# flags, JSON kept as TEXT) so the runtime's SQL and the rows it gets back are the same on
# both. `rowid` exists where the runtime orders by insertion (SQLite has it implicitly).
POSTGRES_BASE = """
CREATE TABLE organisations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kinds TEXT NOT NULL,
  region TEXT NOT NULL,
  supervisor_id TEXT REFERENCES organisations(id),
  uscc TEXT,
  authority INTEGER NOT NULL DEFAULT 0,
  permitted INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX organisations_name ON organisations(name);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  rowid BIGSERIAL,
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  login_name TEXT NOT NULL UNIQUE,
  id_number TEXT UNIQUE,
  name TEXT NOT NULL,
  mobile TEXT,
  org_id TEXT REFERENCES organisations(id),
  password_hash TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  commitment_version TEXT,
  commitment_at TEXT,
  totp_secret TEXT,
  totp_last_step BIGINT,
  created_at TEXT NOT NULL
);
CREATE INDEX accounts_org ON accounts(org_id);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE captchas (
  id TEXT PRIMARY KEY,
  answer_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX captchas_expires ON captchas(expires_at);

CREATE TABLE login_attempts (
  id BIGSERIAL PRIMARY KEY,
  account_id TEXT,
  account_text TEXT NOT NULL,
  ip TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE sms_codes (
  id BIGSERIAL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  mobile TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  tries INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sms_codes_account ON sms_codes(account_id);

CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  mobile TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE declarations (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES accounts(id),
  notice_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  schema_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  holder_org_id TEXT REFERENCES organisations(id),
  unit_id TEXT REFERENCES organisations(id),
  series TEXT,
  level TEXT,
  chain TEXT NOT NULL DEFAULT '[]',
  reached INTEGER NOT NULL DEFAULT -1,
  state_since TEXT,
  reopened TEXT,
  certificate_no TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX declarations_holder ON declarations(holder_org_id, state);
CREATE INDEX declarations_person ON declarations(person_id);

CREATE TABLE sections (
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  section_id TEXT NOT NULL,
  data TEXT NOT NULL,
  error_count INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (declaration_id, section_id)
);

CREATE TABLE attachments (
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
CREATE INDEX attachments_declaration ON attachments(declaration_id);

CREATE TABLE history (
  id BIGSERIAL PRIMARY KEY,
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
CREATE INDEX history_declaration ON history(declaration_id, id);
-- Append-only: no update ever, no delete while its declaration exists (the cascade of a
-- deleted declaration runs after the declaration row is gone, so it may remove its history).
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' OR EXISTS (SELECT 1 FROM declarations WHERE id = OLD.declaration_id) THEN
    RAISE EXCEPTION 'history is append-only';
  END IF;
  RETURN OLD;
END
$fn$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
  FOR EACH ROW EXECUTE FUNCTION history_append_only();

CREATE TABLE permission_requests (
  id TEXT PRIMARY KEY,
  rowid BIGSERIAL,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  region TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL,
  reasons TEXT NOT NULL DEFAULT '[]',
  comment TEXT NOT NULL DEFAULT '',
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX permission_requests_org ON permission_requests(org_id);

CREATE TABLE paths (
  id TEXT PRIMARY KEY,
  rowid BIGSERIAL,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  series TEXT NOT NULL,
  level TEXT NOT NULL,
  upper_org_id TEXT NOT NULL REFERENCES organisations(id),
  state TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX paths_org ON paths(org_id);
CREATE INDEX paths_upper ON paths(upper_org_id);

CREATE TABLE pending (
  id_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  actor_id TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  at TEXT NOT NULL
);
"""

POSTGRES_ISSUE_17 = """
-- notifications (issue 17): the in-app message list, and SMS waiting to be sent after the
-- action that caused them committed (retried, rate-limited per account)
CREATE TABLE messages (
  id BIGSERIAL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX messages_account ON messages(account_id, id);
CREATE INDEX messages_unread ON messages(account_id) WHERE read_at IS NULL;

CREATE TABLE sms_outbox (
  id BIGSERIAL PRIMARY KEY,
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
CREATE INDEX sms_outbox_due ON sms_outbox(state, next_at);
CREATE INDEX sms_outbox_sent ON sms_outbox(account_id, sent_at);

-- HR corrections of a unit's basic information (issue 17): what changed, who, why
CREATE TABLE unit_corrections (
  id BIGSERIAL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  actor_id TEXT NOT NULL,
  authority_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  before TEXT NOT NULL,              -- JSON: the changed fields' old values
  after TEXT NOT NULL,               -- JSON: their new values
  at TEXT NOT NULL
);
CREATE INDEX unit_corrections_org ON unit_corrections(org_id, id);
"""
# issue 13: the version behind ETag / If-Match (the same statement on both backends)
HARDENING_COLUMNS = "ALTER TABLE declarations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;\n"

POSTGRES_HARDENING = (
    """
CREATE TABLE IF NOT EXISTS login_ghosts (
  account_text TEXT PRIMARY KEY,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  touched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sms_requests (
  id BIGSERIAL PRIMARY KEY,
  ip TEXT NOT NULL,
  account_key TEXT NOT NULL,
  mobile_key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_requests_at ON sms_requests(at);
"""
    + HARDENING_COLUMNS
)

POSTGRES_MIGRATIONS = [
    Migration(1, "base tables", POSTGRES_BASE),
    Migration(2, "messages, SMS outbox, unit corrections", POSTGRES_ISSUE_17),
]

# Version 3: chain membership as indexed rows. One row per organisation on a declaration's chain,
# with the columns a queue filters and sorts on copied from the declaration by a trigger, so a
# queue page is one ordered index range (org, updated_at, id) that stops after `limit` rows,
# whatever the size of the province, instead of a `chain LIKE '%"org"%'` scan of every
# declaration. `visible`: the position is within `reached` (who may see it, as
# declarations.visible() decides for one row).
CHAIN_COLUMNS = "org_id, updated_at, declaration_id, position, visible, holder_org_id, state, series, level, notice_id"

SQLITE_CHAIN_SELECT = f"""
INSERT INTO declaration_chain ({CHAIN_COLUMNS})
  SELECT j.value, NEW.updated_at, NEW.id, j.key, j.key <= NEW.reached, NEW.holder_org_id, NEW.state,
         NEW.series, NEW.level, NEW.notice_id
  FROM json_each(NEW.chain) AS j WHERE j.type = 'text';
"""

SQLITE_CHAIN = f"""
CREATE TABLE IF NOT EXISTS declaration_chain (
  org_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  visible INTEGER NOT NULL,
  holder_org_id TEXT,
  state TEXT NOT NULL,
  series TEXT,
  level TEXT,
  notice_id TEXT NOT NULL,
  PRIMARY KEY (org_id, updated_at, declaration_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS declaration_chain_declaration ON declaration_chain(declaration_id);
CREATE INDEX IF NOT EXISTS declarations_person_created ON declarations(person_id, created_at, id);
CREATE TRIGGER IF NOT EXISTS declaration_chain_insert AFTER INSERT ON declarations
BEGIN
  {SQLITE_CHAIN_SELECT}
END;
CREATE TRIGGER IF NOT EXISTS declaration_chain_update
  AFTER UPDATE OF chain, reached, updated_at, holder_org_id, state, series, level, notice_id ON declarations
BEGIN
  DELETE FROM declaration_chain WHERE declaration_id = NEW.id;
  {SQLITE_CHAIN_SELECT}
END;
INSERT INTO declaration_chain ({CHAIN_COLUMNS})
  SELECT j.value, d.updated_at, d.id, j.key, j.key <= d.reached, d.holder_org_id, d.state, d.series, d.level,
         d.notice_id
  FROM declarations AS d, json_each(d.chain) AS j WHERE j.type = 'text';
"""

POSTGRES_CHAIN = f"""
CREATE TABLE declaration_chain (
  org_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  visible INTEGER NOT NULL,
  holder_org_id TEXT,
  state TEXT NOT NULL,
  series TEXT,
  level TEXT,
  notice_id TEXT NOT NULL,
  PRIMARY KEY (org_id, updated_at, declaration_id, position)
);
CREATE INDEX declaration_chain_declaration ON declaration_chain(declaration_id);
CREATE INDEX declarations_person_created ON declarations(person_id, created_at, id);
CREATE FUNCTION declaration_chain_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM declaration_chain WHERE declaration_id = NEW.id;
  END IF;
  INSERT INTO declaration_chain ({CHAIN_COLUMNS})
    SELECT j.value, NEW.updated_at, NEW.id, j.ord - 1, CASE WHEN j.ord - 1 <= NEW.reached THEN 1 ELSE 0 END,
           NEW.holder_org_id, NEW.state, NEW.series, NEW.level, NEW.notice_id
    FROM jsonb_array_elements_text(NEW.chain::jsonb) WITH ORDINALITY AS j(value, ord);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER declaration_chain_insert AFTER INSERT ON declarations
  FOR EACH ROW EXECUTE FUNCTION declaration_chain_sync();
CREATE TRIGGER declaration_chain_update
  AFTER UPDATE OF chain, reached, updated_at, holder_org_id, state, series, level, notice_id ON declarations
  FOR EACH ROW EXECUTE FUNCTION declaration_chain_sync();
INSERT INTO declaration_chain ({CHAIN_COLUMNS})
  SELECT j.value, d.updated_at, d.id, j.ord - 1, CASE WHEN j.ord - 1 <= d.reached THEN 1 ELSE 0 END,
         d.holder_org_id, d.state, d.series, d.level, d.notice_id
  FROM declarations AS d, jsonb_array_elements_text(d.chain::jsonb) WITH ORDINALITY AS j(value, ord);
"""

POSTGRES_MIGRATIONS.append(Migration(3, "chain membership rows for queues", POSTGRES_CHAIN))
POSTGRES_MIGRATIONS.append(
    Migration(4, "issue 13: unknown-account login counters, SMS requests, declaration versions", POSTGRES_HARDENING)
)
POSTGRES_MIGRATIONS.append(Migration(5, COMMITTEE_SUMMARY, COMMITTEE_POSTGRES))

# Version 6 (issue 14): a queue page, its count and its deep pages walk one organisation's range
# of declaration_chain and filter on the columns copied there. SQLite's chain table is that index
# itself (WITHOUT ROWID); PostgreSQL's primary key holds only the sort key, so every row in the
# range cost one heap page (a department's 33,000 rows: 0.6 s). With the filtered columns in the
# index (INCLUDE) it answers from the index alone, an index-only scan.
QUEUE_INDEX_SUMMARY = "issue 14: queue pages answered from one covering index"
POSTGRES_QUEUE_INDEX = """
CREATE INDEX declaration_chain_queue ON declaration_chain (org_id, updated_at, declaration_id)
  INCLUDE (visible, holder_org_id, state, series, level, notice_id, position);
"""
SQLITE_QUEUE_INDEX = (
    "-- nothing to do: the chain table is already clustered on its queue order (WITHOUT ROWID)\nSELECT 1;\n"
)
POSTGRES_MIGRATIONS.append(Migration(6, QUEUE_INDEX_SUMMARY, POSTGRES_QUEUE_INDEX))

# Version 7 (issue 13, findings 9-11): a password set by an HR reset must be changed at the next
# login and lapses; the organisation's admin (who manages its named staff accounts; where none is
# marked, the organisation's first account, runtime/units/staff.py); the audit
# names the person, the organisation and the region of every entry (for the HR audit page);
# units are compared by a normalised name (full/half width, spaces, brackets) and by credit code.
ACCOUNTS_AUDIT = """
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN password_expires_at TEXT;
ALTER TABLE accounts ADD COLUMN org_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN created_by TEXT;
ALTER TABLE audit ADD COLUMN actor_name TEXT;
ALTER TABLE audit ADD COLUMN actor_org_id TEXT;
ALTER TABLE audit ADD COLUMN region TEXT;
CREATE INDEX IF NOT EXISTS audit_region_at ON audit(region, at);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
ALTER TABLE organisations ADD COLUMN name_key TEXT;
CREATE INDEX IF NOT EXISTS organisations_name_key ON organisations(name_key);
CREATE INDEX IF NOT EXISTS organisations_uscc ON organisations(uscc);
"""
POSTGRES_MIGRATIONS.append(
    Migration(7, "issue 13: forced password change, org admins, audit by person", ACCOUNTS_AUDIT)
)

# issue 13, finding 5: attachments bound to a row's stable id instead of its position. Files
# uploaded before get the id that rows without one read as (runtime/declarations/row_ids.py:
# `legacy<position>`), so no proof moves when the ids start; the same statements on both.
ATTACHMENT_ROWS_SUMMARY = "issue 13: attachments bound to stable row ids"
ATTACHMENT_ROWS = """
ALTER TABLE attachments ADD COLUMN row_id TEXT;
UPDATE attachments SET row_id = 'legacy' || CAST(row AS TEXT) WHERE row IS NOT NULL;
CREATE INDEX IF NOT EXISTS attachments_sha256 ON attachments(sha256);
"""
POSTGRES_MIGRATIONS.append(Migration(8, ATTACHMENT_ROWS_SUMMARY, ATTACHMENT_ROWS))

# Version 9 (issue 14): a draft's every save (autosave included) updates its declaration's
# version and time, and the chain trigger then deleted and rebuilt that declaration's chain rows:
# none, for a draft, which has no chain yet, but the work was done inside the save's write lock.
# The trigger now runs only when the chain is or was not empty: rows exist only for such a chain.
CHAIN_DRAFTS_SUMMARY = "issue 14: a draft's saves leave the chain rows alone"
_CHAIN_UPDATE_OF = "AFTER UPDATE OF chain, reached, updated_at, holder_org_id, state, series, level, notice_id"
SQLITE_CHAIN_DRAFTS = f"""
DROP TRIGGER IF EXISTS declaration_chain_update;
CREATE TRIGGER declaration_chain_update
  {_CHAIN_UPDATE_OF} ON declarations
  WHEN OLD.chain != '[]' OR NEW.chain != '[]'
BEGIN
  DELETE FROM declaration_chain WHERE declaration_id = NEW.id;
  {SQLITE_CHAIN_SELECT}
END;
"""
POSTGRES_CHAIN_DRAFTS = f"""
DROP TRIGGER declaration_chain_update ON declarations;
CREATE TRIGGER declaration_chain_update
  {_CHAIN_UPDATE_OF} ON declarations
  FOR EACH ROW WHEN (OLD.chain <> '[]' OR NEW.chain <> '[]') EXECUTE FUNCTION declaration_chain_sync();
"""
POSTGRES_MIGRATIONS.append(Migration(9, CHAIN_DRAFTS_SUMMARY, POSTGRES_CHAIN_DRAFTS))

# Version 10 (issue 14): a save checks the declaration's whole stored size inside its write lock
# (limits.declaration_max_kb), and read every other section's JSON into Python to count its
# UTF-8 bytes there. Each section's byte size is now a column the database computes from the
# data itself (a generated column: no writer can forget it), summed in SQL.
SECTION_SIZE_SUMMARY = "issue 14: each section's stored size in bytes, computed by the database"
SQLITE_SECTION_SIZE = """
ALTER TABLE sections ADD COLUMN size INTEGER GENERATED ALWAYS AS (length(CAST(data AS BLOB))) VIRTUAL;
"""
POSTGRES_SECTION_SIZE = """
ALTER TABLE sections ADD COLUMN size INTEGER GENERATED ALWAYS AS (octet_length(data)) STORED;
"""
POSTGRES_MIGRATIONS.append(Migration(10, SECTION_SIZE_SUMMARY, POSTGRES_SECTION_SIZE))
