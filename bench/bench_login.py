"""Login under attack (issue 13): throughput and the latency of a normal login during a storm.

    .venv/bin/python bench/bench_login.py [--baseline REF] [--logins N] [--storm N]

Starts two real servers on loopback only (ports 8130 and 8131, --dev so the benchmark can
read its captchas): this tree, and the tree of REF (default: the commit before the first
issue-13 hardening commit, "today's path" of the audit), each on its own temporary data
directory. For each it prints, asserting nothing:

1. login throughput: N complete logins (GET captcha + POST login) one after another, and
   with four clients at once;
2. a normal login's p50/p99 and how many were refused, alone and while another address
   (127.0.0.2) sends a storm of N POST /api/v1/login with bogus captchas (16 at a time,
   bounded), and again with the storm from the user's own address (a shared NAT or proxy:
   the audit's finding 2, where the storm made every login from that address 429).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Weihai#2026x"
PERSON = {
    "login_name": "benchuser",
    "name": "测试",
    "sex": "男",
    "ethnicity": "汉族",
    "birth_date": "1990-01-01",
    "mobile": "13805310001",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def _id_number() -> str:
    body = "37100219900101123"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def baseline_ref() -> str:
    first = subprocess.run(
        ["git", "log", "--reverse", "--format=%H", "--grep=(issue 13"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not first:
        raise SystemExit("no issue-13 commit found; pass --baseline REF")
    return first[0] + "^"


def export(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Server:
    def __init__(self, tree: Path, port: int, data: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runtime",
                "serve",
                "--dev",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(data),
            ],
            cwd=tree,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/contacts", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit(f"server in {tree} did not start")
        created = httpx.post(self.url + "/api/v1/persons", json={**PERSON, "id_number": _id_number()}, timeout=30)
        if created.status_code != 201:
            raise SystemExit(f"could not register the benchmark user: {created.text}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def login(client: httpx.Client, url: str) -> tuple[int, float]:
    start = time.perf_counter()
    captcha = client.get(url + "/api/v1/captcha").json()
    response = client.post(
        url + "/api/v1/login",
        json={
            "account": "benchuser",
            "password": PASSWORD,
            "captcha_id": captcha["captcha_id"],
            "captcha_answer": captcha["answer"],
        },
    )
    return response.status_code, time.perf_counter() - start


def throughput(url: str, logins: int, clients: int) -> float:
    def one(_: int) -> None:
        with httpx.Client(timeout=60) as client:
            login(client, url)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(logins)))
    return logins / (time.perf_counter() - start)


def normal_logins(url: str, logins: int, storm: int, attacker_address: str = "127.0.0.2") -> dict[str, Any]:
    stop = threading.Event()
    sent = [0]

    def attacker() -> None:
        transport = httpx.HTTPTransport(local_address=attacker_address)
        with httpx.Client(transport=transport, timeout=60) as client:
            while not stop.is_set() and sent[0] < storm:
                sent[0] += 1
                client.post(
                    url + "/api/v1/login",
                    json={
                        "account": "benchuser",
                        "password": "x",
                        "captcha_id": f"bogus{sent[0]}",
                        "captcha_answer": "A",
                    },
                )

    storms = [threading.Thread(target=attacker) for _ in range(16 if storm else 0)]
    for thread in storms:
        thread.start()
    results = []
    with httpx.Client(timeout=60) as client:
        for _ in range(logins):
            results.append(login(client, url))
    stop.set()
    for thread in storms:
        thread.join()
    times = sorted(t for _, t in results)
    return {
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "refused": sum(1 for status, _ in results if status != 200),
        "storm_sent": sent[0],
    }


def measure(name: str, tree: Path, port: int, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data:
        server = Server(tree, port, Path(data))
        try:
            return {
                "name": name,
                "seq": throughput(server.url, args.logins, 1),
                "par": throughput(server.url, args.logins, 4),
                "quiet": normal_logins(server.url, args.normal, 0),
                "storm": normal_logins(server.url, args.normal, args.storm),
                "shared": normal_logins(server.url, args.normal, args.storm, "127.0.0.1"),
            }
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref of today's path (default: before issue 13)")
    parser.add_argument("--logins", type=int, default=60, help="logins per throughput run")
    parser.add_argument("--normal", type=int, default=40, help="normal logins measured per phase")
    parser.add_argument("--storm", type=int, default=2000, help="bogus requests from the other address")
    args = parser.parse_args()
    ref = args.baseline or baseline_ref()
    with tempfile.TemporaryDirectory() as old_tree:
        old = measure(f"baseline {ref}", export(ref, Path(old_tree)), 8131, args)
    new = measure("this tree", ROOT, 8130, args)
    print(f"{'':<28}{'baseline':>12}{'this tree':>12}{'ratio':>8}")
    for label, key in (("logins/s, one client", "seq"), ("logins/s, four clients", "par")):
        print(f"{label:<28}{old[key]:>12.1f}{new[key]:>12.1f}{new[key] / old[key]:>8.2f}")
    for phase in ("quiet", "storm", "shared"):
        for stat in ("p50", "p99"):
            a, b = old[phase][stat] * 1000, new[phase][stat] * 1000
            print(f"{'normal login ' + stat + ' ms, ' + phase:<28}{a:>12.0f}{b:>12.0f}{b / a:>8.2f}")
        print(f"{'refused logins, ' + phase:<28}{old[phase]['refused']:>12}{new[phase]['refused']:>12}")
    print(f"storm requests sent: baseline {old['storm']['storm_sent']}, this tree {new['storm']['storm_sent']}")


if __name__ == "__main__":
    main()
