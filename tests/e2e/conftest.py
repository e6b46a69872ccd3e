"""Browser journeys: the real app on a local port, driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright is given /usr/bin/chromium (make test
installs it). A screenshot of every failing step is kept in test-artifacts/.

A journey marked `both_backends` runs twice: on SQLite and on a PostgreSQL server this run starts
(tests/runtime/pg_server.py); the others run on SQLite only, to keep the browser tests' time.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from accessibility import Recorder, RecordingBrowser, audit

from runtime.app import create_app
from runtime.web.server_protocol import UVICORN_OPTIONS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "runtime"))

from pg_server import NoPostgres, PostgresServer  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, data_dir: Path, database: str | None = None) -> None:
        self.app = create_app(ROOT / "build", data_dir, dev=True, database=database)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the loop and HTTP protocol `serve` uses, so the browser meets what people meet
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", **UVICORN_OPTIONS)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def services(self) -> Any:
        return self.app.state.services

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: the journey runs on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "live_server" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_backends") is not None
        metafunc.parametrize("backend", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def e2e_postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except NoPostgres as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))  # CI must prove both backends
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def live_server(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    database = None
    if backend == "postgresql":
        database = request.getfixturevalue("e2e_postgres").schema_url()
    with LiveServer(tmp_path / "data", database) as server:
        yield server
    server.services.storage.close()


# Module scope: Playwright runs an event loop in this thread; it must be gone before
# other modules' tests start their own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `bash scripts/system-deps.sh browser`")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield RecordingBrowser(instance)
        instance.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(autouse=True)
def accessibility(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page a journey visited passes axe-core at 1366 and 390 px (accessibility.py). Asks
    for the server first, so the pages are replayed while it still serves their CSS."""
    if "browser" not in request.fixturenames and "page" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("live_server")
    browser: RecordingBrowser = request.getfixturevalue("browser")
    browser.recorder = Recorder()
    yield
    recorder, browser.recorder = browser.recorder, None
    call = getattr(request.node, "rep_call", None)
    if call is None or call.failed:
        return  # the journey failed already; its own failure says more
    problems = audit(browser.inner, list(recorder.pages.values()))
    assert not problems, "accessibility (axe-core) violations:\n" + "\n".join(problems)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
