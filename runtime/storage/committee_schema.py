"""Migration 5: the committee stage's tables (COM, PUB, INT, STAT), the same on both backends.

Written for SQLite; PostgreSQL differs only in the AUTOINCREMENT key, which becomes an identity
column. Every statement says IF NOT EXISTS: databases made before this migration existed got
the same tables from the committee package at start, and must migrate without a clash."""

from __future__ import annotations

COMMITTEE_SUMMARY = "committee stage: certificates, publicity, experts, votes, integrity, objections, opinions"

COMMITTEE_SQLITE = """
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

CREATE TABLE IF NOT EXISTS unit_publicities (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES organisations(id),
  series TEXT NOT NULL,
  level TEXT NOT NULL,
  starts_on TEXT NOT NULL,           -- local date the publicity started
  working_days INTEGER NOT NULL,     -- the policy's days when it started
  ended_at TEXT,
  report_sha256 TEXT,                -- the stamped publicity report form
  report_name TEXT,
  report_type TEXT,
  created_by TEXT NOT NULL REFERENCES accounts(id),
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unit_publicities_unit ON unit_publicities(unit_id, created_at);

CREATE TABLE IF NOT EXISTS unit_publicity_items (
  publicity_id TEXT NOT NULL REFERENCES unit_publicities(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  PRIMARY KEY (publicity_id, declaration_id)
);
CREATE INDEX IF NOT EXISTS unit_publicity_items_declaration ON unit_publicity_items(declaration_id);

CREATE TABLE IF NOT EXISTS publicity_objections (
  id TEXT PRIMARY KEY,
  publicity_id TEXT NOT NULL REFERENCES unit_publicities(id),
  declaration_id TEXT REFERENCES declarations(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS experts (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organisations(id),  -- the committee organising unit's pool
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  specialty TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  title_level TEXT NOT NULL,
  mobile TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS experts_org ON experts(org_id, active);

CREATE TABLE IF NOT EXISTS review_sessions (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organisations(id),
  series TEXT NOT NULL,
  level TEXT NOT NULL,
  expert_count INTEGER NOT NULL,
  seed TEXT,                         -- the draw's seed, so it can be re-checked (COM-2)
  eligible TEXT,                     -- JSON: the expert ids the draw chose from, in order
  drawn_at TEXT,
  created_by TEXT NOT NULL REFERENCES accounts(id),
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS session_declarations (
  session_id TEXT NOT NULL REFERENCES review_sessions(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  PRIMARY KEY (session_id, declaration_id)
);

CREATE TABLE IF NOT EXISTS session_experts (
  session_id TEXT NOT NULL REFERENCES review_sessions(id),
  expert_id TEXT NOT NULL REFERENCES experts(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (session_id, expert_id)
);

CREATE TABLE IF NOT EXISTS expert_conflicts (
  expert_id TEXT NOT NULL REFERENCES experts(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (expert_id, declaration_id)
);

CREATE TABLE IF NOT EXISTS expert_accounts (
  expert_id TEXT PRIMARY KEY REFERENCES experts(id),
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id)
);

CREATE TABLE IF NOT EXISTS session_votes (
  session_id TEXT PRIMARY KEY REFERENCES review_sessions(id),
  attending TEXT NOT NULL,           -- JSON list of the attending experts' ids
  opened_at TEXT NOT NULL,
  closed_at TEXT
);

-- COM-4: who voted is kept apart from what was voted: a receipt names the expert, a
-- ballot does not; ballots are shuffled by a random id, so order tells nothing either.
CREATE TABLE IF NOT EXISTS ballot_receipts (
  session_id TEXT NOT NULL REFERENCES review_sessions(id),
  expert_id TEXT NOT NULL REFERENCES experts(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  PRIMARY KEY (session_id, expert_id, declaration_id)
);
CREATE TABLE IF NOT EXISTS ballots (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES review_sessions(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  choice TEXT NOT NULL
);

-- PUB-2: real-name objections to a published result. `round` is the declaration's state_since
-- when the objection came, so an objection belongs to one publicity (a correction starts a new
-- one). The person's ID number and contact are for the committee office only.
CREATE TABLE IF NOT EXISTS result_objections (
  id TEXT PRIMARY KEY,
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  round TEXT NOT NULL,
  name TEXT NOT NULL,
  id_number TEXT NOT NULL DEFAULT '',
  unit TEXT NOT NULL DEFAULT '',
  contact TEXT NOT NULL,
  text TEXT NOT NULL,
  evidence_sha256 TEXT,
  evidence_name TEXT,
  evidence_type TEXT,
  created_at TEXT NOT NULL,
  decision TEXT,                     -- upheld | dismissed, NULL while undecided
  decision_reason TEXT NOT NULL DEFAULT '',
  decided_by TEXT REFERENCES accounts(id),
  decided_at TEXT
);
CREATE INDEX IF NOT EXISTS result_objections_declaration ON result_objections(declaration_id, created_at);
-- the public list pages through the results under publicity by (state, state_since, id)
CREATE INDEX IF NOT EXISTS declarations_state_since ON declarations(state, state_since, id);

-- COM-3: an assigned expert's opinion (and score where policy asks) on one declaration
CREATE TABLE IF NOT EXISTS expert_opinions (
  session_id TEXT NOT NULL REFERENCES review_sessions(id),
  expert_id TEXT NOT NULL REFERENCES experts(id),
  declaration_id TEXT NOT NULL REFERENCES declarations(id),
  opinion TEXT NOT NULL,
  score INTEGER,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (session_id, expert_id, declaration_id)
);
"""

COMMITTEE_POSTGRES = COMMITTEE_SQLITE.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
