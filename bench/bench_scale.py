"""Queues at province scale: N declarations (default 1,000,000) over 2,000 units and 30
departments in every state, loaded into SQLite and into a throw-away PostgreSQL; prints the
median time of a queue page — first and deep, filtered and unfiltered, for a unit and for a
department — and of an applicant's list, beside today's query shape (before issue 14: a
`chain LIKE` scan of every declaration, visibility and filters in Python) in the same run.

    .venv/bin/python bench/bench_scale.py [--declarations 1000000] [--backends sqlite,postgresql]

Figures only; nothing here is judged. Goal (issue 14): <= 50 ms median per page on both.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "runtime"))

from runtime.app import create_app  # noqa: E402
from runtime.declarations import declarations, queues  # noqa: E402
from runtime.review import queue as review_queue  # noqa: E402
from runtime.review import review, workflow  # noqa: E402
from runtime.storage.migrations import CHAIN_COLUMNS  # noqa: E402

UNITS, DEPARTMENTS, PER_PERSON = 2000, 30, 4
STAMP = "2026-01-01T00:00:00+08:00"


def old_queue(svc: Any, account: dict[str, Any], **filters: str) -> list[dict[str, Any]]:
    """The queue as it was read before issue 14 (runtime/declarations/api.py then)."""
    rows = svc.storage.all(
        "SELECT * FROM declarations WHERE chain LIKE ? ORDER BY updated_at DESC", (f'%"{account["org_id"]}"%',)
    )
    result = []
    for row in rows:
        if not declarations.visible(row, account):  # type: ignore[arg-type]
            continue
        if any(v and row[k] != v for k, v in filters.items()):
            continue
        result.append(row)
    return result


def old_find(svc: Any, account: dict[str, Any], page: int, **filters: str) -> list[dict[str, Any]]:
    """The review page (/review) as it was before its pages moved into SQL: every row the
    organisation may see read and enriched, then numbered into pages in Python."""
    rows = review.queue(svc, account, with_row=True, **filters)  # type: ignore[arg-type]
    review_queue.enrich(svc, account, rows)  # type: ignore[arg-type]
    size = review_queue.page_size(svc)
    return rows[(page - 1) * size : page * size]


def generate(total: int, svc: Any) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Rows per table, in batches, deterministic."""
    pick = random.Random(14)
    series = [e["value"] for e in svc.bundle.entries("series")]
    levels = [e["value"] for e in svc.bundle.entries("levels")]
    states = list(workflow.definition(svc)["states"])
    departments = [f"dept{d:02d}" for d in range(DEPARTMENTS)]
    units = [f"unit{u:04d}" for u in range(UNITS)]
    yield (
        "organisations",
        [(o, o, '["department"]', "sd", 0, 1, "{}", STAMP) for o in departments]
        + [(u, u, '["employer"]', "sd", 0, 1, "{}", STAMP) for u in units],
    )
    persons = total // PER_PERSON
    batch: list[tuple[Any, ...]] = []
    for p in range(persons):
        batch.append((f"p{p:07d}", "person", "applicant", f"login{p}", f"3700{p:014d}", f"申报人{p}", "x", "{}", STAMP))
        if len(batch) == 50_000:
            yield "accounts", batch
            batch = []
    yield "accounts", batch
    batch, headers = [], []
    for n in range(total):
        unit = units[n % UNITS]
        chain = [unit, departments[(n % UNITS) % DEPARTMENTS]]
        reached = pick.choice((0, 1, 1))
        state = pick.choice(states)
        holder = chain[reached] if state not in ("draft",) else None
        updated = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{pick.randrange(60):02d}+08:00"
        batch.append(
            (
                f"d{n:08d}",
                f"p{n % persons:07d}",
                "notice_2026",
                2026,
                svc.bundle.schema_hash,
                state,
                holder,
                unit,
                pick.choice(series),
                pick.choice(levels),
                json.dumps(chain),
                reached,
                STAMP,
                updated,
            )
        )
        headers.append((f"d{n:08d}", "header", json.dumps({"rank": f"{1 + n % 7}/7"}), STAMP))
        if len(batch) == 50_000:
            yield "declarations", batch
            yield "sections", headers
            batch, headers = [], []
    yield "declarations", batch
    yield "sections", headers


