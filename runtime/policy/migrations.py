"""Migrations (VER-3): declarations of older policy versions move onto the current one.

The current build's `migrations.json` (compiled from schemas/migrations/*.yaml) says which
declarations move (by notice and state), how their fields are renamed and filled, which state
each becomes and which sections reopen. `run` does it all in one transaction and records a
history entry on each declaration it moves; a dry run does exactly the same and then rolls
the transaction back, so what it reports is what applying would do. Nothing is left out
silently: declarations of older versions that no migration selects are listed as staying
on their own version (VER-1), and each moved declaration that would not pass submission
under the current rules is reported with its first error.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.clock import iso
from runtime.declarations import declarations, submission
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage import Database, dumps, loads
from runtime.storage.rows import Declaration, declaration_row
from runtime.web.http import Services

FILE = "migrations.json"
TRANSITION = "migrate"  # the history entry of a move (REV-4); its title is messages.yaml ui.migration_step
ACTOR = "policy-migration"


@dataclass
class Moved:
    id: str
    notice_id: str
    version: str
    from_state: str
    to_state: str
    changes: list[str] = field(default_factory=list)
    first_error: dict[str, Any] | None = None


@dataclass
class Outcome:
    migration: dict[str, Any]
    moved: list[Moved] = field(default_factory=list)


@dataclass
class Report:
    current: str
    applied: bool
    outcomes: list[Outcome] = field(default_factory=list)
    staying: list[Declaration] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "moved" if self.applied else "would move"
        out = [f"current policy version: {self.current}"]
        for outcome in self.outcomes:
            m = outcome.migration
            out.append(f"migration {m['id']} 「{m.get('title', '')}」: {verb} {len(outcome.moved)} declaration(s)")
            states = Counter(f"{d.from_state} → {d.to_state}" for d in outcome.moved)
            for change, count in sorted(states.items()):
                out.append(f"  {change}: {count}")
            for d in outcome.moved:
                verdict = "valid under the current rules"
                if d.first_error:
                    e = d.first_error
                    verdict = f"would not pass submission now: {e.get('path')} {e.get('message')} ({e.get('rule')})"
                out.append(f"  {d.id} {d.notice_id} {d.from_state} → {d.to_state} (from {d.version[:12]}): {verdict}")
                out.extend(f"      {change}" for change in d.changes)
        invalid = sum(1 for o in self.outcomes for d in o.moved if d.first_error)
        if invalid:
            out.append(f"{invalid} moved declaration(s) would not pass submission under the current rules (see above)")
        if self.staying:
            out.append(f"staying on their own policy version (no migration selects them): {len(self.staying)}")
            by = Counter((d["notice_id"], d["state"], d["schema_hash"][:12]) for d in self.staying)
            for (notice, state, version), count in sorted(by.items()):
                out.append(f"  {notice} {state} (version {version}): {count}")
            out.extend(f"  {d['id']} {d['notice_id']} {d['state']}" for d in self.staying)
        if not self.outcomes:
            out.append(f"no migration in the current build ({FILE})")
        out.append("applied in one transaction." if self.applied else "dry run: nothing was changed.")
        return out


class _DryRun(Exception):
    """Raised at the end of a dry run so the transaction rolls everything back."""


def defined(svc: Services) -> list[dict[str, Any]]:
    path = versions.current(svc).bundle.root / FILE
    found: list[dict[str, Any]] = json.loads(path.read_text("utf-8")) if path.is_file() else []
    return found


def run(svc: Services, *, dry_run: bool, only: str | None = None) -> Report:
    """Apply the current build's migrations (or one, `only`); with dry_run, roll back after."""
    svc = versions.current(svc)
    report = Report(current=svc.bundle.schema_hash, applied=not dry_run)
    chosen = [m for m in defined(svc) if only in (None, m["id"])]
    try:
        with svc.storage.transaction():
            for migration in chosen:
                report.outcomes.append(_apply(svc, migration))
            rows = svc.storage.all(
                "SELECT * FROM declarations WHERE schema_hash <> ? ORDER BY notice_id, state, id", (report.current,)
            )
            report.staying = [declaration_row(r) for r in rows]
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _apply(svc: Services, migration: Mapping[str, Any]) -> Outcome:
    outcome = Outcome(migration=dict(migration))
    select = migration.get("select") or {}
    notices, states = list(select.get("notices") or []), list(select.get("states") or [])
    marks = ", ".join("?" for _ in notices), ", ".join("?" for _ in states)
    rows = svc.storage.all(
        f"SELECT * FROM declarations WHERE schema_hash <> ? AND notice_id IN ({marks[0]}) AND state IN ({marks[1]})"
        " ORDER BY created_at, id",
        (svc.bundle.schema_hash, *notices, *states),
    )
    for row in rows:
        outcome.moved.append(_move(svc, migration, declaration_row(row)))
    return outcome


