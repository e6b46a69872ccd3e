"""Notifications in a browser (issue 17): a unit reviewer returns a declaration; the applicant's
SMS is in the outbox and the page shows an unread message naming the comment; the applicant
fixes and resubmits; the unit gets its message."""

from __future__ import annotations

import time
from typing import Any

from test_review_chain_journey import UNIT, login, take_step

from runtime.demo.seed import seed_demo

APPLICANT = "lisi"  # the demo declaration waiting at the unit (runtime/demo/declarations.py)
MOBILE = "13805310999"
COMMENT = "现从事专业与申报职称不一致,请核对后重新提交"


def sms_to(services: Any, mobile: str, needle: str) -> list[str]:
    """The dev gateway's SMS to `mobile` holding `needle`; they leave just after the response."""
    deadline = time.monotonic() + 10
    while True:
        rows = services.storage.all("SELECT text FROM outbox WHERE mobile = ? ORDER BY id", (mobile,))
        found = [r["text"] for r in rows if needle in r["text"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_return_reaches_the_applicant_by_sms_and_message_and_the_resubmission_reaches_the_unit(
    live_server: Any, browser: Any
) -> None:
    services = live_server.services
    seed_demo(services)
    base = live_server.url
    declaration_id = services.storage.one(
        "SELECT d.id FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE a.login_name = ?", (APPLICANT,)
    )["id"]
    unit_login = services.storage.one(
        "SELECT a.login_name FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.name = ?", (UNIT,)
    )["login_name"]
    applicant = browser.new_context(locale="zh-CN").new_page()
    unit = browser.new_context(locale="zh-CN").new_page()

    # the applicant keeps the phone reachable (basic info, REG-7)
    login(applicant, base, APPLICANT)
    applicant.goto(f"{base}/me")
    applicant.fill("#mobile", MOBILE)
    applicant.click("form[action='/me'] button[type=submit]")
    applicant.wait_for_load_state()

    # the unit's reviewer returns it with a comment, reopening the header (REV-1, REV-5)
    login(unit, base, unit_login)
    unit.goto(f"{base}/messages")
    unit.click("form[action='/messages/read'] button[type=submit]")  # a clean slate after the demo's seeding
    unit.wait_for_load_state()
    take_step(unit, base, declaration_id, "return", comment=COMMENT, sections=("header",))
    assert sms_to(services, MOBILE, COMMENT), "no SMS naming the comment in the outbox"

    # the applicant's pages show an unread message naming the comment
    applicant.goto(f"{base}/declarations")
    assert COMMENT in (applicant.text_content("#unread-strip") or "")
    assert applicant.query_selector("#messages-link .badge") is not None
    applicant.click("#messages-link")
    applicant.wait_for_load_state()
    assert COMMENT in (applicant.text_content("#message-list .unread") or "")

    # the applicant fixes the header and submits again
    applicant.goto(f"{base}/declarations/{declaration_id}/sections/header")
    applicant.fill("#rank", "1/1")
    applicant.click("#save")
    applicant.wait_for_load_state()
    applicant.goto(f"{base}/declarations/{declaration_id}")
    applicant.click("#submit-declaration")
    applicant.click("#confirm-submit-button")  # the confirmation page (issue 16)
    applicant.wait_for_selector("#declaration-state")
    assert (
        applicant.text_content("#declaration-state")
        == services.bundle.workflow["declaration"]["states"]["submitted"]["title"]
    )

    # the unit gets its message about the declaration arriving again
    unit.goto(f"{base}/review")
    assert unit.query_selector("#messages-link .badge") is not None
    unit.click("#messages-link")
    unit.wait_for_load_state()
    arrived = unit.text_content("#message-list .unread") or ""
    applicant_name = services.storage.one("SELECT name FROM accounts WHERE login_name = ?", (APPLICANT,))["name"]
    assert applicant_name in arrived