COLUMNS = {
    "organisations": "id, name, kinds, region, authority, permitted, data, created_at",
    "accounts": "id, kind, role, login_name, id_number, name, password_hash, data, created_at",
    "declarations": "id, person_id, notice_id, year, schema_hash, state, holder_org_id, unit_id, series, level,"
    " chain, reached, created_at, updated_at",
    "sections": "declaration_id, section_id, data, updated_at",
}


def load(svc: Any, total: int) -> float:
    """Bulk load; chain rows are built once at the end (the migration's backfill) instead of by
    the per-row trigger, as an operator importing a province would."""
    storage = svc.storage
    start = time.perf_counter()
    if storage.backend == "sqlite":
        conn = storage.db.conn
        conn.execute("DROP TRIGGER declaration_chain_insert")
        conn.execute("BEGIN")
        for table, rows in generate(total, svc):
            marks = ", ".join("?" * len(COLUMNS[table].split(",")))
            conn.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", rows)
        conn.execute(
            f"INSERT INTO declaration_chain ({CHAIN_COLUMNS}) SELECT j.value, d.updated_at, d.id, j.key,"
            " j.key <= d.reached, d.holder_org_id, d.state, d.series, d.level, d.notice_id"
            " FROM declarations AS d, json_each(d.chain) AS j"
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    else:
        with storage.pool.connection() as conn:
            conn.execute("ALTER TABLE declarations DISABLE TRIGGER declaration_chain_insert")
            with conn.transaction():
                for table, rows in generate(total, svc):
                    with conn.cursor().copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                conn.execute(
                    f"INSERT INTO declaration_chain ({CHAIN_COLUMNS}) SELECT j.value, d.updated_at, d.id, j.ord - 1,"
                    " CASE WHEN j.ord - 1 <= d.reached THEN 1 ELSE 0 END, d.holder_org_id, d.state, d.series,"
                    " d.level, d.notice_id"
                    " FROM declarations AS d,"
                    " jsonb_array_elements_text(d.chain::jsonb) WITH ORDINALITY AS j(value, ord)"
                )
            conn.execute("ALTER TABLE declarations ENABLE TRIGGER declaration_chain_insert")
            conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - start


def median_ms(action: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def deep_cursor(svc: Any, account: dict[str, Any], filters: queues.QueueFilter, pages: int) -> str | None:
    cursor = None
    for _ in range(pages):
        page = queues.queue(svc, account, filters, cursor=cursor)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return cursor


def measure(svc: Any, runs: int, old_runs: int) -> None:
    busiest = svc.storage.one("SELECT org_id FROM declaration_chain GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1")
    sample = svc.storage.one("SELECT series, level FROM declarations WHERE id = 'd00000007'")
    unit = {"kind": "organisation", "org_id": "unit0007", "id": "bench"}
    department = {"kind": "organisation", "org_id": busiest["org_id"], "id": "bench"}
    person = {"kind": "person", "id": "p0000007", "org_id": None}
    filtered = queues.QueueFilter(series=sample["series"], level=sample["level"])
    print(f"  {'query':<44}{'new ms':>9}{'old ms':>10}{'rows':>7}{'of':>9}")
    for label, account in (("unit", unit), ("department", department)):
        for fname, filters in (("unfiltered", queues.QueueFilter()), ("series+level", filtered)):
            count = queues.queue_count(svc, account, filters)  # type: ignore[arg-type]
            first = queues.queue(svc, account, filters)  # type: ignore[arg-type]
            old = median_ms(lambda a=account, f=filters: old_queue(svc, a, series=f.series, level=f.level), old_runs)
            new = median_ms(lambda a=account, f=filters: queues.queue(svc, a, f), runs)  # type: ignore[misc]
            print(f"  {label + ' ' + fname + ' first page':<44}{new:>9.1f}{old:>10.1f}{len(first.rows):>7}{count:>9}")
            cursor = deep_cursor(svc, account, filters, 20)
            deep = median_ms(lambda a=account, f=filters, c=cursor: queues.queue(svc, a, f, cursor=c), runs)  # type: ignore[misc]
            print(f"  {label + ' ' + fname + ' page 21':<44}{deep:>9.1f}{'':>10}")
            counted = median_ms(lambda a=account, f=filters: queues.queue_count(svc, a, f), runs)  # type: ignore[misc]
            print(f"  {label + ' ' + fname + ' count':<44}{counted:>9.1f}{'':>10}{'':>7}{count:>9}")
    mine_new = median_ms(lambda: queues.mine(svc, person), runs)  # type: ignore[arg-type]
    mine_old = median_ms(
        lambda: svc.storage.all(
            "SELECT * FROM declarations WHERE person_id = ? ORDER BY created_at DESC", ("p0000007",)
        ),
        runs,
    )
    print(f"  {'applicant list':<44}{mine_new:>9.1f}{mine_old:>10.1f}")
    review_pages(svc, unit, department, {"series": sample["series"], "level": sample["level"]}, runs, old_runs)


def review_pages(
    svc: Any, unit: dict[str, Any], department: dict[str, Any], sample: dict[str, str], runs: int, old_runs: int
) -> None:
    """The review page's queue (runtime/review/queue.py find): numbered pages, first and deep."""
    print(f"  {'review page (/review)':<44}{'new ms':>9}{'old ms':>10}{'rows':>7}{'of':>9}")
    for label, account in (("unit", unit), ("department", department)):
        account = {**account, "role": "reviewer"}
        for fname, filters in (("unfiltered", {}), ("series+level", sample), ("search name", {"q": "申报人7"})):
            first = review_queue.find(svc, account, **filters)  # type: ignore[arg-type]
            deep_page = max(1, first.pages * 4 // 5)  # four fifths of the way through
            for pname, number in (("first page", 1), (f"page {deep_page}", deep_page)):
                new = median_ms(lambda a=account, f=filters, n=number: review_queue.find(svc, a, page=n, **f), runs)
                old_filters = {k: v for k, v in filters.items() if k != "q"}
                old = (
                    median_ms(lambda a=account, f=old_filters, n=number: old_find(svc, a, n, **f), old_runs)
                    if "q" not in filters
                    else float("nan")
                )
                shown = len(review_queue.find(svc, account, page=number, **filters).rows)  # type: ignore[arg-type]
                name = f"{label} {fname} {pname}"
                print(f"  {name:<44}{new:>9.1f}{old:>10.1f}{shown:>7}{first.total:>9}")
        ranked = median_ms(lambda a=account: review_queue.find(svc, a, sort="rank"), runs)
        print(f"  {label + ' by rank first page':<44}{ranked:>9.1f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--old-runs", type=int, default=3)
    args, _ = parser.parse_known_args(argv)
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="zc-bench-") as tmp:
            server = None
            database = None
            if backend == "postgresql":
                from pg_server import PostgresServer

                server = PostgresServer().start()
                server.admin("CREATE DATABASE bench")
                database = server.url("bench")
            try:
                app = create_app(ROOT / "build", Path(tmp) / "data", database=database)
                svc = app.state.services
                seconds = load(svc, args.declarations)
                print(f"{backend}: {args.declarations:,} declarations loaded in {seconds:.0f} s")
                measure(svc, args.runs, args.old_runs)
                svc.storage.close()
            finally:
                if server is not None:
                    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
