"""Two declarations from the applicant to the committee office (REV-1..5, PATH-1..3, UNIT-3):
one from a district unit with a supervising department, one from a city unit without one."""

from __future__ import annotations

from chain_helpers import ARCHIVES_MIDDLE, ENGINEERING_SENIOR, World
from runtime_support import certificate_number


def _transitions(world: World, declaration_id: str, actor: object) -> list[tuple[str, str, str]]:
    history = actor.get(f"/api/v1/declarations/{declaration_id}/history").json()["history"]  # type: ignore[attr-defined]
    return [(h["transition"], h["from_state"] or "", h["to_state"]) for h in history]


def test_a_district_declaration_with_a_supervisor_travels_every_level_to_a_certificate(world: World) -> None:
    title = ARCHIVES_MIDDLE
    supervisor = world.supervisor("环翠区教育和体育局", "huancui")
    unit = world.permitted_unit("环翠区第二实验小学", "371002", supervisor.org_id)
    district_hr = world.actor("huancui_hrss")
    committee = world.actor("weihai_archives")
    # PATH-2: unit -> supervisor -> district HR -> the city table's department for 档案 × 中级
    chain = unit.get(
        "/api/v1/routing",
        params={"series": title.series, "level": title.level, "region": "huancui", "supervisor": supervisor.org_id},
    ).json()["names"]
    assert chain == ["环翠区教育和体育局", "环翠区人力资源和社会保障局", "威海市档案局"]
    world.approved_path(unit, supervisor, title)
    world.approved_path(supervisor, district_hr, title)
    world.approved_path(district_hr, committee, title)

    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, title)
    assert applicant.submit(declaration).status_code == 200

    # REV-1, REV-5: the unit returns it with a comment, reopening only the header
    returned = unit.return_(declaration, "单位推荐排序有误,请核对", ["header"])
    assert returned.status_code == 200, returned.text
    assert returned.json()["holder_org_id"] is None and returned.json()["state"] == "returned"
    mine = applicant.get(f"/api/v1/declarations/{declaration}").json()
    assert mine["editable_sections"] == ["header"]
    assert any(h["comment"] == "单位推荐排序有误,请核对" for h in mine["history"])
    blocked = applicant.put(
        f"/api/v1/declarations/{declaration}/sections/performance", {"achievements_text": "改" * 60}
    )
    assert blocked.status_code == 409
    header = {**mine["sections"]["header"], "rank": "2/3"}
    assert applicant.put(f"/api/v1/declarations/{declaration}/sections/header", header).status_code == 200
    assert applicant.submit(declaration).status_code == 200

    # each level reviews and reports up (REV-2) until the committee office
    for lower in (unit, supervisor, district_hr):
        assert lower.pass_(declaration, "同意上报").status_code == 200
        reported = lower.report(title, declaration)
        assert reported.status_code == 200, reported.text
    assert committee.pass_(declaration).status_code == 200
    recorded = committee.result(declaration, True)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["state"] == "pass_publicity" and recorded.json()["certificate_no"] is None
    # COM-5, PUB-2: final, with a certificate, only after the result's publicity
    assert committee.confirm(declaration).status_code == 409
    world.wait_out_publicity()
    committee = world.actor("weihai_archives")
    confirmed = committee.confirm(declaration)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "approved"
    assert certificate_number(world.svc.bundle.committee, 2026).fullmatch(confirmed.json()["certificate_no"])

    # REV-4: every step, who and where
    assert _transitions(world, declaration, committee) == [
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("pass", "submitted", "passed"),
        ("report", "passed", "submitted"),
        ("pass", "submitted", "passed"),
        ("report", "passed", "submitted"),
        ("pass", "submitted", "passed"),
        ("report", "passed", "submitted"),
        ("pass", "submitted", "passed"),
        ("record_pass", "passed", "pass_publicity"),
        ("confirm_pass", "pass_publicity", "approved"),
    ]
    history = committee.get(f"/api/v1/declarations/{declaration}/history").json()["history"]
    assert [h["org_id"] for h in history if h["transition"] == "report"] == [
        unit.org_id,
        supervisor.org_id,
        district_hr.org_id,
    ]
    assert all(h["at"] and h["actor_id"] for h in history)


def test_a_city_declaration_without_a_supervisor_goes_straight_to_the_committee(world: World) -> None:
    title = ENGINEERING_SENIOR
    unit = world.permitted_unit("威海市精密机械有限公司", "371000")
    committee = world.actor("weihai_hrss")  # the city HR bureau organises the 工程技术 正高级 committee
    chain = unit.get("/api/v1/routing", params={"series": title.series, "level": title.level, "region": "weihai"})
    assert chain.json()["names"] == ["威海市人力资源和社会保障局"]
    world.approved_path(unit, committee, title)

    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, title)
    assert applicant.submit(declaration).status_code == 200
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(title, declaration).status_code == 200

    # the committee returns it: back to the unit that sent it, which passes it on down
    back = committee.return_(declaration, "代表性成果佐证材料不全")
    assert back.status_code == 200 and back.json()["holder_org_id"] == unit.org_id
    assert applicant.submit(declaration).status_code == 409  # the unit holds it, not the applicant
    down = unit.return_(declaration, "请补充代表性成果佐证材料")
    assert down.status_code == 200 and down.json()["holder_org_id"] is None
    listed = applicant.get("/api/v1/declarations").json()["declarations"]
    assert listed[0]["state"] == "returned"
    assert applicant.submit(declaration).status_code == 200

    assert unit.pass_(declaration).status_code == 200
    assert unit.report(title, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    recorded = committee.result(declaration, False)
    assert recorded.status_code == 200 and recorded.json()["state"] == "fail_publicity"
    assert recorded.json()["certificate_no"] is None
    assert [t for t, _, _ in _transitions(world, declaration, committee)] == [
        "submit",
        "pass",
        "report",
        "return",
        "return",
        "submit",
        "pass",
        "report",
        "pass",
        "record_fail",
    ]
