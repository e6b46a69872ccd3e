"""Deadline-day queue pages as a reviewer gets them (issue 16): the whole HTTP page of /review —
query, enrichment and template — with N declarations (default 10,000) in one unit's queue,
beside the same pages with a baseline of 200 in the same run. Prints the median time of the
first page, the last page, a search by ID number and the rank sort, and the ratio to baseline.

    .venv/bin/python bench/bench_queue_pages.py [--declarations 10000] [--backends sqlite,postgresql]

Figures only; nothing here is judged. Goal (issue 16): under 1 s a page at 10,000.
The declarations are made as tests/runtime/crowd.py makes them: one through the app's
services, the rest copies of it in SQL.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "runtime"))

import crowd  # noqa: E402
from runtime_support import frozen_clock, login_fields  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from runtime.app import create_app  # noqa: E402
from runtime.demo.seed import DEMO_PASSWORD, demo_data, seed_demo  # noqa: E402

BASELINE = 200
GOAL_MS = 1000.0


def _median_ms(client: TestClient, params: dict[str, Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/review", params=params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def _pages(client: TestClient) -> int:
    found = re.search(r'id="queue-count">([^<]*)<', client.get("/review").text)
    assert found, "no queue count on /review"
    return int(re.findall(r"\d+", found.group(1))[-1])


def _measure(backend: str, total: int, runs: int, database: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="zc-bench-queue-") as tmp:
        app = create_app(ROOT / "build", Path(tmp) / "data", dev=True, clock=frozen_clock(), database=database)
        svc = app.state.services
        try:
            seed_demo(svc)
            unit = svc.storage.one("SELECT id FROM organisations WHERE name = ?", (demo_data()["declaring_unit"],))
            first = crowd.declare_many(svc, unit["id"], 1)[0]
            start = time.perf_counter()
            crowd.clone_many(svc, first.declaration_id, total - 1)
            loaded = time.perf_counter() - start
            reviewer = svc.storage.one(
                "SELECT login_name FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (unit["id"],)
            )
            with TestClient(app, base_url="http://testserver") as client:
                page = client.get("/login").text
                client.post(
                    "/login",
                    data={**login_fields(page), "account": reviewer["login_name"], "password": DEMO_PASSWORD},
                    follow_redirects=False,
                )
                pages = _pages(client)
                figures = {
                    "first page": _median_ms(client, {}, runs),
                    "last page": _median_ms(client, {"page": pages}, runs),
                    "search by ID number": _median_ms(client, {"q": first.id_number}, runs),
                    "sorted by rank, page 2": _median_ms(client, {"sort": "rank", "page": 2}, runs),
                }
            print(f"  {backend}: {total:,} declarations ({pages} pages), copies loaded in {loaded:.1f} s")
            return figures
        finally:
            svc.storage.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--declarations", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args, _ = parser.parse_known_args(argv)
    for backend in args.backends.split(","):
        server = None
        database: str | None = None
        if backend == "postgresql":
            from pg_server import PostgresServer

            server = PostgresServer().start()
        try:
            results = {}
            for total in (BASELINE, args.declarations):
                database = server.schema_url() if server is not None else None
                results[total] = _measure(backend, total, args.runs, database)
            base, big = results[BASELINE], results[args.declarations]
            print(f"  {'page':<28}{f'{BASELINE} ms':>10}{f'{args.declarations} ms':>12}{'ratio':>8}{'goal':>9}")
            for name in big:
                verdict = "met" if big[name] < GOAL_MS else "missed"
                print(f"  {name:<28}{base[name]:>10.1f}{big[name]:>12.1f}{big[name] / base[name]:>8.2f}{verdict:>9}")
        finally:
            if server is not None:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
