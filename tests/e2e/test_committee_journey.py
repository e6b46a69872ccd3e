"""The committee stage in a browser (COM-1..5, PUB-2): the office passes the reported demo
declaration, sets up a session and draws its experts (seed shown), an expert opens the assigned
declaration, records an opinion and votes in secret, the office opens and closes the vote and
records the result; the public page lists it, an anonymous objection is refused, a real-name
one is dismissed with a reason, and the result becomes final with a certificate that the
office revokes and /verify then reports as revoked. The other experts' ballots go through the
same service the ballot page calls: one browser per expert would say nothing more."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from runtime_support import message
from test_review_chain_journey import login, take_step

from runtime.committee import votes, workdays
from runtime.demo.seed import DEMO_PASSWORD, seed_demo
from runtime.storage.rows import account_row


def fraction(text: str) -> Fraction:
    top, bottom = text.split("/")
    return Fraction(int(top), int(bottom))


def test_a_session_draws_experts_votes_publishes_the_result_and_it_becomes_final(
    live_server: Any, browser: Any
) -> None:
    seed_demo(live_server.services)
    svc = live_server.services
    base = live_server.url
    held = svc.storage.one(
        "SELECT d.id, d.series, d.level, d.holder_org_id, a.name FROM declarations d"
        " JOIN accounts a ON a.id = d.person_id JOIN session_declarations x ON x.declaration_id = d.id LIMIT 1"
    )
    office_login = svc.storage.one(
        "SELECT login_name FROM accounts WHERE org_id = ? AND role = ? ORDER BY created_at LIMIT 1",
        (held["holder_org_id"], svc.bundle.committee["experts"]["by"][0]),
    )["login_name"]
    office = browser.new_context(locale="zh-CN").new_page()
    login(office, base, office_login)
    take_step(office, base, held["id"], "pass")

    # COM-2: a new session with the declaration, the policy's minimum of experts, drawn with its seed
    count = int(svc.bundle.committee["experts"]["session_minimum"][held["level"]])
    office.goto(f"{base}/review-sessions")
    office.select_option("#series", held["series"])
    office.select_option("#level", held["level"])
    office.fill("#expert_count", str(count))
    office.check(f"#session-candidates input[value='{held['id']}']")
    office.click("#session-create")
    office.wait_for_selector("#session-draw")
    session_id = office.url.rsplit("/", 1)[-1]
    office.click("#session-draw")
    office.wait_for_selector("#session-seed")
    seed = svc.storage.one("SELECT seed FROM review_sessions WHERE id = ?", (session_id,))["seed"]
    assert office.text_content("#session-seed") == seed
    drawn = [
        r["expert_id"]
        for r in svc.storage.all(
            "SELECT expert_id FROM session_experts WHERE session_id = ? ORDER BY position", (session_id,)
        )
    ]
    assert len(drawn) == count

    # COM-3: the office gives a drawn expert without a login one; the expert sees its declaration
    with_login = {r["expert_id"] for r in svc.storage.all("SELECT expert_id FROM expert_accounts")}
    drawn.sort(key=lambda e: e in with_login)  # those without a login first
    expert_login = "journey_expert"
    if drawn[0] in with_login:  # the demo gave every drawn one a login already (its password is the demo's)
        expert_login = svc.storage.one(
            "SELECT a.login_name FROM accounts a JOIN expert_accounts x ON x.account_id = a.id WHERE x.expert_id = ?",
            (drawn[0],),
        )["login_name"]
    else:
        office.goto(f"{base}/experts")
        office.fill(f"#expert-{drawn[0]} input[name=login_name]", expert_login)
        office.fill(f"#expert-{drawn[0]} input[name=password]", DEMO_PASSWORD)
        office.click(f"#expert-{drawn[0]} .account-form button")
        office.wait_for_load_state()
    expert = browser.new_context(locale="zh-CN").new_page()
    login(expert, base, expert_login)
    assert expert.url.endswith("/expert")
    assert held["name"] in (expert.text_content("#assigned") or "")
    expert.click(f"#assigned-{held['id']} a")
    expert.fill("#opinion-text", "材料真实完整,业绩符合条件")
    if expert.query_selector("#opinion-score"):
        expert.fill("#opinion-score", str(svc.bundle.committee["opinions"]["score"]["max"]))
    expert.click("#opinion-save")
    expert.wait_for_load_state()
    assert expert.query_selector("#expert-error") is None

    # COM-4: attendance at the quorum; the vote opens; the expert votes in secret
    spec = svc.bundle.committee["vote"]
    attending = drawn[: math.ceil(fraction(spec["quorum"]) * count)]
    office.goto(f"{base}/review-sessions/{session_id}")
    for expert_id in drawn[len(attending) :]:
        office.uncheck(f"#attendance-form input[value='{expert_id}']")
    office.click("#vote-open")
    office.wait_for_selector("#tallies")
    expert.goto(f"{base}/expert/declarations/{held['id']}")
    expert.check(f"#ballot-form input[value='{spec['agree']}']")
    expert.click("#ballot-submit")
    expert.wait_for_selector("#ballot-done")
    needed = math.ceil(fraction(spec["threshold"]) * len(attending))
    office_account = account_row(svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (office_login,)))
    for i, expert_id in enumerate(attending[1:needed], start=1):
        linked = svc.storage.one("SELECT account_id FROM expert_accounts WHERE expert_id = ?", (expert_id,))
        if linked is None:
            linked = votes.create_account(svc, office_account, expert_id, f"journey_expert{i:02d}", DEMO_PASSWORD)
        voter = account_row(svc.storage.one("SELECT * FROM accounts WHERE id = ?", (linked["account_id"],)))
        votes.cast(svc, voter, session_id, held["id"], spec["agree"])
    office.goto(f"{base}/review-sessions/{session_id}")
    result = f"#tally-{held['id']} td:last-child"
    assert office.text_content(result) == svc.bundle.text("vote_pending")  # no result while the vote is open
    office.click("#vote-close")
    office.wait_for_selector("#vote-closed")
    assert office.text_content(result) == svc.bundle.text("vote_passed")
    assert "材料真实完整" in (office.text_content("#opinions-table") or "")

    # REV-3, PUB-2: the result is recorded and published; the public page lists it
    take_step(office, base, held["id"], "record_pass")
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/results-publicity")
    assert held["name"] in (public.text_content("#results-publicity") or "")
    public.click(f"#result-{held['id']} a")
    public.fill("#objection-text", "请核实其论文是否为本人撰写")
    public.fill("#name", "王异议")
    public.fill("#contact", "13900001111")
    public.click("#objection-submit")  # neither ID number nor unit: not real-name, refused by the server
    public.wait_for_selector("#objection-error")
    assert svc.bundle.text("objection_anonymous") in (public.text_content("#objection-error") or "")
    public.fill("#unit", "威海市某单位")
    public.click("#objection-submit")
    public.wait_for_selector("#results-publicity")

    # the office dismisses it with a reason; after the working days the result is final
    office.goto(f"{base}/result-objections")
    assert "王异议" in (office.text_content("#result-objections") or "")
    office.check("#result-objections input[value=dismissed]")
    office.fill("#result-objections textarea", "经核实,论文为本人撰写")
    office.click("#result-objections button[type=submit]")
    office.wait_for_load_state()
    assert message("objection_label_dismissed") in (office.text_content("#result-objections") or "")
    step = next(t for t in svc.bundle.workflow["declaration"]["transitions"] if t["id"] == "confirm_pass")
    days = max(int(g.split(":")[1]) for g in step["guards"] if g.startswith("working_days:"))
    svc.clock.advance(days=(workdays.add(svc, svc.clock.today(), days) - svc.clock.today()).days)
    login(office, base, office_login)
    take_step(office, base, held["id"], "confirm_pass")
    office.goto(f"{base}/review/{held['id']}")
    certificate_no = office.text_content("#certificate-no") or ""
    assert certificate_no

    # COM-5: revoked, /verify says so
    office.goto(f"{base}/certificates")
    office.fill(f"#reason-{certificate_no}", "查实提供虚假材料")
    office.click(f"#certificate-{certificate_no} button[type=submit]")
    office.wait_for_load_state()
    public.goto(f"{base}/verify/{certificate_no}")
    assert "撤销" in (public.text_content("#verify-result") or "")
