"""The report page (上报, REV-2) searched and in pages like /review (issue 16): a unit finds
what it is about to report by name or ID number, ticks a page with select-all, reports it, and
sees the declaring unit and ID number on every row; nobody else's declarations appear."""

from __future__ import annotations

import re
from typing import Any

import crowd
import pytest
from chain_helpers import ARCHIVES_MIDDLE, World, page_login
from runtime_support import csrf_of

from runtime.review import review

TITLE = ARCHIVES_MIDDLE
UNIT = "威海市上报分页测试馆"
ROW = re.compile(r'name="declaration_ids" value="([0-9a-f]+)"')
QUERY = {"series": TITLE.series, "level": TITLE.level}


@pytest.fixture
def passed(world: World) -> dict[str, Any]:
    unit = world.permitted_unit(UNIT, "371000")
    world.approved_path(unit, world.actor("weihai_archives"), TITLE)
    assert unit.org_id
    ids = []
    for _ in range(3):
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, TITLE)
        assert applicant.submit(declaration).status_code == 200
        assert unit.pass_(declaration).status_code == 200
        ids.append(declaration)
    return {"unit": unit, "ids": ids}


def _person(world: World, declaration_id: str) -> dict[str, Any]:
    return dict(
        world.one(
            "SELECT a.name, a.id_number FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?",
            (declaration_id,),
        )
    )


def test_the_report_page_finds_one_declaration_by_id_number_or_name(world: World, passed: dict[str, Any]) -> None:
    browser = page_login(world, passed["unit"].login)
    wanted = passed["ids"][1]
    person = _person(world, wanted)
    by_number = browser.get("/reports", params={**QUERY, "q": person["id_number"]})
    assert ROW.findall(by_number.text) == [wanted]
    assert f'<td class="unit-name">{UNIT}</td>' in by_number.text
    assert f'<td class="id-number">{person["id_number"]}</td>' in by_number.text
    by_name = browser.get("/reports", params={**QUERY, "q": person["name"]})
    assert wanted in ROW.findall(by_name.text)
    assert ROW.findall(browser.get("/reports", params={**QUERY, "q": "没有这个人"}).text) == []


def test_a_search_then_report_keeps_the_search_and_reports_only_what_was_ticked(
    world: World, passed: dict[str, Any]
) -> None:
    browser = page_login(world, passed["unit"].login)
    wanted = passed["ids"][0]
    page = browser.get("/reports", params={**QUERY, "q": _person(world, wanted)["id_number"]})
    assert 'id="select-all"' in page.text
    done = browser.post(
        "/reports",
        data={
            "csrf_token": csrf_of(page.text),
            **QUERY,
            "q": _person(world, wanted)["id_number"],
            "declaration_ids": wanted,
        },
    )
    assert done.status_code == 200
    assert world.svc.bundle.text("report_done", count=1) in done.text
    assert f'value="{_person(world, wanted)["id_number"]}"' in done.text  # the search stays
    assert (
        world.one("SELECT holder_org_id FROM declarations WHERE id = ?", (wanted,))["holder_org_id"]
        != passed["unit"].org_id
    )
    for other in passed["ids"][1:]:
        assert (
            world.one("SELECT holder_org_id FROM declarations WHERE id = ?", (other,))["holder_org_id"]
            == passed["unit"].org_id
        )


def test_the_report_page_comes_in_bounded_pages(world: World, passed: dict[str, Any]) -> None:
    crowd.clone_many(world.svc, passed["ids"][0], 70, prefix="reportclone")
    states = review.report_states(world.svc)  # what `report` leaves (the workflow schema)
    total = world.one(
        f"SELECT COUNT(*) AS n FROM declarations WHERE holder_org_id = ? AND state IN ({','.join('?' * len(states))})",
        (passed["unit"].org_id, *states),
    )["n"]
    browser = page_login(world, passed["unit"].login)
    first = browser.get("/reports", params=QUERY)
    rows = ROW.findall(first.text)
    assert 0 < len(rows) < total
    assert 'id="pagination"' in first.text
    pages = -(-total // len(rows))
    last = browser.get("/reports", params={**QUERY, "page": pages})
    left = ROW.findall(last.text)
    assert len(left) == total - (pages - 1) * len(rows) and not set(left) & set(rows)
    for odd in ("²", "9" * 5000, "-1", "x"):  # not a page number (str.isdigit() says yes to '²'): the first page
        for path in ("/reports", "/review"):
            shown = browser.get(path, params={**QUERY, "page": odd})
            assert shown.status_code == 200, (path, odd)
        assert ROW.findall(browser.get("/reports", params={**QUERY, "page": odd}).text) == rows


def test_another_unit_sees_nothing_to_report(world: World, passed: dict[str, Any]) -> None:
    stranger = world.permitted_unit("威海市无关上报单位", "371000")
    page = page_login(world, stranger.login).get("/reports", params=QUERY)
    assert page.status_code == 200 and ROW.findall(page.text) == []
    person = _person(world, passed["ids"][0])
    assert person["name"] not in page.text
