"""VER-4: a workflow change never strands a declaration. Policy staff add a unit publicity step
(公示) between `passed` and `report`; a declaration passed before the change is reported on its own
version's workflow, while one created after must go through publicity."""

from __future__ import annotations

from pathlib import Path

from chain_helpers import ARCHIVES_MIDDLE, World
from runtime_support import ROOT
from versions_helpers import build_edited, serving, with_publicity

from runtime.clock import Clock

TITLE = ARCHIVES_MIDDLE


def add_publicity(schemas: Path) -> None:
    path = schemas / "workflow" / "declaration.yaml"
    path.write_text(with_publicity(path.read_text("utf-8")), "utf-8")


def test_a_declaration_passed_before_a_new_step_is_reported_on_its_own_workflow(tmp_path: Path, clock: Clock) -> None:
    data = tmp_path / "data"
    with serving(ROOT / "build", data, clock, seed=True) as world:
        unit = world.permitted_unit("威海市流程版本单位", "371000")
        world.approved_path(unit, world.actor("weihai_archives"), TITLE)
        applicant = world.applicant()
        assert unit.org_id
        old = applicant.new_declaration(unit.org_id, TITLE)
        assert applicant.submit(old).status_code == 200
        assert unit.pass_(old).status_code == 200
        unit_login, unit_id = unit.login, unit.org_id

    with serving(build_edited(tmp_path, "publicity", add_publicity), data, clock) as world:
        world.count[0] = 100
        unit = world.actor(unit_login)
        assert unit.get(f"/api/v1/declarations/{old}").json()["actions"] == ["return", "report"]
        reported = unit.report(TITLE, old)
        assert reported.status_code == 200, reported.text
        committee = world.actor("weihai_archives")
        assert committee.pass_(old).status_code == 200
        assert committee.result(old, True).status_code == 200

        applicant = world.applicant()
        new = applicant.new_declaration(unit_id, TITLE)
        assert applicant.submit(new).status_code == 200
        assert unit.pass_(new).status_code == 200
        assert "publicize" in unit.get(f"/api/v1/declarations/{new}").json()["actions"]
        assert unit.report(TITLE, new).status_code == 409


def test_the_report_page_offers_old_and_new_declarations_by_their_own_workflows(tmp_path: Path, clock: Clock) -> None:
    data = tmp_path / "data"
    with serving(ROOT / "build", data, clock, seed=True) as world:
        unit = world.permitted_unit("威海市上报页面单位", "371000")
        applicant = world.applicant()
        assert unit.org_id
        old = applicant.new_declaration(unit.org_id, TITLE)
        applicant.submit(old)
        unit.pass_(old)
        unit_login, unit_id = unit.login, unit.org_id

    with serving(build_edited(tmp_path, "publicity", add_publicity), data, clock) as world:
        world.count[0] = 100
        unit = world.actor(unit_login)
        applicant = world.applicant()
        new = applicant.new_declaration(unit_id, TITLE)
        applicant.submit(new)
        unit.pass_(new)
        offered = _reportable(world, unit_login)
        assert old in offered and new not in offered


def _reportable(world: World, login: str) -> list[str]:
    from runtime.review import review

    account = world.svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (login,))
    return [row["id"] for row in review.reportable(world.svc, account, TITLE.series, TITLE.level)]
