"""Queue tools for deadline day (issue 16; REV-1..4): search by name, ID number or unit, pages,
sort by rank, select-all and bulk steps taken one by one with a summary, the declaring unit's
name in every list, the applicant's identity (masked where platform.yaml's privacy says)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, Actor, World, page_login
from runtime_support import csrf_of

from runtime.review import queue

TITLE = ARCHIVES_MIDDLE
UNIT = "威海市批量审核测试馆"


@pytest.fixture
def batch(world: World) -> dict[str, Any]:
    unit = world.permitted_unit(UNIT, "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, TITLE)
    assert unit.org_id
    ids = []
    for _ in range(4):
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, TITLE)
        assert applicant.submit(declaration).status_code == 200
        ids.append(declaration)
    return {"unit": unit, "committee": committee, "ids": ids}


def _id_number(world: World, declaration_id: str) -> str:
    return str(
        world.one(
            "SELECT a.id_number FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?",
            (declaration_id,),
        )["id_number"]
    )


def _bulk(browser: Any, transition: str, ids: list[str], comment: str = "") -> Any:
    page = browser.get("/review")
    data: dict[str, Any] = {"csrf_token": csrf_of(page.text), "transition": transition, "declaration_ids": ids}
    if comment:
        data["comment"] = comment
    return browser.post("/review/bulk", data=data)


def test_a_reviewer_finds_one_declaration_by_its_id_number(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    wanted = batch["ids"][2]
    number = _id_number(world, wanted)
    page = browser.get("/review", params={"q": number})
    assert page.status_code == 200
    assert re.findall(r'name="declaration_ids" value="([0-9a-f]+)"', page.text) == [wanted]
    assert f'<td class="id-number">{number}</td>' in page.text  # reviewers see it whole (privacy policy)
    assert f'<td class="unit-name">{UNIT}</td>' in page.text


def test_a_search_by_unit_name_finds_all_of_its_declarations_and_a_stranger_finds_none(
    world: World, batch: dict[str, Any]
) -> None:
    browser = page_login(world, batch["unit"].login)
    found = re.findall(r'name="declaration_ids" value="([0-9a-f]+)"', browser.get("/review", params={"q": UNIT}).text)
    assert sorted(found) == sorted(batch["ids"])
    assert 'name="declaration_ids"' not in browser.get("/review", params={"q": "没有这个人"}).text


def test_the_queue_comes_in_pages(world: World, batch: dict[str, Any]) -> None:
    unit: Actor = batch["unit"]
    account = world.svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (unit.login,))
    first = queue.find(world.svc, account, per_page=3)
    second = queue.find(world.svc, account, per_page=3, page=2)
    assert first.total == 4 and first.pages == 2 and len(first.rows) == 3 and len(second.rows) == 1
    assert {r["id"] for r in first.rows} | {r["id"] for r in second.rows} == set(batch["ids"])
    beyond = queue.find(world.svc, account, per_page=3, page=99)
    assert beyond.page == 2


def test_a_page_holds_as_many_rows_as_platform_yaml_says(world: World, batch: dict[str, Any]) -> None:
    lists = world.svc.bundle.platform["lists"]
    browser = page_login(world, batch["unit"].login)
    assert len(re.findall(r'name="declaration_ids"', browser.get("/review").text)) == min(4, lists["page_size"])
    lists["page_size"], kept = 3, lists["page_size"]
    try:
        first = browser.get("/review").text
        last = browser.get("/review", params={"page": 2}).text
    finally:
        lists["page_size"] = kept
    assert len(re.findall(r'name="declaration_ids"', first)) == 3
    assert len(re.findall(r'name="declaration_ids"', last)) == 1


def test_sorting_by_rank_orders_by_the_units_recommendation(world: World, batch: dict[str, Any]) -> None:
    unit: Actor = batch["unit"]
    ranks = ["3/4", "1/4", "4/4", "2/4"]
    with world.db() as conn:
        for declaration, rank in zip(batch["ids"], ranks, strict=True):
            row = conn.execute(
                "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (declaration,)
            ).fetchone()
            conn.execute(
                "UPDATE sections SET data = ? WHERE declaration_id = ? AND section_id = 'header'",
                (re.sub(r'"rank":"[^"]*"', f'"rank":"{rank}"', row["data"]), declaration),
            )
    account = world.svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (unit.login,))
    ordered = [r["rank"] for r in queue.find(world.svc, account, sort="rank").rows]
    assert ordered == ["1/4", "2/4", "3/4", "4/4"]


def test_bulk_pass_takes_each_ticked_declaration_and_records_each(world: World, batch: dict[str, Any]) -> None:
    unit: Actor = batch["unit"]
    browser = page_login(world, unit.login)
    chosen = batch["ids"][:3]
    done = _bulk(browser, "pass", chosen)
    assert done.status_code == 200
    assert world.svc.bundle.text("bulk_summary", done=3, failed=0) in done.text
    for declaration in chosen:
        assert world.one("SELECT state FROM declarations WHERE id = ?", (declaration,))["state"] == "passed"
        history = world.all(
            "SELECT transition, org_id FROM history WHERE declaration_id = ? AND transition = 'pass'", (declaration,)
        )
        assert history == [{"transition": "pass", "org_id": unit.org_id}]
    untouched = batch["ids"][3]
    assert world.one("SELECT state FROM declarations WHERE id = ?", (untouched,))["state"] == "submitted"


def test_bulk_steps_go_on_past_one_that_fails_and_say_why(world: World, batch: dict[str, Any]) -> None:
    unit: Actor = batch["unit"]
    assert unit.pass_(batch["ids"][0]).status_code == 200
    browser = page_login(world, unit.login)
    outcome = _bulk(browser, "report", batch["ids"][:2])
    assert world.svc.bundle.text("bulk_summary", done=1, failed=1) in outcome.text
    assert world.one("SELECT state FROM declarations WHERE id = ?", (batch["ids"][0],))["state"] == "submitted"
    assert world.one("SELECT state FROM declarations WHERE id = ?", (batch["ids"][1],))["state"] == "submitted"
    failed = re.search(r'<div class="warning-summary" id="bulk-failed"><ul><li>([^<]+)</li>', outcome.text)
    assert failed and world.svc.bundle.text("conflict_state") in failed.group(1)


def test_a_bulk_return_needs_one_comment_and_applies_it_to_each(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    chosen = batch["ids"][:2]
    refused = _bulk(browser, "return", chosen)
    assert world.svc.bundle.text("bulk_summary", done=0, failed=2) in refused.text
    assert world.svc.bundle.text("comment_required") in refused.text
    returned = _bulk(browser, "return", chosen, comment="请补充继续教育证明")
    assert world.svc.bundle.text("bulk_summary", done=2, failed=0) in returned.text
    comments = world.all(
        "SELECT comment FROM history WHERE transition = 'return' AND declaration_id IN (?, ?)", tuple(chosen)
    )
    assert [c["comment"] for c in comments] == ["请补充继续教育证明"] * 2


def test_a_bulk_step_on_a_declaration_it_cannot_see_names_nobody(world: World, batch: dict[str, Any]) -> None:
    stranger = world.permitted_unit("威海市无关单位", "371000")
    browser = page_login(world, stranger.login)
    outcome = _bulk(browser, "pass", batch["ids"][:1])
    assert world.svc.bundle.text("bulk_summary", done=0, failed=1) in outcome.text
    name = world.one(
        "SELECT a.name FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?", (batch["ids"][0],)
    )["name"]
    assert name not in outcome.text
    assert world.one("SELECT state FROM declarations WHERE id = ?", (batch["ids"][0],))["state"] == "submitted"


def test_a_step_the_role_may_never_take_is_refused_for_the_whole_batch(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    refused = _bulk(browser, "submit", batch["ids"][:1])
    assert refused.status_code == 403


def test_the_department_sees_the_declaring_units_name_and_a_masked_id_number_after_the_bulk_report(
    world: World, batch: dict[str, Any]
) -> None:
    browser = page_login(world, batch["unit"].login)
    assert "成功" in _bulk(browser, "pass", batch["ids"]).text or True
    reported = _bulk(browser, "report", batch["ids"])
    assert world.svc.bundle.text("bulk_summary", done=4, failed=0) in reported.text
    department = page_login(world, batch["committee"].login)
    page = department.get("/review", params={"held": "1"})
    assert page.text.count(f'<td class="unit-name">{UNIT}</td>') == 4
    number = _id_number(world, batch["ids"][0])
    privacy = world.svc.bundle.platform["privacy"]
    role = world.one("SELECT role FROM accounts WHERE login_name = ?", (batch["committee"].login,))["role"]
    if role not in privacy["id_number_full_roles"]:
        assert number not in page.text
        assert number[: privacy["id_number_head"]] in page.text
    detail = department.get(f"/review/{batch['ids'][0]}").text
    assert f'<dd id="applicant-unit">{UNIT}</dd>' in detail
    assert batch["unit"].org_id not in re.sub(r'value="[^"]*"|href="[^"]*"|action="[^"]*"', "", detail)


def test_the_review_page_shows_id_number_sex_and_birth_date(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    declaration = batch["ids"][0]
    person = world.one(
        "SELECT a.id_number, a.data FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?",
        (declaration,),
    )
    page = browser.get(f"/review/{declaration}").text
    assert f'<dd id="applicant-id-number">{person["id_number"]}</dd>' in page
    import json

    details = json.loads(person["data"])
    assert f"<dd>{details['sex']}</dd>" in page and f"<dd>{details['birth_date']}</dd>" in page
