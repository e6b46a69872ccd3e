"""The review queue's page in SQL (issue 14; REV-1..3, DEC-3): filters, search, sort, count and
one page of ids, all in the database over the indexed chain rows (storage migration 3), so a
page costs the same at 100 declarations and at a province's million.

Date order is the chain index itself (`org_id, updated_at, declaration_id`): the page is an
index range cut with LIMIT/OFFSET, and only the page's ids are joined to anything (a deferred
join). A search or the rank order joins the applicant, the declaring unit and the header
section, still inside the database and still only for this organisation's rows.

The two backends differ in three spellings only: case-insensitive LIKE (SQLite's LIKE already is,
for ASCII; PostgreSQL's ILIKE), reading `rank` out of the header's JSON, and code-point order of
names (SQLite's BINARY; PostgreSQL's "C" collation), which is the order Python's sort gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.storage.rows import Account
from runtime.web.http import Services

# A rank that is not "m/n" sorts after every real one (as the Python sort before did).
NO_RANK = 1_000_000
# The whitespace a rank may carry around its numbers: ASCII's and the ideographic space (U+3000)
# a Chinese input method types.
_SQLITE_SPACE = "char(32, 9, 10, 11, 12, 13, 160, 12288)"
_PG_SPACE = r"[ \t\n\r\f\v\u00a0\u3000]*"


@dataclass(frozen=True)
class QueueQuery:
    series: str = ""
    level: str = ""
    state: str = ""
    held_only: bool = False
    text: str = ""  # part of the applicant's name, ID number or declaring unit's name
    sort: str = "date"
    states: tuple[str, ...] = ()  # any of these (the report page: every state `report` leaves)


def _like(svc: Services) -> str:
    return "ILIKE" if svc.storage.backend == "postgresql" else "LIKE"


def _binary(svc: Services) -> str:
    return 'COLLATE "C"' if svc.storage.backend == "postgresql" else "COLLATE BINARY"


def _rank_parts(svc: Services) -> tuple[str, str]:
    """SQL for the rank's m and n (NO_RANK when it is not "m/n"), on the header section `h`."""
    if svc.storage.backend == "postgresql":
        text = "(h.data::jsonb ->> 'rank')"
        m = f"substring({text} from '^{_PG_SPACE}([0-9]{{1,4}}){_PG_SPACE}/{_PG_SPACE}[0-9]{{1,4}}{_PG_SPACE}$')"
        n = f"substring({text} from '^{_PG_SPACE}[0-9]{{1,4}}{_PG_SPACE}/{_PG_SPACE}([0-9]{{1,4}}){_PG_SPACE}$')"
        return f"COALESCE(CAST({m} AS INTEGER), {NO_RANK})", f"COALESCE(CAST({n} AS INTEGER), {NO_RANK})"
    text = "CAST(json_extract(h.data, '$.rank') AS TEXT)"
    cut = f"instr({text}, '/')"
    left = f"TRIM(substr({text}, 1, {cut} - 1), {_SQLITE_SPACE})"
    right = f"TRIM(substr({text}, {cut} + 1), {_SQLITE_SPACE})"
    valid = " AND ".join(
        [f"{cut} > 0"] + [f"length({side}) BETWEEN 1 AND 4 AND {side} NOT GLOB '*[^0-9]*'" for side in (left, right)]
    )
    return (
        f"CASE WHEN {valid} THEN CAST({left} AS INTEGER) ELSE {NO_RANK} END",
        f"CASE WHEN {valid} THEN CAST({right} AS INTEGER) ELSE {NO_RANK} END",
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


PEOPLE = " JOIN declarations d ON d.id = c.declaration_id JOIN accounts a ON a.id = d.person_id"
UNIT = " LEFT JOIN organisations u ON u.id = d.unit_id"
HEADER = " LEFT JOIN sections h ON h.declaration_id = c.declaration_id AND h.section_id = 'header'"


def _where(svc: Services, account: Account, query: QueueQuery) -> tuple[str, str, list[Any]]:
    """(joins, conditions, parameters) on the chain rows `c` this organisation may see."""
    clauses, params = ["c.org_id = ?", "c.visible = 1"], [account["org_id"]]
    for column, value in (("series", query.series), ("level", query.level), ("state", query.state)):
        if value:
            clauses.append(f"c.{column} = ?")
            params.append(value)
    if query.states:
        clauses.append(f"c.state IN ({', '.join('?' for _ in query.states)})")
        params += list(query.states)
    if query.held_only:
        clauses.append("c.holder_org_id = c.org_id")
    joins = ""
    if query.text:
        joins = PEOPLE + UNIT
        like = _like(svc)
        clauses.append(
            f"(a.name {like} ? ESCAPE '\\' OR COALESCE(a.id_number, '') {like} ? ESCAPE '\\'"
            f" OR COALESCE(u.name, '') {like} ? ESCAPE '\\')"
        )
        params += [f"%{_escape(query.text)}%"] * 3
    return joins, " AND ".join(clauses), params


def count(svc: Services, account: Account, query: QueueQuery) -> int:
    """How many rows the queue has with these filters, counted without loading them."""
    joins, where, params = _where(svc, account, query)
    row = svc.storage.one(f"SELECT COUNT(*) AS n FROM declaration_chain c{joins} WHERE {where}", params)
    return int(row["n"]) if row else 0


def page_ids(svc: Services, account: Account, query: QueueQuery, *, offset: int, limit: int) -> tuple[list[str], int]:
    """The declaration ids of one page, in the queue's order (newest change first, or by the
    declaring unit, its recommendation rank (DEC-3) and the applicant's name, then newest first),
    and how many rows the whole queue has. On PostgreSQL one scan of the organisation's range
    gives both (COUNT(*) OVER ()), instead of a count and a page walking it twice; past the last
    page there is no row to carry the count, so it is counted on its own."""
    joins, where, params = _where(svc, account, query)
    newest = "c.updated_at DESC, c.declaration_id DESC"
    if query.sort == "rank":
        joins = (joins or PEOPLE + UNIT) + HEADER
        m, n = _rank_parts(svc)
        binary = _binary(svc)
        order = f"COALESCE(u.name, '') {binary}, {m}, {n}, a.name {binary}, {newest}"
    else:
        order = newest
    if svc.storage.backend != "postgresql":
        # SQLite buffers every row of a window before the first comes out, while its two index
        # walks (count, page) cost less than a round trip; PostgreSQL is the other way round.
        rows = svc.storage.all(
            f"SELECT c.declaration_id AS id FROM declaration_chain c{joins} WHERE {where}"
            f" ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [str(r["id"]) for r in rows], count(svc, account, query)
    rows = svc.storage.all(
        f"SELECT c.declaration_id AS id, COUNT(*) OVER () AS total FROM declaration_chain c{joins} WHERE {where}"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    if not rows:
        return [], count(svc, account, query) if offset else 0
    return [str(r["id"]) for r in rows], int(rows[0]["total"])
