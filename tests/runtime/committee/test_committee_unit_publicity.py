"""Unit publicity (PUB-1) as a workflow step at the declaring unit: a copy of schemas/ gets the
publicity state, the `start_unit_publicity` step and the report guard `unit_publicity_done`
(a YAML edit, no Python); the unit starts the publicity of a series × level, people of the
unit see the list with only the policy's fields and object in their own name, the unit ends
it after the policy's working days, uploads the stamped report form, then reports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, Actor, World, page_login
from runtime_support import INSIDE_WINDOW, ROOT, csrf_of
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock
from runtime.committee import workdays

PDF = b"%PDF-1.4\n%stamped report form\n"


def with_unit_publicity(workflow: str) -> str:
    """The edit a policy author makes to schemas/workflow/declaration.yaml to require PUB-1."""
    state = "  passed:    {title: '审核通过,待上报'}\n"
    assert state in workflow
    edited = workflow.replace(state, state + "  unit_publicity: {title: 单位公示中}\n")
    step = (
        "  - id: start_unit_publicity\n    title: 单位公示\n    from: [passed]\n    to: unit_publicity\n"
        "    by: [reviewer, unit_admin]\n    holder: keep\n    rule: PUB-1\n  - id: report\n"
    )
    edited = edited.replace("  - id: report\n", step, 1)
    head, tail = edited.split("  - id: report\n", 1)
    tail = tail.replace("from: [passed]", "from: [passed, unit_publicity]", 1)
    tail = tail.replace(
        "guards: [path_approved, not_at_chain_end]", "guards: [path_approved, not_at_chain_end, unit_publicity_done]", 1
    )
    return head + "  - id: report\n" + tail


@pytest.fixture
def pub(tmp_path: Path) -> Iterator[World]:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    path = schemas / "workflow" / "declaration.yaml"
    path.write_text(with_unit_publicity(path.read_text("utf-8")), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, [str(d) for d in result.report.errors]
    write_build(result.artifacts, tmp_path / "build")
    clock = Clock(8)
    clock.freeze(INSIDE_WINDOW)
    app = create_app(tmp_path / "build", tmp_path / "data", dev=True, clock=clock, schemas_dir=schemas)
    with TestClient(app, base_url="http://testserver") as client:
        world = World(client, app)
        world.seed_authorities()
        yield world
    app.state.services.storage.close()


def passed_at_unit(world: World, count: int = 2) -> tuple[Actor, Actor, list[Actor], list[str]]:
    unit = world.permitted_unit("威海市公示单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, ARCHIVES_MIDDLE)
    people, ids = [], []
    assert unit.org_id
    for _ in range(count):
        person = world.applicant()
        declaration = person.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
        assert person.submit(declaration).status_code == 200
        assert unit.pass_(declaration).status_code == 200
        people.append(person)
        ids.append(declaration)
    return unit, committee, people, ids


def start(unit: Actor) -> Any:
    return unit.post(
        "/api/v1/unit-publicities", json={"series": ARCHIVES_MIDDLE.series, "level": ARCHIVES_MIDDLE.level}
    )


def test_the_unit_cannot_report_before_its_publicity_ended_with_a_stamped_report(pub: World) -> None:
    world = pub
    unit, _, _, ids = passed_at_unit(world)
    refused = unit.report(ARCHIVES_MIDDLE, *ids)
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "publicity_required"

    started = start(unit)
    assert started.status_code == 201, started.text
    publicity = started.json()["id"]
    states = {world.one("SELECT state FROM declarations WHERE id = ?", (d,))["state"] for d in ids}
    assert states == {"unit_publicity"}
    days = world.svc.bundle.committee["unit_publicity"]["working_days"]
    assert started.json()["ends_on"] == workdays.add(world.svc, world.svc.clock.today(), days).isoformat()

    early = unit.post(f"/api/v1/unit-publicities/{publicity}/end")
    assert early.status_code == 409 and started.json()["ends_on"] in early.json()["errors"][0]["message"]
    assert unit.report(ARCHIVES_MIDDLE, *ids).status_code == 409

    world.svc.clock.advance(
        days=(workdays.add(world.svc, world.svc.clock.today(), days) - world.svc.clock.today()).days
    )
    unit = world.actor(unit.login)
    upload_early = unit.client.post(
        f"/api/v1/unit-publicities/{publicity}/report-form",
        files={"file": ("报告表.pdf", PDF, "application/pdf")},
        headers=unit.headers,
    )
    assert upload_early.status_code == 409
    assert unit.post(f"/api/v1/unit-publicities/{publicity}/end").status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, *ids).status_code == 409  # no report form yet
    bad = unit.client.post(
        f"/api/v1/unit-publicities/{publicity}/report-form",
        files={"file": ("x.pdf", b"MZ\x90", "application/pdf")},
        headers=unit.headers,
    )
    assert bad.status_code == 415
    uploaded = unit.client.post(
        f"/api/v1/unit-publicities/{publicity}/report-form",
        files={"file": ("报告表.pdf", PDF, "application/pdf")},
        headers=unit.headers,
    )
    assert uploaded.status_code == 200 and uploaded.json()["report_name"] == "报告表.pdf"
    reported = unit.report(ARCHIVES_MIDDLE, *ids)
    assert reported.status_code == 200, reported.text
    committee = world.actor("weihai_archives")
    steps = [h["transition"] for h in committee.get(f"/api/v1/declarations/{ids[0]}/history").json()["history"]]
    assert steps == ["submit", "pass", "start_unit_publicity", "report"]


def test_people_of_the_unit_see_only_the_policy_fields_and_object_in_their_own_name(pub: World) -> None:
    world = pub
    unit, _, people, ids = passed_at_unit(world)
    publicity = start(unit).json()["id"]
    seen = people[0].get(f"/api/v1/unit-publicities/{publicity}")
    assert seen.status_code == 200
    body = seen.json()
    assert body["columns"] == [f["title"] for f in world.svc.bundle.committee["unit_publicity"]["fields"]]
    id_number = world.one("SELECT id_number FROM accounts WHERE id = ?", (people[1].account_id,))["id_number"]
    assert id_number not in seen.text
    limit = world.svc.bundle.committee["unit_publicity"]["summary_length"]
    assert all(len(v) <= limit + 1 for row in body["rows"] for v in row["values"])

    made = people[0].post(
        f"/api/v1/unit-publicities/{publicity}/objections",
        json={"declaration_id": ids[1], "text": "业绩材料与实际不符"},
    )
    assert made.status_code == 201
    listed = unit.get(f"/api/v1/unit-publicities/{publicity}").json()["objections"]
    assert listed[0]["text"] == "业绩材料与实际不符" and listed[0]["by_name"]
    for body_, status in (
        ({"text": ""}, 422),
        ({"text": "x", "declaration_id": "nope"}, 422),
        ({"text": "理" * 2000}, 422),
    ):
        assert people[0].post(f"/api/v1/unit-publicities/{publicity}/objections", json=body_).status_code == status
    per_person = world.svc.bundle.committee["unit_publicity"]["objections_per_person"]
    for _ in range(per_person):
        assert (
            people[1].post(f"/api/v1/unit-publicities/{publicity}/objections", json={"text": "异议"}).status_code == 201
        )
    assert people[1].post(f"/api/v1/unit-publicities/{publicity}/objections", json={"text": "再来"}).status_code == 429
    assert (
        world.client.post(f"/api/v1/unit-publicities/{publicity}/objections", json={"text": "匿名"}).status_code == 401
    )


def test_outsiders_never_see_a_unit_publicity(pub: World) -> None:
    world = pub
    unit, _, _, _ = passed_at_unit(world, count=1)
    publicity = start(unit).json()["id"]
    stranger = world.applicant()
    other_unit = world.permitted_unit("威海市别家单位", "371000")
    assert stranger.get(f"/api/v1/unit-publicities/{publicity}").status_code == 404
    assert other_unit.get(f"/api/v1/unit-publicities/{publicity}").status_code == 404
    assert other_unit.post(f"/api/v1/unit-publicities/{publicity}/end").status_code == 404
    assert stranger.post(f"/api/v1/unit-publicities/{publicity}/objections", json={"text": "x"}).status_code == 404
    assert start(other_unit).status_code == 422  # nothing of its own to publish
    assert stranger.post("/api/v1/unit-publicities", json={"series": "档案", "level": "中级"}).status_code == 403


def test_the_publicity_pages_start_list_object_and_end(pub: World) -> None:
    world = pub
    unit, _, people, _ = passed_at_unit(world, count=1)
    browser = page_login(world, unit.login)
    page = browser.get("/unit-publicity")
    assert page.status_code == 200 and 'id="publicity-start"' in page.text
    started = browser.post(
        "/unit-publicity",
        data={"csrf_token": csrf_of(page.text), "series": ARCHIVES_MIDDLE.series, "level": ARCHIVES_MIDDLE.level},
    )
    assert started.status_code == 200 and 'id="publicity-list"' in started.text
    publicity = str(started.url).rsplit("/", 1)[-1]
    person = page_login(world, people[0].login)
    assert publicity in person.get("/unit-publicity/mine").text
    detail = person.get(f"/unit-publicity/{publicity}")
    objected = person.post(
        f"/unit-publicity/{publicity}/objections", data={"csrf_token": csrf_of(detail.text), "text": "请核实"}
    )
    assert objected.status_code == 200 and "请核实" in objected.text
    own = browser.get(f"/unit-publicity/{publicity}")
    early = browser.post(f"/unit-publicity/{publicity}/end", data={"csrf_token": csrf_of(own.text)})
    assert early.status_code == 409 and 'id="publicity-error"' in early.text
    forged = browser.post(f"/unit-publicity/{publicity}/end", data={"csrf_token": csrf_of(detail.text)})
    assert forged.status_code == 403
