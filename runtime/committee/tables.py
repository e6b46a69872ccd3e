"""The committee stage's tables, created beside the core schema when the app starts.

Kept here rather than in storage.py so the stage's data stays one capability; the
statements are plain SQL that storage backends run as they are."""

from __future__ import annotations

from runtime.storage import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS certificate_revocations (
  certificate_no TEXT PRIMARY KEY,
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  reason TEXT NOT NULL,
  revoked_by TEXT NOT NULL REFERENCES accounts(id),
  org_id TEXT NOT NULL REFERENCES organisations(id),
  revoked_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS throttle_hits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS throttle_hits_key ON throttle_hits(scope, key, at);

CREATE TABLE IF NOT EXISTS integrity_records (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES accounts(id),
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  evidence_sha256 TEXT,
  evidence_name TEXT,
  evidence_type TEXT,
  starts TEXT NOT NULL,              -- first day in force (local date)
  ends TEXT NOT NULL,                -- last day in force (local date)
  created_by TEXT NOT NULL REFERENCES accounts(id),
  org_id TEXT NOT NULL REFERENCES organisations(id),
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS integrity_records_person ON integrity_records(person_id, ends);
"""


def ensure(storage: Database) -> None:
    storage.script(SCHEMA)
