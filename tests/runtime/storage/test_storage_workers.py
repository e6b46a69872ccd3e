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

PORTS = range(8140, 8150)  # this test's port range on 127.0.0.1


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8140-8149")


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
