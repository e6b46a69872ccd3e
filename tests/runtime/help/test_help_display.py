"""The larger-text mode (适老化): a link on every page turns it on and off, kept in a cookie; it
only ever sends the reader back to a page of this site."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from runtime.help.display import safe_next


def test_the_larger_text_link_turns_the_mode_on_and_off(client: TestClient) -> None:
    assert 'class="large-text"' not in client.get("/help").text
    on = client.get("/display/text-size", params={"large": "1", "next": "/help"}, follow_redirects=False)
    assert on.status_code == 303 and on.headers["location"] == "/help"
    page = client.get("/help").text
    assert '<html lang="zh-CN" class="large-text">' in page
    assert 'href="/display/text-size?large=0&amp;next=/help"' in page
    client.get("/display/text-size", params={"large": "0", "next": "/help"})
    assert 'class="large-text"' not in client.get("/help").text


def test_the_larger_text_link_never_leads_to_another_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "evil"):
        response = client.get("/display/text-size", params={"large": "1", "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


@given(st.text(max_size=400))
def test_a_return_target_is_always_a_path_of_this_site(target: str) -> None:
    found = safe_next(target)
    assert found.startswith("/") and not found.startswith("//") and "\\" not in found
