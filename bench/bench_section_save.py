"""Section save under load, beside a hand-written Django 5 peer (issue 14).

    .venv/bin/python bench/bench_section_save.py [--connections 32,64] [--seconds 20] [--rounds 3] [--people 64]

Starts two servers on loopback, each on its own temporary SQLite database with the same settings
(WAL, synchronous=NORMAL, busy timeout, foreign keys):
- this platform: `python -m runtime serve --workers 2` (port 8140);
- the peer in bench/django_peer: a Django ModelForm app with database sessions, CSRF,
  login_required and an ownership check, under gunicorn with 2 sync workers (port 8141).

Both get N people, each with a declaration and a signed-in session (made in the database: no
login is measured); the benchmark reads each person's CSRF token from the section page with a
GET, as a browser does. Then wrk (Debian's package; scripts/system-deps.sh bench) POSTs the same
valid `admin_post` section (a post and its year-month) as form data, round-robin over the people,
at each connection count and in two modes, the two servers in turn for a few rounds (this virtual
machine's speed drifts by up to 2x from one minute to the next; alternating rounds give both the
same spells), and the benchmark prints each run and each figure's median over the rounds:
requests/s, p50/p99 latency, failures, the saves each database recorded, and the platform's
throughput as a multiple of the peer's.
Modes: "page" is the save button (the answer is the section page again, with its notice);
"autosave" is what the page's script sends every few seconds while a section has changes
(`autosave=1`; the answer is the new version as JSON): on a deadline day most saves are these.
Goal (issue 14): >= 3x the peer's throughput with p99 <= 50 ms at 64 connections. Figures only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from ports import free_port

ROOT = Path(__file__).resolve().parents[1]
PEER = Path(__file__).resolve().parent / "django_peer"
PORTS = {"platform": 8140, "django": 8141}
FIELDS = {"post": "\u526f\u9986\u957f", "since": "2019.03"}  # the same valid section for both
SECTION = "admin_post"


@dataclass
class Person:
    cookie: str  # the Cookie header
    path: str  # the section page
    body: str = ""  # the form posted, with its CSRF token


def seed_platform(data: Path, count: int) -> list[Person]:
    """People with a declaration and a session, made through the runtime's own services."""
    sys.path.insert(0, str(ROOT))
    from runtime.accounts.sessions import start_session
    from runtime.app import create_app
    from runtime.clock import iso
    from runtime.declarations import declarations

    app = create_app(ROOT / "build", data)
    svc = app.state.services
    people = []
    now = iso(svc.clock.now())
    for n in range(count):
        account_id = uuid.uuid4().hex
        with svc.storage.transaction():
            svc.storage.insert(
                "accounts",
                {
                    "id": account_id,
                    "kind": "person",
                    "role": "applicant",
                    "login_name": f"bench{n}",
                    "id_number": f"37100219900101{n:04d}",
                    "name": f"bench{n}",
                    "mobile": "13800000001",
                    "password_hash": "-",
                    "data": "{}",
                    "commitment_version": "bench",
                    "commitment_at": now,
                    "created_at": now,
                },
            )
        account = svc.storage.account(account_id)
        assert account is not None
        declaration_id = declarations.create(svc, account)
        raw, _ = start_session(svc, account_id)
        people.append(Person(f"sid={raw}", f"/declarations/{declaration_id}/sections/{SECTION}"))
    svc.storage.close()
    return people


def peer_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PEER),
        "DJANGO_SETTINGS_MODULE": "peer.settings",
        "PEER_DATABASE": str(folder / "peer.sqlite3"),
    }


def seed_peer(folder: Path, count: int) -> list[Person]:
    done = subprocess.run(
        [sys.executable, "-m", "peer.seed", str(count)],
        env=peer_env(folder),
        capture_output=True,
        text=True,
        check=True,
    )
    people = []
    for line in done.stdout.splitlines():
        row = json.loads(line)
        path = f"/declarations/{row['declaration']}/sections/{SECTION}"
        people.append(Person(f"sessionid={row['sessionid']}", path))
    return people


def start(name: str, folder: Path) -> subprocess.Popen[bytes]:
    PORTS[name] = free_port(PORTS[name])
    port = str(PORTS[name])
    if name == "platform":
        command = [sys.executable, "-m", "runtime", "serve", "--workers", "2", "--port", port]
        command += ["--data-dir", str(folder / "data")]
        env, cwd = dict(os.environ), ROOT
    else:
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "peer.wsgi"]
        env, cwd = peer_env(folder), PEER
    log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{name} did not start: see {folder / (name + '.log')}")


def prepare(name: str, people: list[Person]) -> None:
    """Read each person's CSRF token from the section page (and the peer's CSRF cookie), as a
    browser does, and check that one save works and says so before any load."""
    field = "csrf_token" if name == "platform" else "csrfmiddlewaretoken"
    with httpx.Client(base_url=f"http://127.0.0.1:{PORTS[name]}", timeout=30) as client:
        for person in people:
            page = client.get(person.path, headers={"Cookie": person.cookie})
            assert page.status_code == 200, (name, page.status_code, page.text[:300])
            found = re.search(rf'name="{field}" value="([^"]+)"', page.text)
            assert found, (name, "no CSRF token on the page")
            if "csrftoken" in page.cookies:
                person.cookie += f"; csrftoken={page.cookies['csrftoken']}"
            person.body = urlencode({field: found.group(1), **FIELDS})
            saved = client.post(
                person.path,
                content=person.body,
                headers={"Cookie": person.cookie, "Content-Type": "application/x-www-form-urlencoded"},
            )
            assert saved.status_code == 200, (name, saved.status_code, saved.text[:300])


