"""Path requests (PATH-1): only to the next organisation of the chain, decided by it alone;
nothing is reported without an approved path."""

from __future__ import annotations

from chain_helpers import ENGINEERING_SENIOR, ENGINEERING_VICE, World
from runtime_support import message


def test_a_district_unit_with_a_supervisor_may_only_ask_the_supervisor(world: World) -> None:
    supervisor = world.supervisor("环翠区卫生健康局", "huancui")
    unit = world.permitted_unit("环翠区某某医院", "371002", supervisor.org_id)
    wrong = unit.request_path("档案", "中级", "huancui_hrss")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["message"] == message("path_wrong_upper", names="环翠区卫生健康局")
    assert unit.request_path("档案", "中级", str(supervisor.org_id)).status_code == 201


def test_a_district_unit_without_a_supervisor_asks_its_hr_authority(world: World) -> None:
    unit = world.permitted_unit("文登区某某工厂", "371003")
    assert unit.request_path("工程技术", "中级", "weihai_industry").status_code == 422
    asked = unit.request_path("工程技术", "中级", "wendeng_hrss")
    assert asked.status_code == 201 and asked.json()["state"] == "pending"


def test_a_city_unit_without_a_supervisor_asks_the_tables_department(world: World) -> None:
    unit = world.permitted_unit("威海市某某建筑设计院", "371000")
    assert unit.request_path("建设工程", "副高级", "weihai_hrss").status_code == 422
    assert unit.request_path("建设工程", "副高级", "weihai_housing").status_code == 201
    assert unit.request_path("建设工程", "正高级", "weihai_hrss").status_code == 201


def test_supervisors_and_hr_authorities_ask_for_their_own_upward_path(world: World) -> None:
    supervisor = world.supervisor("荣成市教育局", "rongcheng")
    world.permitted_unit("荣成市某某学校", "371082", supervisor.org_id)
    assert supervisor.request_path("中小学教师", "中级", "weihai_education").status_code == 422
    assert supervisor.request_path("中小学教师", "中级", "rongcheng_hrss").status_code == 201
    district_hr = world.actor("rongcheng_hrss")
    assert district_hr.request_path("中小学教师", "中级", "weihai_education").status_code == 201
    city_supervisor = world.actor("weihai_education")  # also the supervisor of city schools
    assert city_supervisor.request_path("工程技术", "正高级", "weihai_hrss").status_code == 201
    end = city_supervisor.request_path("中小学教师", "中级", "weihai_hrss")
    assert end.status_code == 422 and end.json()["errors"][0]["code"] == "path_chain_end"


def test_an_empty_cell_has_no_path_to_ask_for(world: World) -> None:
    unit = world.permitted_unit("威海市某某卫生院", "371000")
    response = unit.request_path("卫生技术", "中级", "weihai_health")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message("routing_empty_cell")


def test_bad_path_requests_are_422_and_duplicates_409(world: World) -> None:
    unit = world.permitted_unit("威海市某某档案服务公司", "371000")
    assert unit.post("/api/v1/paths", json={"series": "档案", "level": "特级", "upper_unit_id": "x"}).status_code == 422
    assert unit.post("/api/v1/paths", json=["档案"]).status_code == 422
    assert unit.request_path("档案", "中级", "no_such_org").status_code == 422
    assert unit.request_path("档案", "中级", "weihai_archives").status_code == 201
    assert unit.request_path("档案", "中级", "weihai_archives").status_code == 409


def test_a_unit_without_permission_cannot_ask_for_a_path(world: World) -> None:
    unit = world.register_unit("威海市未授权单位", "371000")
    assert unit.request_path("档案", "中级", "weihai_archives").status_code == 403


def test_only_the_upper_organisation_decides_and_others_do_not_see_the_request(world: World) -> None:
    unit = world.permitted_unit("威海市某某数据公司", "371000")
    other = world.permitted_unit("威海市其他公司", "371000")
    asked = unit.request_path("档案", "中级", "weihai_archives").json()
    assert unit.post(f"/api/v1/paths/{asked['id']}/approve").status_code == 403
    assert other.post(f"/api/v1/paths/{asked['id']}/approve").status_code == 404
    assert world.actor("weihai_hrss").post(f"/api/v1/paths/{asked['id']}/approve").status_code == 404
    assert other.get("/api/v1/paths").json() == {"mine": [], "to_me": []}
    archives = world.actor("weihai_archives")
    assert [p["id"] for p in archives.get("/api/v1/paths").json()["to_me"]] == [asked["id"]]
    assert [p["id"] for p in unit.get("/api/v1/paths").json()["mine"]] == [asked["id"]]
    assert archives.post(f"/api/v1/paths/{asked['id']}/reject", json={"comment": ""}).status_code == 422
    rejected = archives.post(f"/api/v1/paths/{asked['id']}/reject", json={"comment": "请先完成单位信息核实"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert archives.post(f"/api/v1/paths/{asked['id']}/approve").status_code == 409
    again = unit.request_path("档案", "中级", "weihai_archives")
    assert again.status_code == 201  # a rejected request may be made again


def test_nothing_is_reported_without_an_approved_path(world: World) -> None:
    title = ENGINEERING_SENIOR
    unit = world.permitted_unit("威海市某某重工公司", "371000")
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, title)
    assert applicant.submit(declaration).status_code == 200
    assert unit.pass_(declaration).status_code == 200
    refused = unit.report(title, declaration)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["message"] == message("no_path")
    pending = unit.request_path(title.series, title.level, "weihai_hrss").json()
    assert unit.report(title, declaration).status_code == 409  # pending is not approved
    world.approved_path(unit, world.actor("weihai_industry"), ENGINEERING_VICE)  # another level does not help
    assert unit.report(title, declaration).status_code == 409
    assert world.actor("weihai_hrss").post(f"/api/v1/paths/{pending['id']}/approve").status_code == 200
    assert unit.report(title, declaration).status_code == 200
