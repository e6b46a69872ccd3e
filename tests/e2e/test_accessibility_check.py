"""The axe-core check itself (accessibility.py): it fails a page with an unlabelled input — a
serious or critical violation — and passes the app's own login page at both widths."""

from __future__ import annotations

from typing import Any

from accessibility import audit

MISSING_LABEL = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>缺少标签</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>缺少标签的表单</h1>
<form method="post"><input name="mobile"><button type="submit">保存</button></form></main></body></html>"""


def test_a_page_with_an_unlabelled_input_fails_the_check(live_server: Any, browser: Any) -> None:
    problems = audit(browser.inner, [(f"{live_server.url}/a11y-missing-label", MISSING_LABEL)])
    assert any(" label " in p or ": label (" in p for p in problems), problems
    assert {p.split("px", 1)[0] for p in problems} == {"1366", "390"}


def test_the_login_page_passes_the_check(live_server: Any, browser: Any) -> None:
    context = browser.inner.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    html = page.content()
    context.close()
    assert audit(browser.inner, [(f"{live_server.url}/login", html)]) == []
