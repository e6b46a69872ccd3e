"""Issue 13, finding 4: served behind an https proxy (`--proxy`), forms work, cookies are
Secure and HSTS is sent; plain http on a reachable address is warned about at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_support import ROOT, csrf_of, frozen_clock
from starlette.testclient import TestClient

from runtime.__main__ import deployment_warnings
from runtime.app import create_app


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=frozen_clock(), secure_cookies=True)
    with TestClient(app, base_url="http://portal.example.cn") as client:
        yield client
    app.state.services.storage.close()


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(ROOT / "build", tmp_path / "data", dev=True, clock=frozen_clock())
    with TestClient(app, base_url="http://portal.example.cn") as client:
        yield client
    app.state.services.storage.close()


def _post_from(client: TestClient, origin: str) -> int:
    """A form post as the browser sends it; the Secure CSRF cookie is passed by hand because the
    test talks plain http to the app, like the proxy does."""
    page = client.get("/register")
    cookie = page.headers.get("set-cookie", "").split(";", 1)[0] or f"csrf={client.cookies['csrf']}"
    data = {"csrf_token": csrf_of(page.text), "login_name": "x"}
    return client.post("/register", data=data, headers={"Origin": origin, "Cookie": cookie}).status_code


def test_a_form_posted_from_the_https_page_passes_the_origin_check_behind_the_proxy(
    behind_proxy: TestClient,
) -> None:
    assert _post_from(behind_proxy, "https://portal.example.cn") == 422  # validation, not CSRF
    assert _post_from(behind_proxy, "https://evil.example.cn") == 403


def test_without_the_proxy_setting_only_the_request_origin_passes(plain: TestClient) -> None:
    assert _post_from(plain, "http://portal.example.cn") == 422
    assert _post_from(plain, "https://evil.example.cn") == 403


def test_behind_the_proxy_every_answer_carries_hsts_and_cookies_are_secure(behind_proxy: TestClient) -> None:
    page = behind_proxy.get("/login")
    age = behind_proxy.app.state.services.policy("hsts_max_age_seconds")  # type: ignore[attr-defined]
    assert page.headers["strict-transport-security"].startswith(f"max-age={age}")
    assert "secure" in page.headers["set-cookie"].lower()
    assert "strict-transport-security" in behind_proxy.get("/api/v1/contacts").headers


def test_plain_http_sends_no_hsts(plain: TestClient) -> None:
    assert "strict-transport-security" not in plain.get("/login").headers


@pytest.mark.parametrize(
    ("host", "proxy", "warned"),
    [("0.0.0.0", False, True), ("10.1.2.3", False, True), ("0.0.0.0", True, False), ("127.0.0.1", False, False)],
)
def test_start_up_warns_about_plain_http_on_a_reachable_address(host: str, proxy: bool, warned: bool) -> None:
    found = deployment_warnings(host, proxy)
    assert bool(found) == warned
    if warned:
        assert host in found[0] and "--proxy" in found[0]
