"""The review queue as a spreadsheet (issue 16; REV-1): the view on screen — same filters,
search and sort, every page — only what this organisation may see, ID numbers as its role may
see them, and every cell inert text (CSV / formula injection)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, World, page_login
from openpyxl import load_workbook

from runtime.review import export

UNIT = "威海市导出测试馆"
ROW = re.compile(r'name="declaration_ids" value="([0-9a-f]+)"')


@pytest.fixture
def batch(world: World) -> dict[str, Any]:
    unit = world.permitted_unit(UNIT, "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, ARCHIVES_MIDDLE)
    assert unit.org_id
    ids = []
    for _ in range(3):
        applicant = world.applicant()
        declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
        assert applicant.submit(declaration).status_code == 200
        ids.append(declaration)
    return {"unit": unit, "committee": committee, "ids": ids}


def _sheet(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(export.XLSX)
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _names(world: World, ids: list[str]) -> list[str]:
    return [
        world.one("SELECT a.name FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?", (i,))[
            "name"
        ]
        for i in ids
    ]


def test_the_export_holds_the_rows_of_the_view_in_its_order(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    page = browser.get("/review", params={"sort": "rank"})
    link = re.search(r'href="([^"]+)" id="queue-export"', page.text)
    assert link, "the queue offers its export"
    rows = _sheet(browser.get(link.group(1).replace("&amp;", "&")))
    titles = [world.svc.bundle.ui[key] for _, key in export.COLUMNS]
    assert rows[0] == titles
    assert [r[0] for r in rows[1:]] == _names(world, ROW.findall(page.text))
    assert {r[titles.index(world.svc.bundle.ui["declaring_unit"])] for r in rows[1:]} == {UNIT}
    number = world.one(
        "SELECT a.id_number FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE d.id = ?",
        (batch["ids"][0],),
    )["id_number"]
    assert number in {r[1] for r in rows[1:]}  # reviewers see it whole (platform.yaml privacy)


def test_a_searched_export_holds_only_what_the_search_found(world: World, batch: dict[str, Any]) -> None:
    browser = page_login(world, batch["unit"].login)
    wanted = _names(world, batch["ids"][1:2])[0]
    rows = _sheet(browser.get("/review.xlsx", params={"q": wanted}))
    assert [r[0] for r in rows[1:]] == [wanted]
    nothing = _sheet(browser.get("/review.xlsx", params={"q": "没有这个人"}))
    assert nothing[1:] == []


def test_an_organisation_exports_nothing_it_may_not_see(world: World, batch: dict[str, Any]) -> None:
    stranger = world.permitted_unit("威海市无关导出单位", "371000")
    rows = _sheet(page_login(world, stranger.login).get("/review.xlsx"))
    assert rows[1:] == []
    names = set(_names(world, batch["ids"]))
    assert not names & {r[0] for r in rows}


def test_an_applicant_or_a_stranger_gets_no_export(world: World, batch: dict[str, Any]) -> None:
    anonymous = world.client.get("/review.xlsx", follow_redirects=False)
    assert anonymous.status_code in (303, 401, 403)
    assert not anonymous.content.startswith(b"PK")


def test_a_formula_typed_as_a_name_stays_inert_text(world: World, batch: dict[str, Any]) -> None:
    with world.db() as conn:
        conn.execute(
            "UPDATE organisations SET name = ? WHERE id = ?",
            ('=HYPERLINK("http://evil.example","x")', batch["unit"].org_id),
        )
    browser = page_login(world, batch["unit"].login)
    response = browser.get("/review.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    column = 1 + [k for k, _ in export.COLUMNS].index("unit_name")
    cells = [row[column - 1] for row in book.active.iter_rows(min_row=2)]
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(str(c.value).startswith("'=") for c in cells)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_value_a_spreadsheet_would_compute_is_prefixed(value: str) -> None:
    assert export.guarded(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "371002199001011237", "1/4", "2026-11-10 10:00", ""])
def test_a_plain_value_is_kept_as_it_is(value: str) -> None:
    assert export.guarded(value) == value


def test_an_export_beyond_the_policy_limit_is_refused_with_the_limit_named(world: World, batch: dict[str, Any]) -> None:
    lists = world.svc.bundle.platform["lists"]
    lists["max_export_rows"], kept = 2, lists["max_export_rows"]
    try:
        response = page_login(world, batch["unit"].login).get("/review.xlsx")
    finally:
        lists["max_export_rows"] = kept
    assert response.status_code == 422
    assert world.svc.bundle.text("export_too_many", limit=2, total=3) in response.text
