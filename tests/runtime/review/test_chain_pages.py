"""The pages of units, paths and review work without JavaScript, with a CSRF token on every
form (UNIT-1, UNIT-3, UNIT-5, PATH-1..3, REV-1..5)."""

from __future__ import annotations

import re

from chain_helpers import ARCHIVES_MIDDLE, PASSWORD, World, page_login, uscc
from runtime_support import build_json, certificate_number, csrf_of, field_message, login_fields, message
from starlette.testclient import TestClient


def test_a_unit_registers_on_the_page_with_a_confirmation_step(world: World) -> None:
    client = TestClient(world.app, base_url="http://testserver")
    page = client.get("/register/unit")
    assert page.status_code == 200 and "威海市教育局" in page.text and "环翠区" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "login_name": "pageunit",
        "unit_name": "威海市页面注册单位",
        "uscc": uscc("371000", 42),
        "region": "371000",
        "supervisor": "weihai_education",
        "contact": "赵经办",
        "mobile": "13906311111",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    bad = client.post("/register/unit", data={**form, "mobile": "1"})
    assert bad.status_code == 422 and field_message("unit_registration", "/mobile", "format") in bad.text
    assert world.one("SELECT 1 AS x FROM accounts WHERE login_name = 'pageunit'") is None
    shown = client.post("/register/unit", data=form)
    assert shown.status_code == 200 and "确认之后单位名称无法自行修改" in shown.text
    assert (
        "威海市教育局" in shown.text and world.one("SELECT 1 AS x FROM accounts WHERE login_name = 'pageunit'") is None
    )
    pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
    assert pending
    done = client.post("/register/unit/confirm", data={"csrf_token": csrf_of(shown.text), "pending": pending.group(1)})
    assert done.status_code == 200
    org = world.one(
        "SELECT o.* FROM organisations o JOIN accounts a ON a.org_id = o.id WHERE a.login_name = 'pageunit'"
    )
    assert org["name"] == "威海市页面注册单位" and org["permitted"] == 0 and org["supervisor_id"] == "weihai_education"
    again = client.post("/register/unit/confirm", data={"csrf_token": csrf_of(shown.text), "pending": pending.group(1)})
    assert again.status_code == 409


def test_forms_without_the_csrf_token_are_refused(world: World) -> None:
    client = TestClient(world.app, base_url="http://testserver")
    assert client.post("/register/unit", data={"login_name": "x"}).status_code == 403
    unit = world.permitted_unit("威海市防伪单位", "371000")
    browser = page_login(world, unit.login)
    for path in ("/units/permission", "/paths", "/reports", "/me/totp", "/review/x/act", "/units/x/password-reset"):
        assert browser.post(path, data={"series": "档案"}).status_code in (403, 404), path


def test_the_permission_page_requests_and_the_hr_page_decides(world: World) -> None:
    unit = world.register_unit("环翠区页面权限单位", "371002")
    browser = page_login(world, unit.login)
    page = browser.get("/units/permission")
    assert page.status_code == 200 and message("permission_none") in page.text
    asked = browser.post(
        "/units/permission",
        data={"csrf_token": csrf_of(page.text), "uscc": uscc("371003", 5), "region": "371002", "supervisor": ""},
    )
    assert asked.status_code == 200 and "已提交所属地人社部门审核" in asked.text
    hr = page_login(world, "huancui_hrss")
    queue = hr.get("/permission-requests")
    assert "环翠区页面权限单位" in queue.text and "行政区划与所属地区不一致" in queue.text
    request_id = world.one("SELECT id FROM permission_requests WHERE org_id = ?", (unit.org_id,))["id"]
    decided = hr.post(f"/permission-requests/{request_id}/approve", data={"csrf_token": csrf_of(queue.text)})
    assert decided.status_code == 200
    assert world.one("SELECT permitted FROM organisations WHERE id = ?", (unit.org_id,))["permitted"] == 1
    reset = hr.post(f"/units/{unit.org_id}/password-reset", data={"csrf_token": csrf_of(queue.text)})
    assert reset.status_code == 200
    sms = world.client.get("/api/v1/dev/outbox").json()["messages"][0]["text"]
    temporary = re.search(r"([A-Za-z0-9_-]{12})", sms)  # by SMS to the unit, never on the page (issue 13)
    assert temporary and temporary.group(1) not in reset.text
    assert world.login(unit.login, temporary.group(1)).status_code == 200
    assert page_login(world, "wendeng_hrss").get("/permission-requests").text.count("环翠区页面权限单位") == 0
    assert browser.get("/permission-requests", follow_redirects=False).status_code == 303  # reset ended the session
    held = page_login(world, unit.login, temporary.group(1)).get("/permission-requests", follow_redirects=False)
    assert held.headers["location"] == "/password"  # the temporary password is changed first


