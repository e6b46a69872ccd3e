"""Deadline day: a mixed load at a steady arrival rate, on SQLite and on PostgreSQL (issue 14).

    .venv/bin/python bench/bench_deadline_day.py [--backends sqlite,postgresql] [--seconds 60]

For each backend: `python -m runtime serve --workers 2 --dev` on loopback (port 8142; --dev so
the benchmark can read the captchas it must answer to log in), over people with a declaration,
a page session and an API token each, and one unit whose review queue holds a few thousand
declarations. Then an open-loop load (requests start on schedule whether or not earlier ones
have finished, as people do) of this mix per 100 operations:

    40 section saves (the page form, with its CSRF token)    8 logins (captcha, then password)
    40 review-queue pages (/review, a random page)           10 uploads (a small PNG, API)
     2 review-form PDFs (one in 50)

It raises the rate while a short probe keeps p99 < 300 ms with no error, narrows the edge, then
runs the full period at the highest rate that held, and prints that rate with its figures per
kind of operation. Figures only; nothing is judged. Another process busy on the machine lowers
the rate found: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from ports import free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "runtime"))

PORT = 8142
PASSWORD = "Weihai#2026x"
MIX = {"save": 40, "queue": 40, "login": 8, "upload": 10, "pdf": 2}
P99_LIMIT_MS = 300.0
SECTION, UPLOAD_KIND = "language_computer", "certificates"
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class Person:
    login: str
    declaration: str
    cookie: str
    csrf: str
    token: str
    uploads: int = 0


@dataclass
class World:
    people: list[Person]
    reviewer_cookie: str
    queue_pages: int
    max_uploads: int


def seed(data: Path, database: str | None, count: int, queued: int) -> World:
    """The people and the unit's queue, made through the runtime's services before it serves."""
    from runtime.accounts.sessions import issue_api_token, start_session
    from runtime.app import create_app
    from runtime.clock import iso
    from runtime.declarations import declarations
    from runtime.review import queue, workflow
    from runtime.web.security import hash_password

    app = create_app(ROOT / "build", data, database=database)
    svc = app.state.services
    now = iso(svc.clock.now())
    hashed = hash_password(PASSWORD)  # the same password for all: one slow hash, not thousands
    unit = "bench_unit"
    states = [s for s in workflow.definition(svc)["states"] if s != workflow.definition(svc)["initial"]]
    series = [e["value"] for e in svc.bundle.entries("series")]
    levels = [e["value"] for e in svc.bundle.entries("levels")]

    numbers = iter(range(10**8))

    def account(login: str, kind: str, role: str, org: str | None) -> str:
        account_id = uuid.uuid4().hex
        svc.storage.insert(
            "accounts",
            {
                "id": account_id,
                "kind": kind,
                "role": role,
                "login_name": login,
                "id_number": f"3710021990{next(numbers):08d}" if kind == "person" else None,
                "name": login,
                "mobile": "13800000001",
                "org_id": org,
                "password_hash": hashed,
                "data": json.dumps({"sex": "\u7537", "birth_date": "1990-01-01"}),
                "commitment_version": "bench",
                "commitment_at": now,
                "created_at": now,
            },
        )
        return account_id

    with svc.storage.transaction():
        svc.storage.insert(
            "organisations",
            {
                "id": unit,
                "name": "bench unit",
                "kinds": '["employer"]',
                "region": "weihai",
                "authority": 0,
                "permitted": 1,
                "data": "{}",
                "created_at": now,
            },
        )
        reviewer = account("benchreviewer", "organisation", "reviewer", unit)
        pick = random.Random(14)
        for n in range(queued):
            person = account(f"queued{n}", "person", "applicant", None)
            svc.storage.insert(
                "declarations",
                {
                    "id": uuid.uuid4().hex,
                    "person_id": person,
                    "notice_id": "notice_2026",
                    "year": 2026,
                    "schema_hash": svc.bundle.schema_hash,
                    "state": pick.choice(states),
                    "holder_org_id": unit,
                    "unit_id": unit,
                    "series": pick.choice(series),
                    "level": pick.choice(levels),
                    "chain": json.dumps([unit]),
                    "reached": 0,
                    "created_at": now,
                    "updated_at": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+08:00",
                },
            )
        logins = [(f"bench{n}", account(f"bench{n}", "person", "applicant", None)) for n in range(count)]
    people = []
    for login, account_id in logins:
        found = svc.storage.account(account_id)
        assert found is not None
        declaration = declarations.create(svc, found)
        raw, csrf = start_session(svc, account_id)
        token, _ = issue_api_token(svc, account_id)
        people.append(Person(login, declaration, f"sid={raw}", csrf, token))
    raw, _ = start_session(svc, reviewer)
    section = svc.bundle.sections["declaration"][SECTION]
    max_uploads = int(section.upload(UPLOAD_KIND)["max_files"])
    pages = max(1, -(-queued // queue.page_size(svc)))
    svc.storage.close()
    return World(people, f"sid={raw}", pages, max_uploads)


def serve(data: Path, database: str | None, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port(PORT)
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "runtime", "serve", "--workers", "2", "--dev", "--port", str(port)]
    command += ["--data-dir", str(data)]
    if database:
        command += ["--database", database]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/contacts", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the server did not start: see {log}")


@dataclass
class Outcome:
    kind: str
    ms: float
    ok: bool
    detail: str = ""


@dataclass
class Load:
    world: World
    url: str
    pick: random.Random = field(default_factory=lambda: random.Random(16))

    def choose(self) -> str:
        return self.pick.choices(list(MIX), weights=list(MIX.values()))[0]

    async def one(self, client: httpx.AsyncClient, kind: str) -> Outcome:
        person = self.pick.choice(self.world.people)
        start = time.perf_counter()
        try:
            ok, detail = await getattr(self, kind)(client, person)
        except httpx.HTTPError as error:
            ok, detail = False, type(error).__name__
        return Outcome(kind, (time.perf_counter() - start) * 1000, ok, detail)

    async def save(self, client: httpx.AsyncClient, person: Person) -> tuple[bool, str]:
        text = self.pick.choice(["CET-6", "CET-4", "\u65e0"])
        answer = await client.post(
            f"/declarations/{person.declaration}/sections/{SECTION}",
            data={"csrf_token": person.csrf, "foreign_language": text, "computer": text},
            headers={"Cookie": person.cookie},
        )
        return answer.status_code == 200, str(answer.status_code)

    async def queue(self, client: httpx.AsyncClient, person: Person) -> tuple[bool, str]:
        page = self.pick.randint(1, self.world.queue_pages)
        answer = await client.get(f"/review?page={page}", headers={"Cookie": self.world.reviewer_cookie})
        return answer.status_code == 200, str(answer.status_code)

    async def login(self, client: httpx.AsyncClient, person: Person) -> tuple[bool, str]:
        captcha = (await client.get("/api/v1/captcha")).json()
        answer = await client.post(
            "/api/v1/login",
            json={
                "account": person.login,
                "password": PASSWORD,
                "captcha_id": captcha["captcha_id"],
                "captcha_answer": captcha["answer"],
            },
        )
        return answer.status_code == 200, str(answer.status_code)

    async def upload(self, client: httpx.AsyncClient, person: Person) -> tuple[bool, str]:
        fresh = [p for p in self.world.people if p.uploads < self.world.max_uploads]
        if not fresh:
            return False, "out of people with room for an upload: seed more"
        person = self.pick.choice(fresh)
        person.uploads += 1
        content = PNG + os.urandom(8 * 1024)
        answer = await client.post(
            f"/api/v1/declarations/{person.declaration}/attachments",
            data={"section_id": SECTION, "kind": UPLOAD_KIND},
            files={"file": ("certificate.png", content, "image/png")},
            headers={"Authorization": f"Bearer {person.token}"},
        )
        return answer.status_code == 201, str(answer.status_code)

    async def pdf(self, client: httpx.AsyncClient, person: Person) -> tuple[bool, str]:
        answer = await client.get(
            f"/api/v1/declarations/{person.declaration}/review-form.pdf",
            headers={"Authorization": f"Bearer {person.token}"},
        )
        return answer.status_code == 200 and answer.content.startswith(b"%PDF"), str(answer.status_code)

    async def warm(self) -> None:
        """Each kind once per worker before measuring: templates compiled, print workers up."""
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            for kind in MIX:
                for _ in range(4):
                    await self.one(client, kind)

    async def run(self, rate: float, seconds: float) -> list[Outcome]:
        """Start operations on schedule at `rate` per second for `seconds`; wait for them all."""
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=128)
        async with httpx.AsyncClient(base_url=self.url, timeout=30, limits=limits) as client:
            tasks = []
            begin = time.perf_counter()
            for n in range(int(rate * seconds)):
                delay = begin + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self.one(client, self.choose())))
            return list(await asyncio.gather(*tasks))


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


def holds(outcomes: list[Outcome]) -> bool:
    return all(o.ok for o in outcomes) and p99([o.ms for o in outcomes]) < P99_LIMIT_MS


def describe(rate: float, outcomes: list[Outcome]) -> str:
    times = [o.ms for o in outcomes]
    failed = [o for o in outcomes if not o.ok]
    line = f"{rate:6.1f} op/s: p50 {statistics.median(times):6.1f} ms  p99 {p99(times):7.1f} ms  errors {len(failed)}"
    if failed:
        line += f" (e.g. {failed[0].kind} {failed[0].detail})"
    return line


def search(load: Load, seconds: float, probe: float, start: float) -> tuple[float, list[Outcome]]:
    """The highest rate that holds: double while a probe holds, narrow the edge, then the full
    period; if the full period fails at that rate, step down until it holds."""
    good, bad = 0.0, None
    rate = start
    while bad is None and rate <= 2000:
        outcomes = asyncio.run(load.run(rate, probe))
        print(f"    probe {describe(rate, outcomes)}", flush=True)
        if holds(outcomes):
            good, rate = rate, rate * 2
        else:
            bad = rate
    if bad is not None:
        for _ in range(3):
            middle = (good + bad) / 2 if good else bad / 2
            outcomes = asyncio.run(load.run(middle, probe))
            print(f"    probe {describe(middle, outcomes)}", flush=True)
            if holds(outcomes):
                good = middle
            else:
                bad = middle
    rate = good or start / 4
    for _ in range(4):
        outcomes = asyncio.run(load.run(rate, seconds))
        print(f"    full  {describe(rate, outcomes)}", flush=True)
        if holds(outcomes):
            return rate, outcomes
        rate *= 0.8
    return 0.0, outcomes


def report(backend: str, rate: float, outcomes: list[Outcome], seconds: float) -> None:
    limit = f"p99 < {P99_LIMIT_MS:.0f} ms and no error over {seconds:.0f} s"
    print(f"  {backend}: highest rate with {limit}: {rate:.1f} op/s")
    for kind in MIX:
        times = [o.ms for o in outcomes if o.kind == kind]
        if times:
            print(
                f"    {kind:<7} {len(times):>6} ops  p50 {statistics.median(times):7.1f} ms  p99 {p99(times):7.1f} ms"
                f"  errors {sum(1 for o in outcomes if o.kind == kind and not o.ok)}"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--probe", type=float, default=15)
    parser.add_argument("--start-rate", type=float, default=10)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--queued", type=int, default=3000)
    args, _ = parser.parse_known_args(argv)
    print(f"deadline day: load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}; mix per 100: {MIX}")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="zc-deadline-") as tmp:
            server_pg = None
            database = None
            if backend == "postgresql":
                from pg_server import PostgresServer

                server_pg = PostgresServer().start()
                server_pg.admin("CREATE DATABASE bench")
                database = server_pg.url("bench")
            try:
                data = Path(tmp) / "data"
                world = seed(data, database, args.people, args.queued)
                process, url = serve(data, database, Path(tmp) / "server.log")
                try:
                    load = Load(world, url)
                    asyncio.run(load.warm())
                    rate, outcomes = search(load, args.seconds, args.probe, args.start_rate)
                    report(backend, rate, outcomes, args.seconds)
                finally:
                    process.terminate()
                    process.wait(timeout=30)
            finally:
                if server_pg is not None:
                    server_pg.stop()
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