MODES = {"page": "", "autosave": "&autosave=1"}  # what each mode adds to the posted form


def lua_script(people: list[Person], folder: Path, name: str, mode: str) -> Path:
    """wrk's request generator: the people's saves in turn, each thread from its own start."""
    lines = ["local people = {}"]
    for person in people:
        fields = ", ".join(json.dumps(v) for v in (person.path, person.cookie, person.body + MODES[mode]))
        lines.append(f"people[#people + 1] = {{{fields}}}")
    lines += [
        "local requests, i = {}, 0",
        "function init(args)",  # wrk.format needs the thread's host, set only by now
        "  for n, p in ipairs(people) do",
        '    local headers = {["Cookie"] = p[2], ["Content-Type"] = "application/x-www-form-urlencoded"}',
        '    requests[n] = wrk.format("POST", p[1], headers, p[3])',
        "  end",
        "  i = math.random(#requests)",
        "end",
        "function request()",
        "  i = i % #requests + 1",
        "  return requests[i]",
        "end",
    ]
    script = folder / f"{name}-{mode}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(name: str, script: Path, connections: int, seconds: int) -> dict[str, float]:
    url = f"http://127.0.0.1:{PORTS[name]}"
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if os.environ.get("BENCH_VERBOSE"):
        print(out)
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    found["refused"] = float(bad.group(1) if bad else 0)  # answered, but not 2xx/3xx
    found["errors"] = float(sum(int(g) for g in errors.groups()) if errors else 0)  # no answer in time
    return found


def saves(name: str, folder: Path) -> int:
    """Saves the database recorded (each save adds one to its declaration's version)."""
    path = folder / "data" / "zhicheng.sqlite3" if name == "platform" else folder / "peer.sqlite3"
    table = "declarations" if name == "platform" else "peer_declaration"
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT COALESCE(SUM(version), 0) FROM {table}").fetchone()[0])


def run(name: str, folder: Path, script: Path, connections: int, seconds: int) -> dict[str, float]:
    """One measured run after a 2 s warm-up, with the saves its database recorded."""
    wrk(name, script, connections, 2)
    before = saves(name, folder)
    found = wrk(name, script, connections, seconds)
    found["saved"] = saves(name, folder) - before
    return found


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (this machine's speed drifts from minute to minute,
    and one run catches a slow or a fast spell); failures are summed, not averaged away."""
    summed = {"refused", "errors", "saved", "requests"}
    return {key: (sum if key in summed else statistics.median)(r[key] for r in runs) for key in runs[0]}


def line(found: dict[str, float]) -> str:
    return (
        f"{found['rps']:>8.0f} req/s  p50 {found['p50']:>7.1f} ms  p99 {found['p99']:>7.1f} ms"
        f"  non-2xx {found['refused']:.0f}  socket errors {found['errors']:.0f}"
        f"  saves recorded {found['saved']:.0f} of {found['requests']:.0f}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", default="32,64")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--people", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each server at each step, alternating")
    parser.add_argument("--modes", default=",".join(MODES), help="page, autosave or both")
    args, _ = parser.parse_known_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: run scripts/system-deps.sh bench (as root)", file=sys.stderr)
        return 1
    load = os.getloadavg()
    print(f"section save, {args.people} people, {args.seconds} s per run; load average {load[0]:.1f} {load[1]:.1f}")
    results: dict[tuple[str, str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="zc-save-") as tmp:
        folders = {name: Path(tmp) / name for name in PORTS}
        for folder in folders.values():
            folder.mkdir()
        people = {
            "platform": seed_platform(folders["platform"] / "data", args.people),
            "django": seed_peer(folders["django"], args.people),
        }
        servers = {name: start(name, folders[name]) for name in PORTS}
        try:
            scripts = {}
            modes = args.modes.split(",")
            for name in PORTS:
                prepare(name, people[name])
                for mode in modes:
                    scripts[(name, mode)] = lua_script(people[name], folders[name], name, mode)
            for mode in modes:
                for connections in [int(c) for c in args.connections.split(",")]:
                    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in PORTS}
                    for n in range(args.rounds):
                        for name in PORTS:  # side by side: one after the other, round after round
                            found = run(name, folders[name], scripts[(name, mode)], connections, args.seconds)
                            rounds[name].append(found)
                            step = f"{mode:<8} {name:<9} {connections:>3} connections"
                            print(f"  {step}, round {n + 1}: {line(found)}", flush=True)
                    for name in PORTS:
                        found = results[(name, mode, connections)] = median(rounds[name])
                        print(f"  {mode:<8} {name:<9} {connections:>3} connections, median: {line(found)} (all rounds)")
                    platform, django = (results[(name, mode, connections)]["rps"] for name in PORTS)
                    ratio = platform / max(django, 1e-9)
                    print(f"  {mode}, {connections} connections: platform / Django throughput = {ratio:.2f}x")
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=30)
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
