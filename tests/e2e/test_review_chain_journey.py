"""The whole chain in a browser: an applicant submits, the unit returns it with a comment, the
applicant fixes and resubmits, the unit passes and reports it, the committee office passes it,
the applicant downloads the certificate and the public verify page confirms it (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime_support import valid_declaration
from test_applicant_journey import fill_every_section, new_declaration, register_and_agree, state_after

from runtime.committee import workdays
from runtime.demo.seed import DEMO_PASSWORD, seed_demo

UNIT = "威海市示范科技有限公司"  # city-level, no supervising department: unit → 威海市档案局 for 档案 × 中级


def login(page: Any, base: str, account: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#account", account)
    page.fill("#password", password)
    page.fill("#captcha_answer", page.get_attribute("#captcha-dev-answer", "data-answer") or "")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def take_step(
    page: Any, base: str, declaration_id: str, step: str, comment: str = "", sections: tuple[str, ...] = ()
) -> None:
    page.goto(f"{base}/review/{declaration_id}")
    for section in sections:
        page.check(f"#step-{step} input[value={section}]")
    if comment:
        page.fill(f"#comment-{step}", comment)
    page.click(f"#step-{step} button[type=submit]")
    page.wait_for_load_state()
    assert page.query_selector("#review-error") is None, page.text_content("#review-error")


def test_a_declaration_travels_the_whole_chain_to_a_certificate(live_server: Any, browser: Any, tmp_path: Path) -> None:
    seed_demo(live_server.services)
    base = live_server.url
    unit_login = live_server.services.storage.one(
        "SELECT a.login_name FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.name = ?", (UNIT,)
    )["login_name"]
    applicant = browser.new_context(locale="zh-CN").new_page()
    unit = browser.new_context(locale="zh-CN").new_page()
    committee = browser.new_context(locale="zh-CN").new_page()

    register_and_agree(
        applicant, base, login="qianjiu", id_number="360426199101010071", name="钱九", password="Haiyang!2026"
    )
    declaration_id = new_declaration(applicant)
    fill_every_section(applicant, base, declaration_id, UNIT, tmp_path)
    applicant.goto(f"{base}/declarations/{declaration_id}")
    applicant.click("#submit-declaration")
    applicant.click("#confirm-submit-button")  # the confirmation page: what is sent, to whom (issue 16)
    applicant.wait_for_selector("#declaration-state")
    assert applicant.text_content("#declaration-state") == state_after("submit")

    # the unit finds it in its queue and returns it with a comment, reopening only the header (REV-1, REV-5)
    login(unit, base, unit_login)
    unit.goto(f"{base}/review")
    assert "钱九" in (unit.content())
    take_step(unit, base, declaration_id, "return", comment="单位推荐排序应为2/5,请修改", sections=("header",))

    # the applicant sees the comment, fixes the header and resubmits
    applicant.goto(f"{base}/declarations")
    assert "单位推荐排序应为2/5,请修改" in (applicant.text_content("#my-declarations") or "")
    applicant.goto(f"{base}/declarations/{declaration_id}/sections/education")
    assert applicant.query_selector("#save") is None  # not reopened: read-only
    applicant.goto(f"{base}/declarations/{declaration_id}/sections/header")
    applicant.fill("#rank", "2/5")
    applicant.click("#save")
    applicant.wait_for_load_state()
    applicant.goto(f"{base}/declarations/{declaration_id}")
    applicant.click("#submit-declaration")
    applicant.click("#confirm-submit-button")  # the confirmation page: what is sent, to whom (issue 16)
    applicant.wait_for_selector("#declaration-state")
    assert applicant.text_content("#declaration-state") == state_after("submit")

    # the unit passes it and reports it up the approved path (REV-2)
    take_step(unit, base, declaration_id, "pass")
    header = valid_declaration("")["header"]  # what fill_every_section declared
    unit.goto(f"{base}/reports?series={header['series']}&level={header['level']}")
    unit.check(f"#report-form input[value='{declaration_id}']")
    unit.click("#report-submit")
    unit.wait_for_load_state()

    # the committee office (the last organisation of the chain) reviews it and records 通过 (REV-3)
    login(committee, base, "weihai_archives")
    take_step(committee, base, declaration_id, "pass")
    take_step(committee, base, declaration_id, "record_pass")
    # the result is published (PUB-2) and confirmed once its working days are over (COM-5)
    svc = live_server.services
    step = next(t for t in svc.bundle.workflow["declaration"]["transitions"] if t["id"] == "confirm_pass")
    days = max(int(g.split(":")[1]) for g in step["guards"] if g.startswith("working_days:"))
    svc.clock.advance(days=(workdays.add(svc, svc.clock.today(), days) - svc.clock.today()).days)
    login(committee, base, "weihai_archives")
    take_step(committee, base, declaration_id, "confirm_pass")
    login(applicant, base, "qianjiu", "Haiyang!2026")
    committee.goto(f"{base}/review/{declaration_id}")
    certificate_no = committee.text_content("#certificate-no") or ""
    assert certificate_no
    history = committee.text_content("#history") or ""
    assert history.count("退回") >= 1 and "上报" in history

    # the applicant downloads the certificate (CERT-1) and the public page confirms it
    applicant.goto(f"{base}/declarations")
    link = applicant.get_attribute("#my-declarations a[href$='certificate.pdf']", "href")
    assert link
    response = applicant.request.get(f"{base}{link}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    verify = browser.new_context(locale="zh-CN").new_page()
    verify.goto(f"{base}/verify/{certificate_no}")
    assert "钱九" in verify.content()
    verify.goto(f"{base}/verify/2026999999")
    assert "钱九" not in verify.content()
