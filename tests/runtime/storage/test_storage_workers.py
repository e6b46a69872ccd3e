"""Every core busy: `serve --workers N` and several app servers share one database, and nothing one
process holds is needed by another (issue 14): a captcha from one server solves a login on
another, and the token or session cookie it gives works on the first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from runtime_support import PASSWORD, ROOT, person_doc


def free_port() -> int:
    """A port nobody listens on, chosen by the kernel: two tests starting servers at once (or a
    benchmark on its usual ports) never get the same one, as they did probing 8140-8149."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(data_dir: Path, database: str | None, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    argv = [sys.executable, "-m", "runtime", "--build", str(ROOT / "build"), "serve", "--dev"]
    argv += ["--port", str(port), "--data-dir", str(data_dir), "--workers", str(workers)]
    if database:
        argv += ["--database", database]
    process = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ}, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/captcha", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}")
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("serve did not answer in time")


@pytest.fixture
def two_servers(tmp_path: Path, database: str | None) -> Iterator[tuple[str, str]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        first, a = start(tmp_path / "data", database, workers=2)
        started.append(first)
        second, b = start(tmp_path / "data", database, workers=1)
        started.append(second)
        yield a, b
    finally:
        for process in started:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)


def test_a_login_on_one_server_process_works_on_another(two_servers: tuple[str, str]) -> None:
    a, b = (httpx.Client(base_url=url, timeout=30) for url in two_servers)
    doc = person_doc(1)
    assert a.post("/api/v1/persons", json=doc).status_code == 201
    challenge = a.get("/api/v1/captcha").json()  # captcha made by one server ...
    logged = b.post(  # ... solved on the other
        "/api/v1/login",
        json={
            "account": doc["login_name"],
            "password": PASSWORD,
            "captcha_id": challenge["captcha_id"],
            "captcha_answer": challenge["answer"],
        },
    )
    assert logged.status_code == 200, logged.text
    token = {"Authorization": f"Bearer {logged.json()['token']}"}
    for client in (a, b, a, b):  # a new connection may land on either worker of `a`
        with httpx.Client(base_url=str(client.base_url), timeout=30) as fresh:
            assert fresh.get("/api/v1/me", headers=token).status_code == 200
    assert a.get("/api/v1/me").status_code == 401  # and no one else is logged in


def test_workers_refuse_a_login_whose_captcha_was_already_used_on_another(two_servers: tuple[str, str]) -> None:
    a, b = (httpx.Client(base_url=url, timeout=30) for url in two_servers)
    doc = person_doc(2)
    assert a.post("/api/v1/persons", json=doc).status_code == 201
    challenge = a.get("/api/v1/captcha").json()
    body = {
        "account": doc["login_name"],
        "password": PASSWORD,
        "captcha_id": challenge["captcha_id"],
        "captcha_answer": challenge["answer"],
    }
    assert b.post("/api/v1/login", json=body).status_code == 200
    assert a.post("/api/v1/login", json=body).status_code != 200  # used once, on any server


def established(port: int) -> set[str]:
    """Socket inodes of the server's side of established TCP connections on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
                found.add(fields[9])
    return found


def held_by(pid: int, inodes: set[str]) -> int:
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_a_burst_of_connections_is_split_between_the_workers_at_once(tmp_path: Path) -> None:
    process, base = start(tmp_path / "data", None, workers=2)
    opened: list[socket.socket] = []
    try:
        port = int(base.rsplit(":", 1)[1])
        workers = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _parent(p) == process.pid and b"spawn_main" in _command(p)
        ]  # uvicorn's worker processes (not multiprocessing's resource tracker)
        assert len(workers) == 2, workers
        request = f"GET /api/v1/captcha HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        warm_up(port, request, workers)
        before = accepted(workers)
        opened = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for client in opened:  # each connection answered, and kept open
            client.sendall(request)
        for client in opened:
            client.settimeout(30)
            assert client.recv(12).startswith(b"HTTP/1.1 200")
        after = accepted(workers)
        inodes = established(port)
        held = {pid: held_by(pid, inodes) for pid in workers}
        assert held == {pid: after[pid] - before[pid] for pid in workers}, (before, after, held)  # counted right
        assert sum(held.values()) == 20
        assert abs(after[workers[0]] - after[workers[1]]) <= 1, (before, after)  # level again after the burst
    finally:
        for client in opened:
            client.close()
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def warm_up(port: int, request: bytes, workers: list[int]) -> None:
    """Until each worker has answered a request: a worker's first answer (imports, compiled
    templates) can hold its loop long enough on a loaded machine that the other, having waited
    its patience, takes the burst alone, as it is meant to do for a process that is stuck."""
    for _ in range(50):
        if min(accepted(workers).values()) >= 1:
            return
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(request)
            client.settimeout(30)
            assert client.recv(12).startswith(b"HTTP/1.1 200")
    raise AssertionError(f"a worker never answered: {accepted(workers)}")


def accepted(workers: list[int]) -> dict[int, int]:
    """Each worker's count of accepted connections in the shared file, once both serve (the
    first may answer while the second still loads its app; a worker claims its slot, a locked
    8-byte range, when it starts accepting)."""
    settings = dict(
        item.split(b"=", 1) for item in Path(f"/proc/{workers[0]}/environ").read_bytes().split(b"\0") if b"=" in item
    )
    path = Path(settings[b"ZHICHENG_CONNECTION_SHARES"].decode())
    inode = path.stat().st_ino
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        slots = {
            int(fields[4]): int(fields[6]) // 8
            for fields in (line.split() for line in Path("/proc/locks").read_text().splitlines())
            if len(fields) > 6 and fields[5].endswith(f":{inode}")
        }
        if set(workers) <= set(slots):
            counts = path.read_bytes()
            return {pid: int.from_bytes(counts[slots[pid] * 8 : slots[pid] * 8 + 8], sys.byteorder) for pid in workers}
        time.sleep(0.1)
    raise AssertionError("the workers did not start serving")


def _command(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1
