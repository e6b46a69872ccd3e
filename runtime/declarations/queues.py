"""Lists of declarations read one page at a time, at any size of province (issue 14).

An organisation's queue reads `declaration_chain`, one row per organisation on a declaration's
review chain, kept by triggers (storage migration 2) with the columns a queue filters on. A
page is one ordered index range `(org_id, updated_at, declaration_id)` that stops after `limit`
rows: keyset pagination with an opaque cursor (the last row's sort key), never OFFSET, so a
deep page costs what the first one does. Who may see a row is the same rule as
declarations.visible(): the organisation is on the chain at or below `reached`.

Service functions for pages and the API:
  queue(svc, account, filters, limit=, cursor=) -> Page      an organisation's declarations
  queue_count(svc, account, filters) -> int                   without loading rows
  mine(svc, account, limit=, cursor=) -> Page                 an applicant's own declarations
  each_in_queue(svc, account, filters) -> Iterator[row]        every match, page by page
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services, whole_number

MAX_FILTER = 64  # longest filter value accepted: ids, dictionary values, a name or an ID number
TRUE = ("1", "true", "on")


@dataclass(frozen=True)
class QueueFilter:
    series: str = ""
    level: str = ""
    state: str = ""
    notice: str = ""
    holder: str = ""  # the organisation holding it now
    held_only: bool = False  # held by the organisation looking at its queue
    search: str = ""  # part of the applicant's name, or the whole ID number

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> QueueFilter:
        """From a query string; over-long values are cut (they cannot match anything)."""

        def text(name: str) -> str:
            return str(params.get(name) or "").strip()[:MAX_FILTER]

        return cls(
            series=text("series"),
            level=text("level"),
            state=text("state"),
            notice=text("notice"),
            holder=text("holder"),
            held_only=text("held").lower() in TRUE,
            search=text("q"),
        )


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None
    limit: int
    extra: dict[str, Any] = field(default_factory=dict)


def page_limit(svc: Services, raw: str | int | None) -> int:
    """The page size asked for, within platform.yaml's lists.max_page_size; none: the default."""
    lists = svc.bundle.platform.get("lists") or {}
    default, most = int(lists.get("page_size", 50)), int(lists.get("max_page_size", 200))
    if raw is None or raw == "":
        return default
    number = whole_number(str(raw), 6)
    if number is None or not 1 <= number <= most:
        raise HttpError(422, "list_limit_invalid", svc.bundle.text("list_limit_invalid", limit=most))
    return number


def encode_cursor(sort_key: str, row_id: str) -> str:
    raw = json.dumps([sort_key, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(svc: Services, cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    try:
        if len(cursor) > 256:
            raise ValueError("too long")
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            raise ValueError("not a cursor")
        for part in value:
            part.encode("utf-8")  # a lone surrogate ("\ud800") is no text a database takes
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(422, "list_cursor_invalid", svc.bundle.text("list_cursor_invalid")) from None
    return value[0], value[1]


def after_cursor(
    svc: Services, cursor: str | None, key: str, row_id: str, *, ascending: bool = False
) -> tuple[list[str], list[Any]]:
    """The WHERE clause for the rows after a cursor's (key, id) in `ORDER BY key, row_id`
    (descending unless ascending), written as an index range; none without a cursor, a 422 for
    one that is not ours."""
    after = decode_cursor(svc, cursor)
    if after is None:
        return [], []
    near, far = (">=", ">") if ascending else ("<=", "<")
    return [f"{key} {near} ? AND ({key} {far} ? OR {row_id} {far} ?)"], [after[0], after[0], after[1]]


def cut(rows: list[dict[str, Any]], size: int, key: str) -> Page:
    """Rows read with LIMIT size + 1: the page, and the cursor after its last row (its `key`
    and id) when there is more."""
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(str(rows[-1][key] or ""), str(rows[-1]["id"])) if more else None, size)


def _where(account: Account, filters: QueueFilter) -> tuple[list[str], list[Any], bool]:
    """SQL conditions on declaration_chain `c` (and accounts `a` for a search)."""
    clauses, params = ["c.org_id = ?", "c.visible = 1"], [account["org_id"]]
    for column, value in (
        ("series", filters.series),
        ("level", filters.level),
        ("state", filters.state),
        ("notice_id", filters.notice),
        ("holder_org_id", filters.holder),
    ):
        if value:
            clauses.append(f"c.{column} = ?")
            params.append(value)
    if filters.held_only:
        clauses.append("c.holder_org_id = c.org_id")
    search = bool(filters.search)
    if search:
        pattern = filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("(a.name LIKE ? ESCAPE '\\' OR a.id_number = ?)")
        params += [f"%{pattern}%", filters.search.upper()]
    return clauses, params, search


def queue(
    svc: Services,
    account: Account,
    filters: QueueFilter | None = None,
    *,
    limit: int | str | None = None,
    cursor: str | None = None,
) -> Page:
    """One page of the organisation's declarations, newest change first, with `person_name`."""
    size = page_limit(svc, limit)
    clauses, params, _ = _where(account, filters or QueueFilter())
    after, values = after_cursor(svc, cursor, "c.updated_at", "c.declaration_id")
    clauses, params = clauses + after, params + values
    rows = svc.storage.all(
        "SELECT d.*, a.name AS person_name FROM declaration_chain c"
        " JOIN declarations d ON d.id = c.declaration_id JOIN accounts a ON a.id = d.person_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY c.updated_at DESC, c.declaration_id DESC LIMIT ?",
        (*params, size + 1),
    )
    return cut(rows, size, "updated_at")


def queue_count(svc: Services, account: Account, filters: QueueFilter | None = None) -> int:
    """How many declarations the queue holds with these filters, counted in the database."""
    clauses, params, search = _where(account, filters or QueueFilter())
    join = " JOIN declarations d ON d.id = c.declaration_id JOIN accounts a ON a.id = d.person_id" if search else ""
    row = svc.storage.one(f"SELECT COUNT(*) AS n FROM declaration_chain c{join} WHERE {' AND '.join(clauses)}", params)
    return int(row["n"]) if row else 0


def each_in_queue(svc: Services, account: Account, filters: QueueFilter | None = None) -> Iterator[dict[str, Any]]:
    """Every matching declaration, read page by page (a printed list that must show them all)."""
    cursor: str | None = None
    while True:
        page = queue(svc, account, filters, cursor=cursor)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def mine(svc: Services, account: Account, *, limit: int | str | None = None, cursor: str | None = None) -> Page:
    """One page of an applicant's own declarations, newest first."""
    size = page_limit(svc, limit)
    after, values = after_cursor(svc, cursor, "created_at", "id")
    clauses, params = ["person_id = ?", *after], [account["id"], *values]
    rows = svc.storage.all(
        f"SELECT * FROM declarations WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id DESC LIMIT ?",
        (*params, size + 1),
    )
    return cut(rows, size, "created_at")


def chain_ends_at(org_id: str | None, alias: str = "d") -> tuple[str, list[Any]]:
    """A WHERE fragment: declaration `alias`'s review chain ends at this organisation (it is the
    chain's last position, as a department or the committee it routes to is). Read from the
    indexed chain rows: the organisation's own index range, not a LIKE over every chain's JSON."""
    return (
        f"{alias}.id IN (SELECT c.declaration_id FROM declaration_chain c WHERE c.org_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM declaration_chain x WHERE x.declaration_id = c.declaration_id AND x.position > c.position))",
        [org_id],
    )
