"""A review queue as people work it on deadline day (issue 16; REV-1..3): one page at a time,
searched by name, ID number or declaring unit, sorted by date or by the unit's recommendation
rank (the unit's recommendation order, DEC-3), and worked in bulk — each ticked declaration still checked, taken and
audited one by one, with a summary of what went through and why the rest did not.

`find` has the signature pages need; its page is filtered, counted, sorted and cut in SQL over the
indexed chain rows (queue_sql.py, issue 14), and `each_found` reads every match page by page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from runtime.declarations import declarations
from runtime.review import queue_sql, review, workflow
from runtime.storage import loads
from runtime.storage.rows import Account, declaration_row
from runtime.web.http import HttpError, Services

MAX_QUERY = 50
SORTS = ("date", "rank")


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    per_page: int
    numbers: list[int] = field(default_factory=list)


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _by_id(svc: Services, sql: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        marks = ",".join("?" for _ in chunk)
        for row in svc.storage.all(sql.replace("{ids}", marks), tuple(chunk)):
            found[str(row["k"])] = row
    return found


def mask_id_number(svc: Services, account: Account, number: str | None) -> str:
    """The ID number as this role may see it: whole for the roles platform.yaml's `privacy`
    names, else only its head and tail."""
    if not number:
        return ""
    privacy = svc.bundle.platform.get("privacy") or {}
    if account["role"] in (privacy.get("id_number_full_roles") or []):
        return number
    head = int(privacy.get("id_number_head", 0))
    tail = int(privacy.get("id_number_tail", 0))
    return number[:head] + "*" * max(0, len(number) - head - tail) + (number[-tail:] if tail else "")


def page_size(svc: Services) -> int:
    """Rows on one queue page: platform.yaml's lists.page_size."""
    return int((svc.bundle.platform.get("lists") or {}).get("page_size", 1))


