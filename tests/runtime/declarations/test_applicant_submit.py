"""DEC-18 确定申报 and DEC-19 我的申报信息: only inside the notice window, only when every
section validates, read-only afterwards, listed with state and holder."""

from __future__ import annotations

from datetime import UTC, datetime

from applicant_helpers import Applicant, World, valid_sections
from runtime_support import build_json, csrf_of, field_message, message


def _submit(applicant: Applicant, declaration_id: str) -> object:
    return applicant.post(f"/api/v1/declarations/{declaration_id}/submit")


def test_a_complete_declaration_is_submitted_to_the_declaring_unit(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    response = applicant.post(f"/api/v1/declarations/{filled}/submit")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["holder_org_id"], body["holder"]) == ("submitted", unit_id, "威海市测试档案服务中心")
    row = world.one("SELECT * FROM declarations WHERE id = ?", (filled,))
    assert row["chain"] == f'["{unit_id}","weihai_archives"]'
    history = applicant.get(f"/api/v1/declarations/{filled}/history").json()["history"]
    assert [(h["transition"], h["from_state"], h["to_state"], h["actor_id"]) for h in history] == [
        ("submit", "draft", "submitted", applicant.id)
    ]
    workflow = build_json("workflow.json")["declaration"]
    assert history[0]["transition_title"] == next(t["title"] for t in workflow["transitions"] if t["id"] == "submit")


