"""Each kind of notice reaches whom schemas/notifications.yaml names, in its words (issue 17):
the applicant on a return (with the comment and the reopened sections), a report upward, a result
and a certificate; a unit on a declaration arriving, a return from above, a permission or path
decision; an HR authority on a pending permission request; the upper organisation on a path
request."""

from __future__ import annotations

from chain_helpers import ARCHIVES_MIDDLE, Actor, World, uscc
from notification_helpers import assert_told, messages, notices


def city_unit(world: World) -> tuple[Actor, Actor]:
    """A city unit without a supervisor and its committee office, the path between approved."""
    unit = world.permitted_unit(f"威海市通知测试单位{world.next()}", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, ARCHIVES_MIDDLE)
    return unit, committee


def submitted(world: World, unit: Actor) -> tuple[Actor, str]:
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert applicant.submit(declaration).status_code == 200
    return applicant, declaration


def name_of(world: World, account_id: str) -> str:
    return str(world.one("SELECT name FROM accounts WHERE id = ?", (account_id,))["name"])


def test_a_unit_is_told_when_a_declaration_arrives(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, _ = submitted(world, unit)
    assert_told(world, unit.account_id, "submit", "holder", applicant=name_of(world, applicant.account_id))


def test_the_applicant_is_told_of_a_return_with_the_comment_and_the_reopened_sections(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    comment = "单位推荐排序有误,请核对"
    assert unit.return_(declaration, comment, ["header"]).status_code == 200
    header_title = world.svc.bundle.sections["declaration"]["header"].title
    assert_told(world, applicant.account_id, "return", "applicant", comment=comment, sections=header_title)
    # the unit returned it to the applicant: no "returned from above" notice for the unit
    assert messages(world, unit.account_id, "return") == []


def test_a_unit_is_told_when_a_declaration_comes_back_from_above(world: World) -> None:
    unit, committee = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    comment = "代表性成果材料不全"
    assert committee.return_(declaration, comment).status_code == 200
    assert_told(world, unit.account_id, "return", "holder", comment=comment)
    assert messages(world, applicant.account_id, "return") == []


def test_a_report_upward_tells_the_applicant_and_the_organisation_above(world: World) -> None:
    unit, committee = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    for notice in notices(world, "report"):
        account = applicant if notice["to"] == "applicant" else committee
        assert_told(world, account.account_id, "report", notice["to"])


def test_the_applicant_is_told_the_result_and_gets_the_certificate_notice(world: World) -> None:
    unit, committee = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    assert committee.result(declaration, True).status_code == 200
    assert_told(world, applicant.account_id, "record_pass", "applicant")  # published (PUB-2)
    assert messages(world, applicant.account_id, "certificate_issued") == []
    world.wait_out_publicity()
    committee = world.actor("weihai_archives")  # days later: a new login
    assert committee.confirm(declaration).status_code == 200
    number = world.one("SELECT certificate_no FROM declarations WHERE id = ?", (declaration,))["certificate_no"]
    assert_told(world, applicant.account_id, "confirm_pass", "applicant")
    assert_told(world, applicant.account_id, "certificate_issued", "applicant", certificate_no=number)


def test_the_applicant_is_told_a_failed_result_and_no_certificate(world: World) -> None:
    unit, committee = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    assert committee.result(declaration, False).status_code == 200
    assert_told(world, applicant.account_id, "record_fail", "applicant")
    world.wait_out_publicity("confirm_fail")
    committee = world.actor("weihai_archives")
    assert committee.confirm(declaration, passed=False).status_code == 200
    assert_told(world, applicant.account_id, "confirm_fail", "applicant")
    assert messages(world, applicant.account_id, "certificate_issued") == []


def permission_request(world: World, *, region_code: str = "371002") -> tuple[Actor, str]:
    """A unit whose permission request failed the automatic check (a bad check character)."""
    unit = world.register_unit(
        f"环翠区通知测试单位{world.next()}", region_code, uscc=uscc(region_code, 77, valid=False)
    )
    info = unit.get("/api/v1/units/me").json()
    asked = unit.post("/api/v1/units/me/permission", json={"uscc": info["uscc"], "region": info["region"]})
    assert asked.status_code == 201 and asked.json()["state"] == "pending_manual", asked.text
    return unit, str(asked.json()["id"])


def test_the_regions_hr_authority_is_told_of_a_pending_permission_request_and_no_other(world: World) -> None:
    permission_request(world)
    district_hr = world.actor("huancui_hrss")
    assert_told(world, district_hr.account_id, "permission_pending", "region_hr")
    other_region = world.actor("wendeng_hrss")
    assert messages(world, other_region.account_id) == []


def test_a_unit_is_told_the_permission_decision(world: World) -> None:
    district_hr = world.actor("huancui_hrss")
    approved, approved_request = permission_request(world)
    rejected, rejected_request = permission_request(world)
    assert district_hr.post(f"/api/v1/permission-requests/{approved_request}/approve").status_code == 200
    reason = "统一社会信用代码与营业执照不符"
    decided = district_hr.post(f"/api/v1/permission-requests/{rejected_request}/reject", json={"comment": reason})
    assert decided.status_code == 200, decided.text
    assert_told(world, approved.account_id, "permission_approved", "unit")
    assert_told(world, rejected.account_id, "permission_rejected", "unit", comment=reason)


def test_the_upper_organisation_is_told_of_a_path_request_and_the_unit_of_the_decision(world: World) -> None:
    unit = world.permitted_unit(f"威海市路径测试单位{world.next()}", "371000")
    committee = world.actor("weihai_archives")
    assert unit.org_id and committee.org_id
    asked = unit.request_path(ARCHIVES_MIDDLE.series, ARCHIVES_MIDDLE.level, committee.org_id)
    assert asked.status_code == 201
    assert_told(world, committee.account_id, "path_requested", "upper", series=ARCHIVES_MIDDLE.series)
    reason = "请先完成单位公示"
    assert committee.post(f"/api/v1/paths/{asked.json()['id']}/reject", json={"comment": reason}).status_code == 200
    assert_told(world, unit.account_id, "path_rejected", "unit", comment=reason)
    again = unit.request_path(ARCHIVES_MIDDLE.series, ARCHIVES_MIDDLE.level, committee.org_id)
    assert committee.post(f"/api/v1/paths/{again.json()['id']}/approve").status_code == 200
    assert_told(world, unit.account_id, "path_approved", "unit")


def test_a_refused_action_writes_no_notice(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    assert unit.return_(declaration, "   ").status_code == 422  # a return needs a comment (REV-1)
    assert messages(world, applicant.account_id) == []
