"""Honest buttons (issue 16; REV-1..3, PATH-1, PATH-3): a page never offers a step that can only
fail — no path, end of the chain, not the holder — and says why and what to do instead.
Every text is read from build/ (messages.yaml), so a wording change keeps these green."""

from __future__ import annotations

import json
import re

from chain_helpers import ARCHIVES_MIDDLE, Actor, World, page_login
from runtime_support import ROOT

TITLE = ARCHIVES_MIDDLE


def _text(world: World, code: str, **values: str) -> str:
    return str(world.svc.bundle.text(code, **values))


def _submitted(world: World, unit: Actor) -> str:
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, TITLE)
    assert applicant.submit(declaration).status_code == 200
    return declaration


def _passed(world: World, unit: Actor) -> str:
    declaration = _submitted(world, unit)
    assert unit.pass_(declaration).status_code == 200
    return declaration


def _report_button(html: str) -> bool:
    return 'id="step-report"' in html


def test_without_a_path_the_review_page_offers_no_report_and_says_to_request_one(world: World) -> None:
    unit = world.permitted_unit("威海市无路径单位", "371000")
    declaration = _passed(world, unit)
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert page.status_code == 200
    assert not _report_button(page.text)
    assert _text(world, "hint_no_path", series=TITLE.series, level=TITLE.level) in page.text
    assert "/paths?series=" in page.text  # the way to what is missing


def test_with_an_approved_path_the_report_button_is_offered_and_no_note(world: World) -> None:
    unit = world.permitted_unit("威海市有路径单位", "371000")
    world.approved_path(unit, world.actor("weihai_archives"), TITLE)
    declaration = _passed(world, unit)
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert _report_button(page.text)
    assert _text(world, "hint_no_path", series=TITLE.series, level=TITLE.level) not in page.text


def test_a_pending_path_is_named_as_pending_not_as_missing(world: World) -> None:
    unit = world.permitted_unit("威海市路径待审单位", "371000")
    committee = world.actor("weihai_archives")
    assert committee.org_id
    assert unit.request_path(TITLE.series, TITLE.level, committee.org_id).status_code == 201
    declaration = _passed(world, unit)
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert not _report_button(page.text)
    assert _text(world, "hint_path_pending", series=TITLE.series, level=TITLE.level) in page.text


def test_the_report_page_without_a_path_shows_no_button_and_no_checkbox_and_says_why(world: World) -> None:
    unit = world.permitted_unit("威海市无路径上报单位", "371000")
    _passed(world, unit)
    page = page_login(world, unit.login).get("/reports", params={"series": TITLE.series, "level": TITLE.level})
    assert page.status_code == 200
    assert 'id="report-submit"' not in page.text and 'name="declaration_ids"' not in page.text
    assert _text(world, "hint_no_path", series=TITLE.series, level=TITLE.level) in page.text


def test_the_report_page_with_a_path_offers_the_button_and_a_checkbox(world: World) -> None:
    unit = world.permitted_unit("威海市有路径上报单位", "371000")
    world.approved_path(unit, world.actor("weihai_archives"), TITLE)
    _passed(world, unit)
    page = page_login(world, unit.login).get("/reports", params={"series": TITLE.series, "level": TITLE.level})
    assert 'id="report-submit"' in page.text and 'name="declaration_ids"' in page.text


def test_at_the_end_of_the_chain_no_report_is_offered_but_the_results_are(world: World) -> None:
    unit = world.permitted_unit("威海市链尾单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, TITLE)
    declaration = _passed(world, unit)
    assert unit.report(TITLE, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    browser = page_login(world, committee.login)
    page = browser.get(f"/review/{declaration}")
    assert not _report_button(page.text)
    assert 'id="step-record_pass"' in page.text and 'id="step-record_fail"' in page.text
    assert _text(world, "hint_chain_end", series=TITLE.series, level=TITLE.level) in page.text
    reports = browser.get("/reports", params={"series": TITLE.series, "level": TITLE.level})
    assert 'id="report-submit"' not in reports.text
    assert _text(world, "hint_chain_end", series=TITLE.series, level=TITLE.level) in reports.text


def test_below_the_end_of_the_chain_no_result_step_is_offered(world: World) -> None:
    unit = world.permitted_unit("威海市非链尾单位", "371000")
    world.approved_path(unit, world.actor("weihai_archives"), TITLE)
    declaration = _passed(world, unit)
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert 'id="step-record_pass"' not in page.text and 'id="step-record_fail"' not in page.text


def test_an_organisation_that_no_longer_holds_a_declaration_gets_no_buttons_and_is_told_who_does(
    world: World,
) -> None:
    unit = world.permitted_unit("威海市已上报单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, TITLE)
    declaration = _passed(world, unit)
    assert unit.report(TITLE, declaration).status_code == 200
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert 'class="review-step"' not in page.text
    holder = world.one(
        "SELECT o.name FROM declarations d JOIN organisations o ON o.id = d.holder_org_id WHERE d.id = ?",
        (declaration,),
    )["name"]
    assert _text(world, "hint_not_holder", holder=holder) in page.text


def test_a_declaration_returned_to_the_applicant_offers_the_unit_nothing_and_says_so(world: World) -> None:
    unit = world.permitted_unit("威海市已退回单位", "371000")
    declaration = _submitted(world, unit)
    assert unit.return_(declaration, "请补充材料").status_code == 200
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert 'class="review-step"' not in page.text
    assert _text(world, "hint_with_applicant") in page.text


def _empty_cell() -> tuple[str, str]:
    """A series × level whose cell in the city routing table is empty, read from build/."""
    routing = json.loads((ROOT / "build" / "routing.json").read_text(encoding="utf-8"))
    table = routing["tables"]["weihai_city"]
    for series, cells in table["cells"].items():
        for level in table["levels"]:
            if not cells.get(level):
                return series, level
    raise AssertionError("the routing table has no empty cell to test")


def test_an_empty_routing_cell_is_explained_on_the_path_page_and_no_request_is_offered(world: World) -> None:
    series, level = _empty_cell()
    unit = world.permitted_unit("威海市空单元格单位", "371000")
    page = page_login(world, unit.login).get("/paths", params={"series": series, "level": level})
    assert page.status_code == 200
    assert 'id="path-form"' not in page.text and 'id="request-path"' not in page.text
    assert _text(world, "path_empty_cell", series=series, level=level) in page.text


def test_a_filled_routing_cell_offers_the_request_with_its_upper_department(world: World) -> None:
    unit = world.permitted_unit("威海市有单元格单位", "371000")
    page = page_login(world, unit.login).get("/paths", params={"series": TITLE.series, "level": TITLE.level})
    assert 'id="request-path"' in page.text
    assert re.search(r'<select id="upper_unit"[^>]*><option value="[^"]+"', page.text)


def test_the_end_of_the_chain_needs_no_path_and_the_page_says_so(world: World) -> None:
    committee = world.actor("weihai_archives")
    page = page_login(world, committee.login).get("/paths", params={"series": TITLE.series, "level": TITLE.level})
    assert 'id="request-path"' not in page.text
    assert _text(world, "path_no_upper", series=TITLE.series, level=TITLE.level) in page.text