def test_submitting_with_errors_lists_every_sections_errors(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    response = applicant.post(f"/api/v1/declarations/{declaration_id}/submit")
    assert response.status_code == 422
    errors = response.json()["errors"]
    sections = {e["section"] for e in errors}
    assert {"header", "education", "current_title", "language_computer", "work_experience", "performance"} <= sections
    assert all(e["path"].startswith(f"/sections/{e['section']}/") for e in errors)
    assert all(e["message"] for e in errors)
    assert world.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"] == "draft"
    assert world.one("SELECT COUNT(*) AS n FROM history")["n"] == 0


def test_one_bad_section_blocks_the_submit(world: World, applicant: Applicant, unit_id: str, filled: str) -> None:
    applicant.put(f"/api/v1/declarations/{filled}/sections/performance?draft=true", json={"achievements_text": "短"})
    response = applicant.post(f"/api/v1/declarations/{filled}/submit")
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["/sections/performance/achievements_text"]


def test_submitting_outside_the_notice_window_is_a_conflict(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    world.clock.freeze(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 2027-01-01 00:00 in Weihai
    token = world.api_login("applicant1").json()["token"]
    response = world.client.post(f"/api/v1/declarations/{filled}/submit", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "outside_window"
    assert world.one("SELECT state FROM declarations WHERE id = ?", (filled,))["state"] == "draft"


def test_the_last_minute_of_the_window_still_counts(world: World, applicant: Applicant, filled: str) -> None:
    world.clock.freeze(datetime(2026, 12, 31, 15, 59, tzinfo=UTC))  # 2026-12-31 23:59 in Weihai
    token = world.api_login("applicant1").json()["token"]
    response = world.client.post(f"/api/v1/declarations/{filled}/submit", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_submitting_twice_is_a_conflict(world: World, applicant: Applicant, filled: str) -> None:
    assert applicant.post(f"/api/v1/declarations/{filled}/submit").status_code == 200
    again = applicant.post(f"/api/v1/declarations/{filled}/submit")
    assert again.status_code == 409
    assert world.one("SELECT COUNT(*) AS n FROM history")["n"] == 1


def test_a_submitted_declaration_is_read_only(world: World, applicant: Applicant, unit_id: str, filled: str) -> None:
    applicant.post(f"/api/v1/declarations/{filled}/submit")
    before = world.all("SELECT * FROM sections WHERE declaration_id = ? ORDER BY section_id", (filled,))
    for section, doc in valid_sections(unit_id).items():
        response = applicant.save(filled, section, doc)
        assert response.status_code == 409, section
        assert response.json()["errors"][0]["message"] == message("not_editable")
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    upload = applicant.post(
        f"/api/v1/declarations/{filled}/attachments",
        data={"section_id": "education", "kind": "verification"},
        files={"file": ("x.pdf", pdf, "application/pdf")},
    )
    assert upload.status_code == 409
    assert world.all("SELECT * FROM sections WHERE declaration_id = ? ORDER BY section_id", (filled,)) == before
    assert applicant.get(f"/api/v1/declarations/{filled}").json()["editable_sections"] == []


def test_a_unit_without_permission_cannot_be_chosen(world: World, applicant: Applicant) -> None:
    unpermitted = world.unit("威海市未授权档案单位", permitted=0)
    declaration_id = applicant.new_declaration()
    # not permitted, an authority, a name that no unit has
    cases = (
        (unpermitted, "unit_not_permitted"),
        ("weihai_hrss", "unit_not_permitted"),
        ("不存在的单位", "unit_not_found"),
    )
    for unit, code in cases:
        response = applicant.save(declaration_id, "header", valid_sections(unit)["header"])
        assert response.status_code == 422
        assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [("/unit", code)]


def test_a_unit_that_lost_its_permission_cannot_receive_the_declaration(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    with world.db() as conn:
        conn.execute("UPDATE organisations SET permitted = 0 WHERE id = ?", (unit_id,))
    response = applicant.post(f"/api/v1/declarations/{filled}/submit")
    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [
        ("/sections/header/unit", "unit_not_permitted")
    ]


def test_a_series_and_level_without_a_routing_cell_cannot_be_submitted(world: World, applicant: Applicant) -> None:
    unit_id = world.unit()
    declaration_id = applicant.new_declaration()
    applicant.fill(declaration_id, unit_id)
    header = {
        **valid_sections(unit_id)["header"],
        "series": "党校教师",
        "level": "初级",
        "title": "助教",
        "specialty": "哲学",
    }
    assert applicant.save(declaration_id, "header", header).status_code == 200
    response = applicant.post(f"/api/v1/declarations/{declaration_id}/submit")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "no_route"


def test_my_declarations_lists_state_and_holder(world: World, applicant: Applicant, unit_id: str, filled: str) -> None:
    listed = applicant.get("/api/v1/declarations").json()["declarations"]
    assert [(d["id"], d["state"], d["holder"]) for d in listed] == [(filled, "draft", None)]
    applicant.post(f"/api/v1/declarations/{filled}/submit")
    listed = applicant.get("/api/v1/declarations").json()["declarations"]
    assert [(d["state"], d["state_title"], d["holder"], d["series"], d["level"]) for d in listed] == [
        ("submitted", "待审核", "威海市测试档案服务中心", "档案", "中级")
    ]
    full = applicant.get(f"/api/v1/declarations/{filled}").json()
    assert full["state"] == "submitted" and full["history"][0]["transition"] == "submit"
    assert full["actions"] == []


def test_the_pages_submit_and_then_show_the_declaration_read_only(
    world: World, applicant: Applicant, unit_id: str, filled: str
) -> None:
    client = world.page_client()
    world.page_login(client, "applicant1")
    overview = client.get(f"/declarations/{filled}")
    assert 'data-state="errors"' not in overview.text and 'data-state="done"' in overview.text
    confirm = client.get(f"/declarations/{filled}/submit")
    assert confirm.status_code == 200 and 'id="confirm-submit-button"' in confirm.text
    assert world.one("SELECT state FROM declarations WHERE id = ?", (filled,))["state"] == "draft"  # not yet
    done = client.post(f"/declarations/{filled}/submit", data={"csrf_token": csrf_of(confirm.text), "confirmed": "1"})
    assert done.status_code == 200
    assert "申报数据已提交" in done.text and "待审核" in done.text and 'id="submit-declaration"' not in done.text
    section = client.get(f"/declarations/{filled}/sections/header")
    assert message("read_only") in section.text
    assert 'id="save"' not in section.text and "upload-form" not in section.text
    mine = client.get("/declarations")
    assert "待审核" in mine.text and "威海市测试档案服务中心" in mine.text
    forged = client.post(
        f"/declarations/{filled}/sections/header",
        data={"csrf_token": csrf_of(section.text), "rank": "2/2"},
    )
    assert forged.status_code == 409
    assert (
        world.one("SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (filled,))[
            "data"
        ].count('"rank":"1/1"')
        == 1
    )


def test_the_submit_page_lists_every_error_with_links_to_the_fields(world: World, applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    client = world.page_client()
    world.page_login(client, "applicant1")
    overview = client.get(f"/declarations/{declaration_id}")
    refused = client.post(f"/declarations/{declaration_id}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert refused.status_code == 422
    assert field_message("declaration/header", "/rank") in refused.text
    assert f"/declarations/{declaration_id}/sections/header?check=1#rank" in refused.text
    assert f"/declarations/{declaration_id}/sections/education?check=1#basis" in refused.text


def test_the_page_says_when_the_window_is_closed(world: World, applicant: Applicant, filled: str) -> None:
    world.clock.freeze(datetime(2027, 1, 5, 2, 0, tzinfo=UTC))
    client = world.page_client()
    world.page_login(client, "applicant1")
    overview = client.get(f"/declarations/{filled}")
    refused = client.post(f"/declarations/{filled}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert refused.status_code == 409 and message("outside_window") in refused.text
    assert message("no_open_notice") in client.get("/declarations").text
