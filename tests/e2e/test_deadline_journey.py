"""Deadline day in a browser (issue 16): an applicant types, is warned before leaving with
unsaved changes, the session expires (the server's clock moved), the save is kept and found
again after logging in; a phone (390 px) gets 44 px tap targets and a compact section list.
Screenshots of the queue, review, section and confirmation pages at 1366 and 390 px are kept in
test-artifacts/ for a person to look at."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from test_applicant_journey import UNIT, add_permitted_unit, fill_every_section, new_declaration, register_and_agree
from test_review_chain_journey import login

from runtime.demo.seed import DEMO_PASSWORD, demo_data, seed_demo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
import crowd

# where failing steps' screenshots go too (tests/e2e/conftest.py)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TYPED = "主持完成馆藏档案数字化"
LATER = "并编写利用指南"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"deadline-{name}.png"), full_page=True)


def test_typed_text_survives_leaving_and_an_expired_session_and_is_submitted(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    add_permitted_unit(live_server)
    base = live_server.url
    svc = live_server.services
    register_and_agree(
        page, base, login="zhaoliu2026", id_number="371002199001011237", name="赵六", password="Haiyang!2026"
    )
    declaration_id = new_declaration(page)
    fill_every_section(page, base, declaration_id, UNIT, tmp_path)
    section_url = f"{base}/declarations/{declaration_id}/sections/performance"
    page.goto(section_url)
    assert page.get_attribute("#section-form", "data-autosave") is not None

    # leaving with unsaved changes asks first (beforeunload); staying keeps the text
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.click("#achievements_text")
    page.keyboard.press("Control+End")  # after what the section already holds
    page.keyboard.type(TYPED)
    page.click(".section-nav a >> nth=0", no_wait_after=True)
    page.wait_for_timeout(500)
    assert "beforeunload" in dialogs
    assert page.url == section_url and TYPED in page.input_value("#achievements_text")

    # the session times out while the applicant is still typing; 保存 keeps what was posted
    svc.clock.advance(minutes=svc.policy("session_idle_minutes") + 5)
    page.keyboard.type(LATER)
    page.click("#save")
    page.wait_for_url(f"{base}/login?lapsed=1")
    assert svc.bundle.text("lapsed_kept") in page.content()

    # logging in again leads straight back to the section, with the text
    login(page, base, "zhaoliu2026", "Haiyang!2026")
    page.wait_for_selector("#achievements_text")
    assert page.url == section_url
    assert page.input_value("#achievements_text").endswith(TYPED + LATER)
    assert svc.bundle.text("lapsed_restored") in page.content()
    page.click("#save")
    page.wait_for_load_state()
    stored = svc.storage.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'performance'", (declaration_id,)
    )
    assert TYPED + LATER in stored["data"]

    # submitting goes through the confirmation page: to whom, and what; then it is read-only
    page.goto(f"{base}/declarations/{declaration_id}")
    page.click("#submit-declaration")
    page.wait_for_selector("#confirm-receiver")
    assert UNIT in (page.text_content("#confirm-receiver") or "")
    before = svc.storage.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"]
    page.click("#confirm-submit-button")
    page.wait_for_selector("#declaration-state")
    submit = next(t for t in svc.bundle.workflow["declaration"]["transitions"] if t["id"] == "submit")
    after = svc.storage.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"]
    assert before in submit["from"] and after == submit["to"]
    submitted = svc.storage.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'performance'", (declaration_id,)
    )
    assert TYPED + LATER in submitted["data"]


def test_a_phone_gets_44_pixel_tap_targets_and_a_compact_section_list(live_server: Any, browser: Any) -> None:
    add_permitted_unit(live_server)
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1)
    page = phone.new_page()
    page.set_default_timeout(15000)
    register_and_agree(
        page, base, login="sunqi2026", id_number="371002199001011237", name="孙七", password="Haiyang!2026"
    )
    declaration_id = new_declaration(page)
    page.goto(f"{base}/declarations/{declaration_id}/sections/header")
    _shot(page, "section-390")
    targets = page.query_selector_all(".section-nav a, #save, .toolbar a, .upload-form button, header.top a")
    assert targets
    for target in targets:
        box = target.bounding_box()
        if box is not None:  # not hidden
            assert box["height"] >= 44, (target.text_content(), box)
    nav = page.query_selector(".section-nav")
    assert nav is not None
    assert page.evaluate("getComputedStyle(document.querySelector('.section-nav')).display") == "grid"
    phone.close()


def _no_sideways_scroll(page: Any, width: int) -> None:
    """The page itself never scrolls sideways: wide tables scroll inside their own box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_the_queue_review_section_and_confirmation_pages_fit_1366_and_390_pixels(
    live_server: Any, browser: Any
) -> None:
    """Screenshots for a person to look at (test-artifacts/deadline-*.png); what a test can
    check is that no page scrolls sideways and the controls stay visible."""
    svc = live_server.services
    base = live_server.url
    seed_demo(svc)
    unit = svc.storage.one("SELECT id FROM organisations WHERE name = ?", (demo_data()["declaring_unit"],))
    crowd.declare_many(svc, unit["id"], 12, prefix="shot")
    draft = crowd.declare_many(svc, unit["id"], 1, prefix="draft", submit=False)[0]
    reviewer = svc.storage.one(
        "SELECT login_name FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (unit["id"],)
    )
    held = svc.storage.one(
        "SELECT id FROM declarations WHERE holder_org_id = ? ORDER BY updated_at DESC LIMIT 1", (unit["id"],)
    )
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        login(page, base, reviewer["login_name"], DEMO_PASSWORD)
        page.goto(f"{base}/review")
        assert page.query_selector("#review-queue .unit-name") is not None
        assert page.is_visible("#bulk-actions button") and page.is_visible("#queue-export")
        _no_sideways_scroll(page, width)
        _shot(page, f"queue-{width}")
        page.goto(f"{base}/review/{held['id']}")
        assert page.query_selector("#applicant-facts") is not None
        _no_sideways_scroll(page, width)
        _shot(page, f"review-{width}")
        context.close()

        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        login(page, base, draft.login, crowd.PASSWORD)
        page.goto(f"{base}/declarations/{draft.declaration_id}/sections/work_experience")
        assert page.is_visible("#save")
        _no_sideways_scroll(page, width)
        _shot(page, f"section-{width}")
        page.goto(f"{base}/declarations/{draft.declaration_id}/submit")
        assert page.is_visible("#confirm-submit-button")
        _no_sideways_scroll(page, width)
        _shot(page, f"confirm-{width}")
        context.close()
