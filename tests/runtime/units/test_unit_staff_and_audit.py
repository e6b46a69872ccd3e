"""Issue 13, finding 11: an organisation's admin creates named staff accounts; each person logs
in with their own credentials; every audit and history entry names the person and the
organisation; an HR authority reads its region's audit (filters, XLSX export), 404 for an
organisation of another region."""

from __future__ import annotations

import io
import re
from typing import Any

from chain_helpers import ARCHIVES_MIDDLE, World, page_login
from openpyxl import load_workbook
from runtime_support import build_json, message, password_examples

from runtime.units import audit_log

NEW = password_examples("valid")[1]["password"]


def _staff(world: World, admin: Any, login: str, name: str, role: str = "reviewer") -> Any:
    n = world.next()
    body = {"login_name": login, "name": name, "mobile": f"1370631{n:04d}", "role": role}
    created = admin.post("/api/v1/units/me/staff", json=body)
    assert created.status_code == 201, created.text
    sms = world.client.get("/api/v1/dev/outbox").json()["messages"][0]
    assert sms["mobile"] == body["mobile"]
    temporary = re.search(r"[A-Za-z0-9_-]{12}", sms["text"])
    assert temporary and temporary.group(0) not in created.text  # the admin never sees it
    first = world.login(login, temporary.group(0))
    assert first.json()["password_change_required"] is True
    changed = world.client.post(
        "/api/v1/me/password",
        headers={"Authorization": f"Bearer {first.json()['token']}"},
        json={"current_password": temporary.group(0), "new_password": NEW, "new_password_confirm": NEW},
    )
    assert changed.status_code == 200, changed.text
    return world.actor(login, NEW)


def test_an_admin_creates_a_named_reviewer_who_acts_under_their_own_name(world: World) -> None:
    unit = world.permitted_unit("威海市人员示范公司", "371000")
    reviewer = _staff(world, unit, "wangshen", "王审核")
    assert reviewer.org_id == unit.org_id and reviewer.account_id != unit.account_id
    applicant = world.applicant()
    declaration = applicant.new_declaration(unit.org_id or "", ARCHIVES_MIDDLE)
    assert applicant.submit(declaration).status_code == 200
    returned = reviewer.return_(declaration, "请补充材料")
    assert returned.status_code == 200, returned.text
    history = applicant.get(f"/api/v1/declarations/{declaration}/history").json()["history"]
    last = history[-1]
    assert last["actor_name"] == "王审核" and last["org_name"] == "威海市人员示范公司"
    staff_page = page_login(world, unit.login).get("/staff").text
    role_title = world.svc.bundle.platform["roles"]["reviewer"]["title"]
    assert f">{role_title}</td>" in staff_page and ">reviewer</td>" not in staff_page  # the role as people call it


def test_only_the_admin_creates_staff_and_only_roles_of_the_organisation(world: World) -> None:
    unit = world.permitted_unit("威海市人员权限公司", "371000")
    reviewer = _staff(world, unit, "lishen", "李审核")
    body = {"login_name": "another1", "name": "赵某", "mobile": "13706319999", "role": "reviewer"}
    assert reviewer.post("/api/v1/units/me/staff", json=body).status_code == 403
    bad_role = unit.post("/api/v1/units/me/staff", json={**body, "role": "hr_admin"})
    assert bad_role.status_code == 422 and bad_role.json()["errors"][0]["path"] == "/role"
    bad = unit.post("/api/v1/units/me/staff", json={"login_name": "", "name": "", "mobile": "123", "role": "reviewer"})
    assert bad.status_code == 422
    assert {"/login_name", "/mobile", "/name"} <= {e["path"] for e in bad.json()["errors"]}
    taken = unit.post("/api/v1/units/me/staff", json={**body, "login_name": "lishen"})
    assert taken.status_code == 422


def test_audit_entries_name_the_person_and_the_organisation(world: World) -> None:
    unit = world.register_unit("文登区审计示范厂", "371003")
    wendeng = world.actor("wendeng_hrss")
    assert wendeng.post(f"/api/v1/units/{unit.org_id}/password-reset").status_code == 200
    row = world.one("SELECT * FROM audit WHERE action = 'password_reset' AND target = ?", (unit.account_id,))
    hr_name = world.one("SELECT name FROM accounts WHERE id = ?", (wendeng.account_id,))["name"]
    assert row["actor_name"] == hr_name and row["actor_org_id"] == "wendeng_hrss" and row["region"] == "wendeng"


