"""A new review step is a schema edit, not a Python edit: a copy of schemas/ gets a 公示
(publicity) state after `passed` that must last five working days before `report`
(a `working_days:5` guard), is rebuilt, served, and declarations must pass through it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chain_helpers import ARCHIVES_MIDDLE, World
from runtime_support import INSIDE_WINDOW, ROOT, message
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock

PUBLICITY_STATE = """  passed:    {title: '审核通过,待上报'}
  publicity: {title: 公示中}
"""
PUBLICITY_STEP = """  - id: publicize
    title: 公示
    from: [passed]
    to: publicity
    by: [reviewer, hr_admin, committee_office]
    holder: keep
    rule: REV-2
  - id: report
"""


def with_publicity(workflow: str) -> str:
    """The edit a policy author makes to schemas/workflow/declaration.yaml."""
    assert "  passed:    {title: '审核通过,待上报'}\n" in workflow
    edited = workflow.replace("  passed:    {title: '审核通过,待上报'}\n", PUBLICITY_STATE)
    edited = edited.replace("  - id: report\n", PUBLICITY_STEP, 1)
    report = edited.index("  - id: report\n")
    head, tail = edited[:report], edited[report:]
    tail = tail.replace("from: [passed]", "from: [publicity]", 1)
    tail = tail.replace(
        "guards: [path_approved, not_at_chain_end]", "guards: [working_days:5, path_approved, not_at_chain_end]", 1
    )
    return head + tail


@pytest.fixture
def publicity_world(tmp_path: Path) -> Iterator[tuple[World, Clock]]:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    workflow = schemas / "workflow" / "declaration.yaml"
    workflow.write_text(with_publicity(workflow.read_text("utf-8")), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, [str(d) for d in result.report.errors]
    build = tmp_path / "build"
    write_build(result.artifacts, build)
    clock = Clock(8)
    clock.freeze(INSIDE_WINDOW)
    app = create_app(build, tmp_path / "data", dev=True, clock=clock, schemas_dir=schemas)
    with TestClient(app, base_url="http://testserver") as client:
        world = World(client, app)
        world.seed_authorities()
        yield world, clock
    app.state.services.storage.close()


def test_the_edit_only_touches_the_workflow_schema() -> None:
    original = (ROOT / "schemas" / "workflow" / "declaration.yaml").read_text("utf-8")
    edited = with_publicity(original)
    assert "publicity" in edited and "working_days:5" in edited


def test_a_declaration_must_stay_five_working_days_in_publicity_before_it_is_reported(
    publicity_world: tuple[World, Clock],
) -> None:
    world, clock = publicity_world
    title = ARCHIVES_MIDDLE
    unit = world.permitted_unit("威海市公示测试单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, title)
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, title)
    assert applicant.submit(declaration).status_code == 200
    assert unit.pass_(declaration).status_code == 200

    skipped = unit.report(title, declaration)
    assert skipped.status_code == 409 and skipped.json()["errors"][0]["code"] == "conflict_state"
    shown = unit.post(f"/api/v1/declarations/{declaration}/transitions/publicize", json={"comment": "公示5个工作日"})
    assert shown.status_code == 200 and shown.json()["state"] == "publicity"
    assert unit.get(f"/api/v1/declarations/{declaration}").json()["actions"] == ["report"]

    # Tuesday 10 Nov; the following Monday is only 4 working days later
    too_early = unit.report(title, declaration)
    assert too_early.status_code == 409
    assert too_early.json()["errors"][0]["message"] == message("too_early", days=5)  # the edit's working_days:5
    clock.advance(days=6)
    unit = world.actor(unit.login)  # a day's API token does not last a week
    assert unit.report(title, declaration).status_code == 409
    clock.advance(days=1)
    unit = world.actor(unit.login)
    reported = unit.report(title, declaration)
    assert reported.status_code == 200, reported.text

    committee = world.actor("weihai_archives")
    assert committee.pass_(declaration).status_code == 200
    assert committee.result(declaration, True).json()["state"] == "pass_publicity"
    steps = [h["transition"] for h in committee.get(f"/api/v1/declarations/{declaration}/history").json()["history"]]
    assert steps == ["submit", "pass", "publicize", "report", "pass", "record_pass"]


def test_the_unedited_workflow_has_no_publicity_step(world: World) -> None:
    unit = world.permitted_unit("威海市无公示单位", "371000")
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    applicant.submit(declaration)
    response = unit.post(f"/api/v1/declarations/{declaration}/transitions/publicize")
    assert response.status_code == 404
