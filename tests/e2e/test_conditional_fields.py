"""One rule, server and browser: the page shows, hides and marks fields from the form's own
rules (shown_when, required-if, the cascade), and without JavaScript everything shows and
saves. Values the assertions need come from build/."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from runtime_support import build_json, valid_declaration
from test_applicant_journey import UNIT, add_permitted_unit, new_declaration, register_and_agree

ROOT = Path(__file__).resolve().parents[2]
DICTIONARIES = json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))
SERIES = DICTIONARIES["series"]["entries"]
LEVELS = [e["value"] if isinstance(e, dict) else e for e in DICTIONARIES["levels"]["entries"]]


def _compiled(section: str) -> dict[str, Any]:
    return dict(build_json(f"forms/declaration/{section}.json"))


def _field(fields: list[dict[str, Any]], field_id: str) -> dict[str, Any]:
    return next(f for f in fields if f["id"] == field_id)


def _shown_by(fields: list[dict[str, Any]], field_id: str) -> tuple[str, str, str]:
    """(the choice a field's shown_when names, the value that shows it, another that hides it)."""
    ((key, shows),) = _field(fields, field_id)["shown_when"].items()
    hides = next(o for o in _field(fields, key)["options"] if o != shows)
    return key, shows, hides


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
    header = _compiled("header")["fields"]
    mode, po_ge, other_mode = _shown_by(header, "exception")
    page.select_option(f"#{mode}", other_mode)
    assert not page.is_visible("#exception")
    page.select_option(f"#{mode}", po_ge)
    page.wait_for_selector("#exception", state="visible")
    assert page.get_attribute("#exception", "aria-required") == "true"
    assert page.is_visible("[data-field='exception'] label .req")
    is_work_unit, shows, hides = _shown_by(header, "work_unit")
    page.select_option(f"#{is_work_unit}", hides)
    assert not page.is_visible("#work_unit")
    page.select_option(f"#{is_work_unit}", shows)
    page.wait_for_selector("#work_unit", state="visible")


def test_a_level_never_offers_a_series_without_titles_at_that_level(live_server: Any, page: Any) -> None:
    sections = _start(live_server, page, "zhaoliu2027", 125)
    page.goto(f"{sections}/header")
    offered_now = "() => Array.from(document.querySelectorAll('#series option'), o => o.value).filter(Boolean).sort()"
    for level in LEVELS:  # every level build/ has (two of them may offer as many series)
        page.select_option("#level", level)
        wanted = sorted(e["value"] for e in SERIES if (e.get("titles") or {}).get(level))
        with contextlib.suppress(PlaywrightTimeout):  # the assertion below says what differs
            page.wait_for_function(f"w => JSON.stringify(({offered_now})()) === JSON.stringify(w)", arg=wanted)
        offered = sorted(page.eval_on_selector_all("#series option", "os => os.map(o => o.value).filter(Boolean)"))
        assert offered == wanted, level


def test_an_achievement_row_shows_the_columns_of_its_category(live_server: Any, page: Any) -> None:
    sections = _start(live_server, page, "zhaoliu2028", 127)
    page.goto(f"{sections}/achievements")
    columns = _compiled("achievements")["rows"]["fields"]
    category, paper, other = _shown_by(columns, "publisher")
    assert other not in _field(columns, "authority")["shown_when"][category]["not_in"]
    page.select_option(f"#rows-0-{category}", other)
    page.wait_for_selector("#rows-0-authority", state="visible")
    assert not page.is_visible("#rows-0-publisher")
    page.select_option(f"#rows-0-{category}", paper)
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
        header = valid_declaration("")["header"]
        page.fill("#rank", str(header["rank"]))
        page.select_option("#level", str(header["level"]))
        page.select_option("#series", str(header["series"]))
        page.click("#save")  # without JavaScript the server offers the titles and specialties of both
        page.wait_for_load_state()
        for field_id in ("title", "specialty", "mode", "is_work_unit"):
            page.select_option(f"#{field_id}", str(header[field_id]))
        page.fill("#unit", UNIT)
        page.fill("#work_start", str(header["work_start"]))
        page.fill("#professional_years", str(header["professional_years"]))
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
        page.fill("#rows-0-title", str(valid_declaration("")["current_title"]["rows"][0]["title"]))
        page.fill("#rows-0-qualified_on", f"{year - 6}.10")
        page.fill("#rows-0-appointed_on", f"{year - 5}.12")
        assert page.input_value(f"#rows-0-{COMPUTED['id']}") == ""  # nothing computes in the page
        page.click("#save")
        page.wait_for_load_state()
        expected = _server_computes(year, {"appointed_on": f"{year - 5}.12"})
        assert page.input_value(f"#rows-0-{COMPUTED['id']}") == str(expected)
    finally:
        context.close()