def test_the_paths_and_routing_pages(world: World) -> None:
    unit = world.permitted_unit("威海市页面路径单位", "371000")
    browser = page_login(world, unit.login)
    page = browser.get("/paths", params={"series": "档案", "level": "中级"})
    assert page.status_code == 200 and '<option value="weihai_archives"' in page.text
    asked = browser.post(
        "/paths",
        data={"csrf_token": csrf_of(page.text), "series": "档案", "level": "中级", "upper_unit": "weihai_archives"},
    )
    assert asked.status_code == 200 and "路径申请已提交" in asked.text
    wrong = browser.post(
        "/paths",
        data={"csrf_token": csrf_of(page.text), "series": "档案", "level": "中级", "upper_unit": "weihai_hrss"},
    )
    assert wrong.status_code == 422 and "威海市档案局" in wrong.text
    archives = page_login(world, "weihai_archives")
    listed = archives.get("/paths")
    assert "威海市页面路径单位" in listed.text
    path_id = world.one("SELECT id FROM paths WHERE org_id = ?", (unit.org_id,))["id"]
    approved = archives.post(f"/paths/{path_id}/approve", data={"csrf_token": csrf_of(listed.text)})
    assert approved.status_code == 200
    assert world.one("SELECT state FROM paths WHERE id = ?", (path_id,))["state"] == "approved"

    chain = browser.get("/routing", params={"series": "档案", "level": "中级", "region": "371002"})
    assert re.findall(r"<li>(.*?)</li>", chain.text) == ["环翠区人力资源和社会保障局", "威海市档案局"]
    empty = browser.get("/routing", params={"series": "卫生技术", "level": "初级", "region": "371000"})
    assert empty.status_code == 404 and "对照表中该系列、该级别为空" in empty.text


