"""The demo seeding walks the compiled workflow (issue 11): policy staff add a unit publicity step
(公示) to schemas/workflow/declaration.yaml, rebuild, and `seed-demo` still makes declarations in
every stage — walking through the new step — while declarations seeded before the change flow on
along their own version's workflow (VER-4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from runtime_support import ROOT

sys.path.insert(0, str(Path(__file__).parents[1] / "policy"))
from versions_helpers import build_edited, serving, with_publicity

from runtime.__main__ import main as runtime_main
from runtime.clock import Clock
from runtime.demo.seed import DEMO_PASSWORD, seed_demo
from runtime.review import review


def add_publicity(schemas: Path) -> None:
    path = schemas / "workflow" / "declaration.yaml"
    path.write_text(with_publicity(path.read_text("utf-8")), "utf-8")


def workflow_of(build: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((build / "workflow.json").read_text("utf-8"))["declaration"]
    return found


def new_steps(build: Path) -> set[str]:
    """The steps the edit added: in the edited workflow, not in the repository's."""
    ids = {t["id"] for t in workflow_of(build)["transitions"]}
    return ids - {t["id"] for t in workflow_of(ROOT / "build")["transitions"]}


def walked(world: Any, login: str) -> tuple[str, list[str]]:
    """A demo applicant's declaration: its state and the steps of its history."""
    row = world.svc.storage.one(
        "SELECT d.id, d.state FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE a.login_name = ?",
        (login,),
    )
    assert row is not None, login
    steps = world.svc.storage.all("SELECT transition FROM history WHERE declaration_id = ? ORDER BY id", (row["id"],))
    return str(row["state"]), [s["transition"] for s in steps]


def test_the_demo_walks_through_a_publicity_step_added_in_the_yaml(tmp_path: Path, clock: Clock) -> None:
    build = build_edited(tmp_path, "publicity", add_publicity)
    added = new_steps(build)
    assert added
    finals = {s for s, d in workflow_of(build)["states"].items() if d.get("final")}
    with serving(build, tmp_path / "data", clock) as world:
        seed_demo(world.svc)
        approved_state, approved_steps = walked(world, "sunqi")
        rejected_state, rejected_steps = walked(world, "zhouba")
        reported_state, reported_steps = walked(world, "zhaoliu")
        assert approved_state in finals and review.RESULT[True] in approved_steps
        assert rejected_state in finals and review.RESULT[False] in rejected_steps
        for steps in (approved_steps, rejected_steps, reported_steps):
            assert added <= set(steps), steps  # every declaration that went up went through publicity
        assert review.REPORT in reported_steps and reported_state not in finals
        returned_state, returned_steps = walked(world, "wangwu")
        assert review.RETURN in returned_steps
        assert workflow_of(build)["states"][returned_state].get("editable")
        assert world.actor("sunqi", DEMO_PASSWORD).get("/api/v1/declarations").status_code == 200
        certified = world.svc.storage.one("SELECT COUNT(*) AS n FROM declarations WHERE certificate_no IS NOT NULL")
        assert certified is not None and certified["n"] == 1


def test_declarations_seeded_before_the_step_flow_on_and_seeding_again_works(tmp_path: Path, clock: Clock) -> None:
    data = tmp_path / "data"
    with serving(ROOT / "build", data, clock) as world:
        seed_demo(world.svc)
        waiting_state, _ = walked(world, "lisi")
    build = build_edited(tmp_path, "publicity", add_publicity)
    with serving(build, data, clock) as world:
        assert seed_demo(world.svc)  # the second run, on the new build, finds its data and goes on
        assert walked(world, "lisi")[0] == waiting_state
        lisi = world.svc.storage.one(
            "SELECT d.* FROM declarations d JOIN accounts a ON a.id = d.person_id WHERE a.login_name = 'lisi'"
        )
        assert lisi is not None
        unit = world.actor("unit1", DEMO_PASSWORD)
        assert unit.pass_(lisi["id"]).status_code == 200
        offered = unit.get(f"/api/v1/declarations/{lisi['id']}").json()["actions"]
        assert review.REPORT in offered and not new_steps(build) & set(offered)  # its own (old) workflow
        reported = unit.post(
            "/api/v1/reports",
            json={"series": lisi["series"], "level": lisi["level"], "declaration_ids": [lisi["id"]]},
        )
        assert reported.status_code == 200, reported.text


def test_seed_demo_from_the_command_line_works_on_an_edited_build(tmp_path: Path) -> None:
    build = build_edited(tmp_path, "publicity", add_publicity)
    schemas = build.parent / "schemas"
    argv = ["--build", str(build), "--schemas", str(schemas), "seed-demo", "--data-dir", str(tmp_path / "data")]
    assert runtime_main(argv) == 0
