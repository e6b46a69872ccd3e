"""One rule, server and browser: the page shows, hides and marks fields from the form's own
rules (shown_when, required-if, the cascade), and without JavaScript everything shows and
saves. Values the assertions need come from build/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_applicant_journey import UNIT, add_permitted_unit, new_declaration, register_and_agree

ROOT = Path(__file__).resolve().parents[2]
SERIES = json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))["series"]["entries"]


def _id_number(sequence: int) -> str:
    """A valid GB 11643 number born 1990-01-01 in 371002 (check character computed)."""
    body = f"37100219900101{sequence:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _start(live_server: Any, page: Any, login: str, sequence: int) -> str:
    add_permitted_unit(live_server)
    register_and_agree(
        page, live_server.url, login=login, id_number=_id_number(sequence), name="赵六", password="Haiyang!2026"
    )
    declaration_id = new_declaration(page)
    return f"{live_server.url}/declarations/{declaration_id}/sections"


def test_choosing_po_ge_shows_its_case_marked_required(live_server: Any, page: Any) -> None:
    sections = _start(live_server, page, "zhaoliu2026", 123)
    page.goto(f"{sections}/header")
    page.select_option("#mode", "正常晋升")
    assert not page.is_visible("#exception")
    page.select_option("#mode", "破格")
    page.wait_for_selector("#exception", state="visible")
    assert page.get_attribute("#exception", "aria-required") == "true"
    assert page.is_visible("[data-field='exception'] label .req")
    page.select_option("#is_work_unit", "是")
    assert not page.is_visible("#work_unit")
    page.select_option("#is_work_unit", "否")
    page.wait_for_selector("#work_unit", state="visible")


def test_a_level_never_offers_a_series_without_titles_at_that_level(live_server: Any, page: Any) -> None:
    sections = _start(live_server, page, "zhaoliu2027", 125)
    page.goto(f"{sections}/header")
    for level in ("中级", "正高级"):
        page.select_option("#level", level)
        wanted = sorted(e["value"] for e in SERIES if (e.get("titles") or {}).get(level))
        page.wait_for_function("n => document.querySelectorAll('#series option').length - 1 === n", arg=len(wanted))
        offered = sorted(page.eval_on_selector_all("#series option", "os => os.map(o => o.value).filter(Boolean)"))
        assert offered == wanted


def test_an_achievement_row_shows_the_columns_of_its_category(live_server: Any, page: Any) -> None:
    sections = _start(live_server, page, "zhaoliu2028", 127)
    page.goto(f"{sections}/achievements")
    page.select_option("#rows-0-category", "专利")
    page.wait_for_selector("#rows-0-authority", state="visible")
    assert not page.is_visible("#rows-0-publisher")
    page.select_option("#rows-0-category", "论文/著作")
    page.wait_for_selector("#rows-0-publisher", state="visible")
    assert not page.is_visible("#rows-0-authority")


def test_without_javascript_every_field_shows_and_the_header_saves(live_server: Any, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sections = _start(live_server, page, "zhaoliu2029", 129)
        page.goto(f"{sections}/header")
        assert page.is_visible("#exception") and page.is_visible("#work_unit")
        page.fill("#rank", "1/1")
        page.select_option("#level", "中级")
        page.select_option("#series", "档案")
        page.click("#save")
        page.wait_for_load_state()
        page.select_option("#title", "馆员")
        page.select_option("#specialty", "档案管理")
        page.select_option("#mode", "正常晋升")
        page.fill("#unit", UNIT)
        page.select_option("#is_work_unit", "是")
        page.fill("#work_start", "2012.07")
        page.fill("#professional_years", "10")
        _fill_other_required_fields(page, "header")
        page.click("#save")
        page.wait_for_load_state()
        assert page.query_selector(".error-summary") is None, page.text_content(".error-summary")
    finally:
        context.close()


def _fill_other_required_fields(page: Any, section: str) -> None:
    """Required fields this test does not name (a field policy staff added later): filled with a
    valid value of the field's kind from build/ (vocabulary.specimen), so the test stays green."""
    from vocabulary.model import Context
    from vocabulary.specimen import sample_value

    compiled = json.loads((ROOT / "build" / "forms" / "declaration" / f"{section}.json").read_text("utf-8"))
    for field in compiled["fields"]:
        selector = f"#{field['id']}"
        if not field["required"] or page.query_selector(selector) is None or page.input_value(selector):
            continue
        value = sample_value(field, {}, Context(), {})
        if field.get("options"):
            page.select_option(selector, str(value))
        elif value is not None:
            page.fill(selector, str(value))


# --- 聘任年限 (DEC-8) computed as the applicant types, from the server's own expression ---------

RULES = json.loads((ROOT / "build" / "rules.json").read_text("utf-8"))
CURRENT_TITLE = json.loads((ROOT / "build" / "forms" / "declaration" / "current_title.json").read_text("utf-8"))
COMPUTED = next(f for f in CURRENT_TITLE["rows"]["fields"] if f.get("computed"))


def _server_computes(year: int, row: dict[str, Any]) -> Any:
    """What the server stores for the row: vocabulary's evaluation of the same expression."""
    from vocabulary.declaration_rules import context_data, with_computed

    done = with_computed(CURRENT_TITLE, {"rows": [row]}, RULES["shape"], context_data({}, {}, year, None))
    return done["rows"][0][COMPUTED["id"]]


def test_appointment_years_are_filled_in_as_the_applicant_types_exactly_as_the_server_computes(
    live_server: Any, page: Any
) -> None:
    sections = _start(live_server, page, "zhaoliu2030", 131)
    page.goto(f"{sections}/current_title")
    year = int(page.get_attribute("#section-form", "data-declaration-year") or 0)
    assert year, "the page names the declaration year the expression counts to"
    output = f"#rows-0-{COMPUTED['id']}"
    assert page.get_attribute(output, "readonly") is not None
    for appointed, gap in [(f"{year - 5}.12", ""), (f"{year - 3}.01", ""), (f"{year - 5}.12", "13"), ("2016.1", "")]:
        page.fill("#rows-0-appointed_on", appointed)
        page.fill("#rows-0-gap_months", gap)
        expected = _server_computes(year, {"appointed_on": appointed, "gap_months": int(gap) if gap else None})
        shown = page.input_value(output)
        assert shown == ("" if expected is None else str(expected)), (appointed, gap, shown, expected)
    page.fill("#rows-0-appointed_on", f"{year - 4}.12")
    page.fill("#rows-0-gap_months", "")
    assert page.input_value(output) == "4"  # whole years to Dec 31 of the declaration year (DEC-8)


def test_without_javascript_the_server_computes_appointment_years_on_save(live_server: Any, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sections = _start(live_server, page, "zhaoliu2031", 133)
        page.goto(f"{sections}/current_title")
        year = int(page.get_attribute("#section-form", "data-declaration-year") or 0)
        page.fill("#rows-0-title", "助理馆员")
        page.fill("#rows-0-qualified_on", f"{year - 6}.10")
        page.fill("#rows-0-appointed_on", f"{year - 5}.12")
        assert page.input_value(f"#rows-0-{COMPUTED['id']}") == ""  # nothing computes in the page
        page.click("#save")
        page.wait_for_load_state()
        expected = _server_computes(year, {"appointed_on": f"{year - 5}.12"})
        assert page.input_value(f"#rows-0-{COMPUTED['id']}") == str(expected)
    finally:
        context.close()