def test_review_return_report_and_result_on_the_pages(world: World) -> None:
    title = ARCHIVES_MIDDLE
    unit = world.permitted_unit("威海市页面审核单位", "371000")
    world.approved_path(unit, world.actor("weihai_archives"), title)
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, title)
    applicant.submit(declaration)

    browser = page_login(world, unit.login)
    queue = browser.get("/review", params={"series": "档案", "level": "中级"})
    assert queue.status_code == 200 and f"/review/{declaration}" in queue.text
    assert declaration not in browser.get("/review", params={"series": "工程技术"}).text
    detail = browser.get(f"/review/{declaration}")
    rank = build_json("forms/declaration/header.json")["schema"]["properties"]["rank"]["title"]
    assert detail.status_code == 200 and rank in detail.text and 'value="return"' in detail.text
    no_comment = browser.post(
        f"/review/{declaration}/act", data={"csrf_token": csrf_of(detail.text), "transition": "return", "comment": ""}
    )
    assert no_comment.status_code == 422 and message("comment_required") in no_comment.text
    returned = browser.post(
        f"/review/{declaration}/act",
        data={
            "csrf_token": csrf_of(detail.text),
            "transition": "return",
            "comment": "请补充近五年继续教育",
            "sections": "continuing_education",
        },
    )
    assert returned.status_code == 200
    assert applicant.get(f"/api/v1/declarations/{declaration}").json()["editable_sections"] == ["continuing_education"]
    reopened = build_json("forms/declaration/continuing_education.json")["title"]
    history = browser.get(f"/review/{declaration}").text
    assert f"{message('reopen_sections')}: {reopened})" in history  # the section by its title, not its id
    person = page_login(world, applicant.login)
    assert "请补充近五年继续教育" in person.get("/declarations").text
    assert applicant.submit(declaration).status_code == 200

    detail = browser.get(f"/review/{declaration}")
    passed = browser.post(f"/review/{declaration}/act", data={"csrf_token": csrf_of(detail.text), "transition": "pass"})
    passed_title = build_json("workflow.json")["declaration"]["states"]["passed"]["title"]
    assert passed.status_code == 200 and passed_title in passed.text
    report_page = browser.get("/reports", params={"series": "档案", "level": "中级"})
    assert f'value="{declaration}"' in report_page.text
    reported = browser.post(
        "/reports",
        data={
            "csrf_token": csrf_of(report_page.text),
            "series": "档案",
            "level": "中级",
            "declaration_ids": declaration,
        },
    )
    assert reported.status_code == 200 and message("report_done", count=1) in reported.text

    committee = page_login(world, "weihai_archives")
    detail = committee.get(f"/review/{declaration}")
    committee.post(f"/review/{declaration}/act", data={"csrf_token": csrf_of(detail.text), "transition": "pass"})
    detail = committee.get(f"/review/{declaration}")
    assert 'value="record_pass"' in detail.text and 'value="record_fail"' in detail.text
    recorded = committee.post(
        f"/review/{declaration}/act", data={"csrf_token": csrf_of(detail.text), "transition": "record_pass"}
    )
    assert recorded.status_code == 200 and 'id="certificate-no"' not in recorded.text
    # COM-5, PUB-2: the result is published first; once its publicity is over it is confirmed
    world.wait_out_publicity()
    committee = page_login(world, "weihai_archives")
    detail = committee.get(f"/review/{declaration}")
    assert 'value="confirm_pass"' in detail.text and 'value="correct_to_fail"' in detail.text
    recorded = committee.post(
        f"/review/{declaration}/act", data={"csrf_token": csrf_of(detail.text), "transition": "confirm_pass"}
    )
    shown = re.search(r'id="certificate-no">([^<]+)<', recorded.text)
    assert shown and certificate_number(world.svc.bundle.committee, 2026).fullmatch(shown.group(1))
    history = re.search(r'<table class="grid" id="history"[^>]*>(.*?)</table>', recorded.text, re.S)
    assert history and history.group(1).count("<tr>") == 9  # header + 8 steps
    assert "请补充近五年继续教育" in history.group(1)
    # a foreign organisation gets 404 for the page
    other = world.permitted_unit("威海市其他页面单位", "371000")
    assert page_login(world, other.login).get(f"/review/{declaration}").status_code == 404
    assert page_login(world, applicant.login).get("/review").status_code == 403


def test_the_totp_page_turns_the_second_factor_on_and_login_asks_for_it(world: World) -> None:
    from runtime.accounts import totp

    unit = world.register_unit("威海市页面动态口令单位", "371000")
    browser = page_login(world, unit.login)
    page = browser.get("/me/totp")
    started = browser.post("/me/totp", data={"csrf_token": csrf_of(page.text), "action": "enable"})
    secret = re.search(r"添加密钥([A-Z2-7]+)", started.text)
    assert secret
    code = totp.code_at(secret.group(1), world.svc.clock.now())
    confirmed = browser.post("/me/totp", data={"csrf_token": csrf_of(page.text), "action": "confirm", "code": code})
    assert "动态口令已开启" in confirmed.text
    client = TestClient(world.app, base_url="http://testserver")
    login_page = client.get("/login").text
    refused = client.post(
        "/login",
        data={**login_fields(login_page), "account": unit.login, "password": PASSWORD},
        follow_redirects=False,
    )
    assert refused.status_code == 401 and "请填写动态口令" in refused.text
    world.svc.clock.advance(seconds=30)  # the confirming code is spent
    fresh = totp.code_at(secret.group(1), world.svc.clock.now())
    assert page_login(world, unit.login, totp_code=fresh).get("/review").status_code == 200