def find(
    svc: Services,
    account: Account,
    *,
    series: str = "",
    level: str = "",
    state: str = "",
    held_only: bool = False,
    q: str = "",
    sort: str = "date",
    page: int = 1,
    per_page: int | None = None,
    states: tuple[str, ...] = (),
) -> QueuePage:
    """One page of the declarations this organisation holds or has held, each with the
    applicant's name, ID number (masked per policy), sex and birth date, and the declaring
    unit's name. Filtered, searched, counted, sorted and cut into pages in the database
    (queue_sql.py): only the page's rows are ever loaded. Without `per_page`, a page holds
    platform.yaml's lists.page_size rows."""
    if account["kind"] != "organisation":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    query = queue_sql.QueueQuery(
        series=series,
        level=level,
        state=state,
        held_only=held_only,
        text=q.strip()[:MAX_QUERY],
        sort=sort if sort in SORTS else "date",
        states=states,
    )
    if per_page is None:
        per_page = page_size(svc)
    per_page, page = max(1, per_page), max(1, page)
    ids, total = queue_sql.page_ids(svc, account, query, offset=(page - 1) * per_page, limit=per_page)
    pages = max(1, -(-total // per_page))
    if page > pages:  # past the end: the last page instead
        page = pages
        ids, total = queue_sql.page_ids(svc, account, query, offset=(page - 1) * per_page, limit=per_page)
    return QueuePage(_rows(svc, account, ids), total, page, pages, per_page, _numbers(page, pages))


def each_found(svc: Services, account: Account, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every row `find` would show with these filters (no `page`), page by page in its order: for
    an export that must hold them all without one query holding them all."""
    number = 1
    while True:
        found = find(svc, account, **filters, page=number)
        yield from found.rows
        if found.page >= found.pages:
            return
        number += 1


def _rows(svc: Services, account: Account, ids: list[str]) -> list[dict[str, Any]]:
    """The page's rows in the order of `ids`, as the queue shows them: the declaration, its
    applicant, holder, declaring unit and header read in one query."""
    loaded = _by_id(
        svc,
        "SELECT d.id AS k, d.*, a.name AS _person_name, a.id_number AS _person_id_number, a.data AS _person_data,"
        " o.name AS _holder_name, u.name AS _unit_name, h.data AS _header_data FROM declarations d"
        " JOIN accounts a ON a.id = d.person_id LEFT JOIN organisations o ON o.id = d.holder_org_id"
        " LEFT JOIN organisations u ON u.id = d.unit_id"
        " LEFT JOIN sections h ON h.declaration_id = d.id AND h.section_id = 'header'"
        " WHERE d.id IN ({ids})",
        ids,
    )
    rows = []
    for declaration_id in ids:
        raw = loaded.get(declaration_id)
        if raw is None:  # deleted between the two queries
            continue
        stored = declaration_row({k: v for k, v in raw.items() if k != "k" and not k.startswith("_")})
        row = {
            **declarations.summary(svc, stored, holder=raw["_holder_name"]),
            "person_name": raw["_person_name"],
            "_row": stored,
        }
        person = {"id_number": raw["_person_id_number"], "data": raw["_person_data"]}
        _people_columns(svc, account, row, person, raw["_unit_name"], raw["_header_data"])
        rows.append(row)
    return rows


def _numbers(page: int, pages: int) -> list[int]:
    """The page numbers to link: the first, the last, and two either side of this one."""
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})


def enrich(svc: Services, account: Account, rows: list[dict[str, Any]]) -> None:
    """Add the people-facing columns to queue rows (in place)."""
    people = _by_id(
        svc,
        "SELECT id AS k, id_number, data FROM accounts WHERE id IN ({ids})",
        [r["_row"]["person_id"] for r in rows],
    )
    units = _by_id(
        svc,
        "SELECT id AS k, name FROM organisations WHERE id IN ({ids})",
        [r["_row"]["unit_id"] for r in rows if r["_row"]["unit_id"]],
    )
    headers = _by_id(
        svc,
        "SELECT declaration_id AS k, data FROM sections WHERE section_id = 'header' AND declaration_id IN ({ids})",
        [r["id"] for r in rows],
    )
    for row in rows:
        person = people.get(row["_row"]["person_id"]) or {}
        unit = (units.get(row["_row"]["unit_id"] or "") or {}).get("name")
        _people_columns(svc, account, row, person, unit, (headers.get(row["id"]) or {}).get("data"))


def _people_columns(
    svc: Services, account: Account, row: dict[str, Any], person: dict[str, Any], unit: str | None, header: str | None
) -> None:
    details = loads(person.get("data"), {}) or {}
    fields = loads(header, {}) or {}
    row["_id_number"] = person.get("id_number") or ""
    row["id_number"] = mask_id_number(svc, account, person.get("id_number"))
    row["sex"] = details.get("sex", "")
    row["birth_date"] = details.get("birth_date", "")
    row["unit_name"] = unit or ""
    row["rank"] = fields.get("rank", "")
    row["title"] = fields.get("title", "")


def bulk_steps(svc: Services, account: Account) -> list[dict[str, Any]]:
    """The steps this role may take in bulk: every transition it may take at all."""
    return [dict(t) for t in workflow.definition(svc).get("transitions") or [] if account["role"] in t["by"]]


def offered_steps(svc: Services, account: Account, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bulk buttons for this page: only steps some row held here could take now, each named
    so that two steps with one title (e.g. confirming a pass or a fail) can be told apart."""
    held = {r["state"] for r in rows if r["holder_org_id"] == account["org_id"]}
    steps = [t for t in bulk_steps(svc, account) if held & set(t["from"])]
    titles = [t["title"] for t in steps]
    for step in steps:
        step["label"] = step["title"]
        if titles.count(step["title"]) > 1:
            step["label"] = f"{step['title']}({workflow.state_title(svc, step['to'])})"
    return steps


def bulk(svc: Services, account: Account, transition_id: str, ids: list[str], comment: str) -> dict[str, Any]:
    """Take one step on many declarations, each on its own: checked, taken and audited (REV-4)
    as if done one by one; one failing stops nothing else. Returns what succeeded and, for the
    rest, why not."""
    if transition_id not in {t["id"] for t in bulk_steps(svc, account)}:
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    chosen = list(dict.fromkeys(i for i in ids if isinstance(i, str) and 0 < len(i) <= 64))
    if not chosen:
        raise HttpError(422, "report_empty", svc.bundle.text("report_empty"))
    if len(chosen) > review.MAX_BATCH:
        raise HttpError(422, "bulk_too_many", svc.bundle.text("bulk_too_many", limit=review.MAX_BATCH))
    names = _by_id(
        svc,
        "SELECT d.id AS k, a.name FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id IN ({ids})",
        chosen,
    )
    done: list[str] = []
    failed: list[dict[str, str]] = []
    for declaration_id in chosen:
        name = str((names.get(declaration_id) or {}).get("name", ""))
        try:
            review.act(svc, account, declaration_id, transition_id, comment=comment)
        except HttpError as error:
            if error.status >= 500:
                raise
            reasons = [e["message"] for e in error.errors or []] or [error.message]
            shown = "" if error.status == 404 else name  # never name what this organisation may not see
            reason = svc.bundle.text("message_separator").join(reasons)
            failed.append({"id": declaration_id, "name": shown, "reason": reason})
            continue
        done.append(name)
    return {"done": done, "failed": failed}
