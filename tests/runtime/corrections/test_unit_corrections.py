"""HR correction of unit information (issue 17, UNIT-1, UNIT-5): the region's HR authority corrects
a unit's name, credit code, region or supervisor with a reason; audited, told to the unit, shown
to it; refused outside the region; a declaration submitted before a rename prints the name it was
submitted under, with the correction noted."""

from __future__ import annotations

import html
import re
from typing import Any

from chain_helpers import ARCHIVES_MIDDLE, World, page_login, uscc
from notification_helpers import assert_told
from runtime_support import csrf_of
from starlette.testclient import TestClient

from runtime.corrections import service
from runtime.documents.documents import load_subjects, source_value


def form_of(browser: TestClient, unit_id: str) -> tuple[str, dict[str, str]]:
    page = browser.get(f"/units/corrections/{unit_id}")
    assert page.status_code == 200, page.text
    values = dict(re.findall(r'<input id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', page.text))
    for name in ("region", "supervisor"):
        chosen = re.search(rf'<select id="{name}".*?<option value="([^"]*)" selected', page.text, re.DOTALL)
        values[name] = chosen.group(1) if chosen else ""
    return csrf_of(page.text), values


def correct(browser: TestClient, unit_id: str, reason: str, **changes: str) -> Any:
    token, values = form_of(browser, unit_id)
    return browser.post(
        f"/units/corrections/{unit_id}", data={**values, **changes, "reason": reason, "csrf_token": token}
    )


def district_unit(world: World) -> Any:
    return world.permitted_unit(f"环翠区更正测试单位{world.next()}", "371002")


def test_the_regions_hr_corrects_a_unit_name_with_a_reason_audited_and_told(world: World) -> None:
    unit = district_unit(world)
    hr = page_login(world, "huancui_hrss")
    new_name = "环翠区更正后的单位名称"
    reason = "注册时单位名称录入错字,依营业执照更正"
    response = correct(hr, unit.org_id, reason, unit_name=new_name)
    assert response.status_code == 200, response.text
    assert world.svc.bundle.text("correction_saved") in html.unescape(response.text)
    assert world.one("SELECT name FROM organisations WHERE id = ?", (unit.org_id,))["name"] == new_name
    audit = world.one("SELECT * FROM audit WHERE action = 'unit_corrected' AND target = ?", (unit.org_id,))
    assert audit is not None and reason in html.unescape(audit["detail"])
    assert_told(world, unit.account_id, "unit_corrected", "unit", unit=new_name, reason=reason)
    own = html.unescape(page_login(world, unit.login).get("/units/corrections").text)
    assert new_name in own and reason in own


def test_a_correction_needs_a_reason_and_a_change(world: World) -> None:
    unit = district_unit(world)
    hr = page_login(world, "huancui_hrss")
    before = world.one("SELECT name FROM organisations WHERE id = ?", (unit.org_id,))["name"]
    no_reason = correct(hr, unit.org_id, "", unit_name="另一个名称")
    assert no_reason.status_code == 422
    assert 'role="alert"' in no_reason.text and 'aria-describedby="reason-error"' in no_reason.text
    unchanged = correct(hr, unit.org_id, "核对")
    assert unchanged.status_code == 422
    assert world.svc.bundle.text("correction_unchanged") in html.unescape(unchanged.text)
    assert world.one("SELECT name FROM organisations WHERE id = ?", (unit.org_id,))["name"] == before
    assert world.all("SELECT * FROM unit_corrections") == []


def test_a_bad_credit_code_or_region_is_refused_with_a_clear_message(world: World) -> None:
    unit = district_unit(world)
    hr = page_login(world, "huancui_hrss")
    bad = correct(hr, unit.org_id, "更正代码", uscc=uscc("371002", 5, valid=False), region="999999")
    assert bad.status_code == 422
    page = html.unescape(bad.text)
    assert 'id="uscc-error"' in page and world.svc.bundle.text("region_outside") in page


def test_the_hr_of_another_region_may_not_see_or_correct_the_unit(world: World) -> None:
    unit = district_unit(world)
    other = page_login(world, "wendeng_hrss")
    assert other.get(f"/units/corrections/{unit.org_id}").status_code == 404
    token = csrf_of(other.get("/units/corrections").text)
    posted = other.post(
        f"/units/corrections/{unit.org_id}", data={"unit_name": "越权修改", "reason": "x", "csrf_token": token}
    )
    assert posted.status_code == 404
    assert unit.org_id not in other.get("/units/corrections").text
    assert world.all("SELECT * FROM unit_corrections") == []


def test_a_unit_cannot_correct_itself_and_an_applicant_cannot_either(world: World) -> None:
    unit = district_unit(world)
    assert page_login(world, unit.login).get(f"/units/corrections/{unit.org_id}").status_code == 403
    applicant = world.applicant()
    assert page_login(world, applicant.login).get("/units/corrections").status_code == 403


def test_a_declaration_submitted_before_a_rename_prints_its_old_name_with_the_correction_noted(world: World) -> None:
    unit = world.permitted_unit(f"威海市更正打印测试单位{world.next()}", "371000")
    old_name = world.one("SELECT name FROM organisations WHERE id = ?", (unit.org_id,))["name"]
    applicant = world.applicant()
    submitted = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert applicant.submit(submitted).status_code == 200
    draft = world.applicant().new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    new_name = "威海市更正后的单位"
    assert correct(page_login(world, "weihai_hrss"), unit.org_id, "名称错误", unit_name=new_name).status_code == 200

    rows = world.all("SELECT * FROM declarations WHERE id IN (?, ?)", (submitted, draft))
    printed = {
        s.declaration["id"]: source_value(world.svc, s, "declaration.unit") for s in load_subjects(world.svc, rows)
    }
    noted = service.printed_unit_names(world.svc, rows)[submitted]
    assert printed[submitted] == noted and old_name in noted and new_name in noted
    assert printed[draft] == new_name  # not submitted yet: it goes with the corrected name