def test_an_hr_authority_reads_its_regions_audit_with_filters(world: World) -> None:
    unit = world.register_unit("文登区日志示范厂", "371003")
    other = world.register_unit("乳山市日志示范厂", "371083")
    wendeng = world.actor("wendeng_hrss")
    wendeng.post(f"/api/v1/units/{unit.org_id}/password-reset")
    world.actor("rushan_hrss").post(f"/api/v1/units/{other.org_id}/password-reset")
    entries = wendeng.get("/api/v1/audit").json()["entries"]
    targets = {e["target"] for e in entries}
    assert unit.account_id in targets and other.account_id not in targets
    only = wendeng.get("/api/v1/audit", params={"action": "password_reset"}).json()["entries"]
    assert only and {e["action"] for e in only} == {"password_reset"}
    by_org = wendeng.get("/api/v1/audit", params={"org": unit.org_id}).json()["entries"]
    assert {e["actor_org_id"] for e in by_org} == {unit.org_id}
    today = world.svc.clock.today()
    assert wendeng.get("/api/v1/audit", params={"to": "2000-01-01"}).json()["entries"] == []
    assert wendeng.get("/api/v1/audit", params={"from": today.isoformat()}).json()["entries"]
    assert wendeng.get("/api/v1/audit", params={"org": other.org_id}).status_code == 404
    assert world.register_unit("文登区旁观厂", "371003").get("/api/v1/audit").status_code == 403


def test_the_city_bureau_sees_its_districts_and_the_districts_not_each_other(world: World) -> None:
    unit = world.register_unit("文登区城市日志厂", "371003")
    world.actor("wendeng_hrss").post(f"/api/v1/units/{unit.org_id}/password-reset")
    city = world.actor("weihai_hrss").get("/api/v1/audit", params={"action": "password_reset"}).json()["entries"]
    assert unit.account_id in {e["target"] for e in city}
    rushan = world.actor("rushan_hrss").get("/api/v1/audit", params={"action": "password_reset"}).json()["entries"]
    assert unit.account_id not in {e["target"] for e in rushan}


def test_the_audit_page_filters_and_exports_a_spreadsheet(world: World) -> None:
    unit = world.register_unit("文登区导出示范厂", "371003")
    world.actor("wendeng_hrss").post(f"/api/v1/units/{unit.org_id}/password-reset")
    browser = page_login(world, "wendeng_hrss")
    page = browser.get("/audit", params={"action": "password_reset"})
    assert page.status_code == 200 and message("audit_action_password_reset") in page.text
    exported = browser.get("/audit", params={"action": "password_reset", "format": "xlsx"})
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(exported.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == message("audit_at")
    assert any(unit.account_id in [str(v) for v in row] for row in values[1:])
    assert browser.get("/audit", params={"org": "rushan_hrss"}).status_code == 404
    bystander = world.register_unit("文登区旁观页面厂", "371003")
    assert page_login(world, bystander.login).get("/audit").status_code == 403


def test_every_workflow_step_in_the_audit_has_its_title_and_a_filter_entry(world: World) -> None:
    """A step of the workflow schema (the history shows it as declaration_<step>) is named by the
    step's title unless messages.yaml words it; a new step needs no Python and no message."""
    steps = build_json("workflow.json")["declaration"]["transitions"]
    offered = {a["value"]: a["title"] for a in audit_log.actions(world.svc)}
    for step in steps:
        action = f"declaration_{step['id']}"
        worded = world.svc.bundle.ui.get(f"audit_action_{action}")
        assert offered[action] == worded if worded else offered[action].startswith(step["title"]), action
    assert len(set(offered.values())) == len(offered)  # no two entries of the filter read the same
    page = page_login(world, "wendeng_hrss").get("/audit").text
    menu = re.search(r'<select id="action" name="action">(.*?)</select>', page, re.S)
    assert menu and f'<option value="">{message("audit_filter_all")}</option>' in menu.group(1)
    assert all(f'<option value="declaration_{s["id"]}">' in menu.group(1) for s in steps)