def _move(svc: Services, migration: Mapping[str, Any], row: Declaration) -> Moved:
    old = versions.scoped(svc, row)
    to_state = str((migration.get("states") or {}).get(row["state"], row["state"]))
    moved = Moved(row["id"], row["notice_id"], row["schema_hash"], row["state"], to_state)
    stored = declarations.sections(old, row["id"])
    year = int(row["year"])
    now = iso(svc.clock.now())
    for form in svc.bundle.declaration_sections():
        change = (migration.get("sections") or {}).get(form.id) or {}
        before = dict((stored.get(form.id) or {}).get("data") or {})
        document = _renamed(form.id, before, change.get("rename") or {}, moved.changes)
        document = _defaults(form.id, document, change.get("defaults") or {}, set(form.row_index), moved.changes)
        document = declarations.system_values(svc, form, document, year)
        blocking = len(declarations._blocking(declarations.check(svc, form, document, year)))
        if form.id in stored:
            svc.storage.execute(
                "UPDATE sections SET data = ?, error_count = ?, updated_at = ?"
                " WHERE declaration_id = ? AND section_id = ?",
                (dumps(document), blocking, now, row["id"], form.id),
            )
        else:
            moved.changes.append(f"{form.id}: new section")
            svc.storage.insert(
                "sections",
                {
                    "declaration_id": row["id"],
                    "section_id": form.id,
                    "data": dumps(document),
                    "error_count": blocking,
                    "updated_at": now,
                },
            )
    current_sections = {f.id for f in svc.bundle.declaration_sections()}
    moved.changes += [f"{s}: no longer a section (its data is kept)" for s in sorted(set(stored) - current_sections)]
    holder, chain, reached = row["holder_org_id"], row["chain"], row["reached"]
    if to_state == workflow.definition(svc)["initial"] and row["state"] != to_state:
        holder, chain, reached = None, "[]", -1  # back to the start: with the applicant, never submitted
        moved.changes.append("back with the applicant, as never submitted")
    reopened = loads(row["reopened"], None)
    editable = (workflow.definition(svc)["states"].get(to_state) or {}).get("editable")
    if migration.get("reopen") and editable and holder is None:  # only what the applicant holds
        reopened = sorted({*(reopened or []), *migration["reopen"]})
        moved.changes.append(f"reopened for the applicant: {', '.join(reopened)}")
    svc.storage.execute(
        "UPDATE declarations SET schema_hash = ?, state = ?, holder_org_id = ?, chain = ?, reached = ?, reopened = ?,"
        " updated_at = ?, version = version + 1 WHERE id = ?",
        (
            svc.bundle.schema_hash,
            to_state,
            holder,
            chain,
            reached,
            dumps(reopened) if reopened else None,
            now,
            row["id"],
        ),
    )
    versions_moved = f"{row['schema_hash'][:12]} → {svc.bundle.schema_hash[:12]}"
    svc.storage.insert(
        "history",
        {
            "declaration_id": row["id"],
            "transition": TRANSITION,
            "from_state": row["state"],
            "to_state": to_state,
            "actor_id": ACTOR,
            "org_id": None,
            "comment": f"{migration.get('title', migration['id'])}({versions_moved})",
            "sections": dumps(migration["reopen"]) if migration.get("reopen") else None,
            "at": now,
        },
    )
    updated = svc.storage.declaration(row["id"])
    assert updated is not None
    errors = submission.all_errors(svc, updated)
    moved.first_error = errors[0] if errors else None
    return moved


def _renamed(section: str, document: dict[str, Any], rename: Mapping[str, str], changes: list[str]) -> dict[str, Any]:
    def move(item: dict[str, Any], where: str) -> dict[str, Any]:
        result = dict(item)
        for old, new in rename.items():
            if old in result:
                result[new] = result.pop(old)
                changes.append(f"{section}{where}: {old} → {new}")
        return result

    document = move(document, "")
    if isinstance(document.get("rows"), list):
        document["rows"] = [
            move(r, f" row {i + 1}") if isinstance(r, dict) else r for i, r in enumerate(document["rows"])
        ]
    return document


def _defaults(
    section: str, document: dict[str, Any], defaults: Mapping[str, Any], columns: set[str], changes: list[str]
) -> dict[str, Any]:
    """A default fills a field only where it is empty: what the applicant wrote stays. A
    column of repeatable rows is filled in every row."""
    for name, value in defaults.items():
        if name in columns:
            for i, r in enumerate(document.get("rows") or []):
                if isinstance(r, dict) and r.get(name) in (None, ""):
                    r[name] = value
                    changes.append(f"{section} row {i + 1}: {name} = {value}")
        elif document.get(name) in (None, ""):
            document[name] = value
            changes.append(f"{section}: {name} = {value}")
    return document


def census(storage: Database, data_dir: Path) -> list[dict[str, Any]]:
    """Declarations in flight (not in a final state of their own version's workflow), counted by
    notice, state, series, level and version: what `generator diff --data-dir` weighs changes by."""
    rows = storage.all(
        "SELECT notice_id, state, series, level, schema_hash, COUNT(*) AS n FROM declarations"
        " GROUP BY notice_id, state, series, level, schema_hash"
    )
    finals: dict[str, set[str]] = {}
    for version in {str(r["schema_hash"]) for r in rows}:
        path = versions.store_dir(data_dir) / version / "workflow.json"
        states = json.loads(path.read_text("utf-8"))["declaration"]["states"] if path.is_file() else {}
        finals[version] = {name for name, state in states.items() if state.get("final")}
    return [
        {
            "notice_id": r["notice_id"],
            "state": r["state"],
            "series": r["series"],
            "level": r["level"],
            "version": r["schema_hash"],
            "count": int(r["n"]),
        }
        for r in rows
        if r["state"] not in finals[str(r["schema_hash"])]
    ]
