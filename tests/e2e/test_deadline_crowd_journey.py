"""Deadline day for a unit with 200 declarations, in a browser (issue 16; REV-1, REV-2, REV-4):
the reviewer finds one applicant by ID number, ticks a whole page with select-all, passes them
in one action, reports them in one action, and the department's queue names the declaring
unit on every row. Each step is checked against the database, not only against the page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from test_review_chain_journey import login

from runtime.demo.seed import DEMO_PASSWORD, demo_data, seed_demo
from runtime.review import review, workflow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
import crowd

COUNT = 200


def _ticked(page: Any) -> list[str]:
    return [
        str(box.get_attribute("value"))
        for box in page.query_selector_all("#review-queue input[name=declaration_ids]")
        if box.is_checked()
    ]


def _shown(page: Any) -> list[str]:
    boxes = page.query_selector_all("#review-queue input[name=declaration_ids]")
    return [str(box.get_attribute("value")) for box in boxes]


def _select_page_and_take(page: Any, base: str, query: str, transition: str) -> list[str]:
    page.goto(f"{base}/review?{query}")
    page.check("#select-all")
    ticked = _ticked(page)
    assert ticked == _shown(page)  # select-all ticks every row of this page and nothing else
    page.click(f"#bulk-{transition}")
    page.wait_for_load_state()
    return ticked


def test_a_unit_passes_and_reports_a_page_of_its_200_declarations_in_two_actions(
    live_server: Any, browser: Any, page: Any
) -> None:
    svc = live_server.services
    base = live_server.url
    seed_demo(svc)
    unit = svc.storage.one("SELECT id, name FROM organisations WHERE name = ?", (demo_data()["declaring_unit"],))
    people = crowd.declare_many(svc, unit["id"], COUNT)
    reviewer = svc.storage.one(
        "SELECT login_name FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (unit["id"],)
    )
    login(page, base, reviewer["login_name"], DEMO_PASSWORD)

    # one applicant among 200, found by the ID number the database holds for her declaration
    wanted = people[137]
    stored = svc.storage.one(
        "SELECT a.id_number FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?",
        (wanted.declaration_id,),
    )
    page.goto(f"{base}/review")
    page.fill("#q", stored["id_number"])
    page.click("#review-filter button[type=submit]")
    page.wait_for_load_state()
    assert _shown(page) == [wanted.declaration_id]
    assert wanted.name in (page.text_content("#review-queue") or "")

    # a page of the queue is bounded: not all 200 at once
    page_size = int(svc.bundle.platform["lists"]["page_size"])
    expected = min(COUNT, page_size)

    # select-all on the first page of what is waiting, one 通过 for all of them
    waiting = workflow.transition(svc, review.PASS)
    assert waiting is not None
    passed = _select_page_and_take(page, base, f"state={waiting['from'][0]}&held=1", review.PASS)
    assert len(passed) == expected
    assert svc.bundle.text("bulk_summary", done=expected, failed=0) in page.content()
    for declaration_id in passed:
        row = svc.storage.one("SELECT state, holder_org_id FROM declarations WHERE id = ?", (declaration_id,))
        assert (row["state"], row["holder_org_id"]) == (waiting["to"], unit["id"])
        steps = svc.storage.all(
            "SELECT org_id FROM history WHERE declaration_id = ? AND transition = ?", (declaration_id, review.PASS)
        )
        assert [s["org_id"] for s in steps] == [unit["id"]]  # audited one by one (REV-4)
    still_waiting = svc.storage.one(
        "SELECT COUNT(*) AS n FROM declarations WHERE unit_id = ? AND state = ?", (unit["id"], waiting["from"][0])
    )
    assert still_waiting["n"] >= COUNT - expected  # the rest were not touched

    # the same page again, filtered to what was passed: one 上报 for all of them
    report = workflow.transition(svc, review.REPORT)
    assert report is not None
    reported = _select_page_and_take(page, base, f"state={waiting['to']}&held=1", review.REPORT)
    assert sorted(reported) == sorted(passed)
    assert svc.bundle.text("bulk_summary", done=expected, failed=0) in page.content()
    holders = {
        svc.storage.one("SELECT holder_org_id, state FROM declarations WHERE id = ?", (d,))["holder_org_id"]
        for d in reported
    }
    assert len(holders) == 1 and unit["id"] not in holders
    department_id = holders.pop()
    assert all(
        svc.storage.one("SELECT state FROM declarations WHERE id = ?", (d,))["state"] == report["to"] for d in reported
    )

    # the department sees them in its queue, each row naming the declaring unit
    department = svc.storage.one(
        "SELECT login_name FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (department_id,)
    )
    context = browser.new_context(locale="zh-CN")
    upper = context.new_page()
    upper.set_default_timeout(15000)
    login(upper, base, department["login_name"], DEMO_PASSWORD)
    upper.goto(f"{base}/review?held=1")
    assert set(reported) <= set(_shown(upper))  # newest first: what just arrived is on page 1
    for row in upper.query_selector_all("#review-queue tbody tr"):
        declaration_id = row.query_selector("input[name=declaration_ids]").get_attribute("value")
        stored_unit = svc.storage.one(
            "SELECT o.name FROM declarations d JOIN organisations o ON o.id = d.unit_id WHERE d.id = ?",
            (declaration_id,),
        )
        assert row.query_selector("td.unit-name").text_content() == stored_unit["name"] == unit["name"]
    context.close()
