"""The demo data (`make run`): every authority has an account whose role fits its place in the
chains, and demo units of several regions can report along approved paths at once."""

from __future__ import annotations

from chain_helpers import World

from runtime.demo.seed import DEMO_PASSWORD, authority_role, seed_demo


def test_authority_roles_follow_their_kinds() -> None:
    assert authority_role(["region_hr", "department"]) == "hr_admin"
    assert authority_role(["region_hr"]) == "hr_admin"
    assert authority_role(["department", "supervisor"]) == "committee_office"
    assert authority_role(["department"]) == "committee_office"
    assert authority_role(["support"]) == "support"


def test_the_demo_runs_twice_and_its_units_have_approved_paths(world: World) -> None:
    first = seed_demo(world.svc)
    assert seed_demo(world.svc) == first
    units = world.all("SELECT o.id, o.region, o.supervisor_id FROM organisations o WHERE o.authority = 0")
    assert {u["region"] for u in units} >= {"weihai", "huancui", "rongcheng", "gaoqu"}
    assert any(u["supervisor_id"] for u in units if u["region"] == "huancui")
    assert any(u["supervisor_id"] == "weihai_education" for u in units)
    school = world.actor("unit4", DEMO_PASSWORD)
    paths = school.get("/api/v1/paths").json()["mine"]
    assert {(p["series"], p["level"], p["state"]) for p in paths} >= {("档案", "中级", "approved")}
    supervisor = world.actor("supervisor1", DEMO_PASSWORD)
    assert {p["upper_name"] for p in supervisor.get("/api/v1/paths").json()["mine"]} == {"环翠区人力资源和社会保障局"}


def test_the_demo_has_declarations_in_every_state_and_one_certificate(world: World) -> None:
    seed_demo(world.svc)
    rows = world.all(
        "SELECT a.login_name, d.state, d.certificate_no FROM declarations d JOIN accounts a ON a.id = d.person_id"
    )
    states = {r["login_name"]: r["state"] for r in rows}
    assert states == {
        "lisi": "submitted",
        "wangwu": "returned",
        "zhaoliu": "submitted",
        "sunqi": "approved",
        "zhouba": "rejected",
    }
    assert [r["login_name"] for r in rows if r["certificate_no"]] == ["sunqi"]
    returned = world.all("SELECT comment FROM history WHERE transition = 'return'")
    assert returned and returned[0]["comment"]


def test_outside_every_notice_window_the_demo_makes_no_declarations(world: World) -> None:
    world.svc.clock.advance(days=60)  # after the 2026 notice closed
    seed_demo(world.svc)
    assert world.all("SELECT id FROM declarations") == []


def test_demo_applicants_have_registration_data_that_agrees_with_their_id_numbers(world: World) -> None:
    import json

    from runtime_support import ROOT

    seed_demo(world.svc)
    form = json.loads((ROOT / "build" / "forms" / "person_registration.json").read_text("utf-8"))
    (agrees,) = [r for r in form["rules"] if r["kind"] == "id-card-agrees"]
    sexes = agrees["params"]["sexes"]
    people = world.all("SELECT login_name, id_number, data FROM accounts WHERE kind = 'person' AND role = 'applicant'")
    assert len(people) >= 6
    for person in people:
        data = json.loads(person["data"])
        number = person["id_number"]
        assert data["birth_date"] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}", person["login_name"]
        assert data["sex"] == sexes["odd" if int(number[16]) % 2 else "even"], person["login_name"]
        assert data["ethnicity"], person["login_name"]
