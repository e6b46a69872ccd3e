"""`python -m runtime clean-files`: what uploads leave behind (issue 13, finding 5).

Two kinds of leftovers: attachment records of rows that are gone (a save normally removes
them with the row; this catches a save that raced an upload), and stored bytes that nothing
refers to any more — files whose attachments were deleted, uploads refused after their bytes
were kept (a duplicate, a quota), `.part` files of writes that died. Bytes are shared by
content hash across declarations, integrity evidence and publicity reports, so a file goes only
when no table names it, and only once it is older than `uploads.orphan_grace_minutes`: an
upload storing the same bytes right now renews the file's time before its record exists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from runtime.declarations import row_ids, uploads
from runtime.storage import loads
from runtime.web.http import Services

# Every column that names stored bytes by their hash: a file is kept while one of these does.
REFERENCES = (
    ("attachments", "sha256"),
    ("integrity_records", "evidence_sha256"),
    ("unit_publicities", "report_sha256"),
)


@dataclass
class Cleaned:
    records: int = 0
    files: int = 0
    partial: int = 0
    kept_young: int = 0
    removed: list[str] = field(default_factory=list)


def referenced(svc: Services) -> set[str]:
    tables = set(svc.storage.tables())
    found: set[str] = set()
    for table, column in REFERENCES:
        if table in tables:
            rows = svc.storage.all(f"SELECT DISTINCT {column} AS sha FROM {table} WHERE {column} IS NOT NULL")
            found.update(str(r["sha"]) for r in rows)
    return found


def orphan_records(svc: Services, *, dry_run: bool) -> int:
    """Attachments bound to a row their section no longer holds."""
    bound = svc.storage.all(
        "SELECT a.id, a.row_id, s.data FROM attachments a JOIN sections s"
        " ON s.declaration_id = a.declaration_id AND s.section_id = a.section_id WHERE a.row_id IS NOT NULL"
    )
    gone = [a["id"] for a in bound if a["row_id"] not in set(row_ids.ids(loads(a["data"], {})))]
    if not dry_run:
        with svc.storage.transaction():
            for attachment_id in gone:
                svc.storage.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
    return len(gone)


def clean(svc: Services, *, dry_run: bool = False, now: float | None = None) -> Cleaned:
    result = Cleaned(records=orphan_records(svc, dry_run=dry_run))
    grace = uploads.upload_limit(svc, "orphan_grace_minutes") * 60
    moment = time.time() if now is None else now
    store = uploads.file_store(svc)
    keep = referenced(svc)
    for item in store.listing():
        if not item.partial and item.name in keep:
            continue
        if moment - item.modified < grace:
            result.kept_young += 1
            continue
        if not item.partial and item.name in referenced_one(svc, item.name):
            continue  # named meanwhile by an upload that finished after the listing began
        result.removed.append(item.name)
        if item.partial:
            result.partial += 1
        else:
            result.files += 1
        if not dry_run:
            store.remove(item)
    return result


def referenced_one(svc: Services, sha: str) -> set[str]:
    tables = set(svc.storage.tables())
    for table, column in REFERENCES:
        if table in tables and svc.storage.one(f"SELECT 1 AS x FROM {table} WHERE {column} = ? LIMIT 1", (sha,)):
            return {sha}
    return set()
