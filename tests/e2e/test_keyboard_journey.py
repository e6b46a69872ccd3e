"""Keyboard only (issue 17, GB/T 37668): the skip link comes first, every focused control shows a
visible focus ring, and a person logs in and reaches the FAQ without touching a mouse."""

from __future__ import annotations

from typing import Any

from runtime.demo.seed import DEMO_PASSWORD, seed_demo


def focused(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {id: e.id, tag: e.tagName, cls: e.className,
                           outline: parseFloat(s.outlineWidth) || 0, style: s.outlineStyle}; }"""
    )
    return found


def tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] >= 2 and now["style"] != "none", f"no visible focus on {now}"
        if now["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_a_person_logs_in_and_opens_the_faq_with_the_keyboard_alone(live_server: Any, page: Any) -> None:
    seed_demo(live_server.services)
    page.goto(f"{live_server.url}/help")
    page.keyboard.press("Tab")
    assert "skip-link" in focused(page)["cls"] and focused(page)["outline"] >= 2  # the first stop skips the header
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.goto(f"{live_server.url}/login")
    assert focused(page)["id"] == "account"  # the login page starts in its first field
    page.keyboard.type("zhangsan")
    tab_to(page, "password")
    page.keyboard.type(DEMO_PASSWORD)
    answer = page.get_attribute("#captcha-dev-answer", "data-answer") or ""
    tab_to(page, "captcha_answer")
    page.keyboard.type(answer)
    page.keyboard.press("Enter")
    page.wait_for_selector("#messages-link")  # logged in: the header shows 消息
    tab_to(page, "help-link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/help")
