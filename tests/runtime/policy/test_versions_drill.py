"""VER-1, VER-2: a policy edit never rewrites the rules of declarations already in flight.

The drill of issue 11: with a declaration submitted and another in draft, policy staff lower the
achievements limit and turn the yearly continuing-education minimum into a higher, blocking one
(YAML edits in a copy of schemas/, built into a folder of their own); the server restarts on the
same data dir. The old declarations validate, show and print exactly as before; a new one gets
the new rules; a data dir whose version is gone refuses to start, naming it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, Actor, World, valid_sections
from runtime_support import ROOT
from versions_helpers import build_edited, replace_once, rows_max, schema_hash, serving

from runtime.__main__ import main as runtime_main
from runtime.app import create_app
from runtime.bundle import BuildError, load_bundle
from runtime.clock import Clock
from runtime.documents import documents
from runtime.documents.api import printer
from runtime.policy import versions

TITLE = ARCHIVES_MIDDLE
YEARLY_MINIMUM = re.compile(r"(kind: yearly-minimum\n(?:    .*\n)*?    minimum: )(\d+)")


def two_achievements(unit_id: str) -> dict[str, Any]:
    rows = valid_sections(unit_id, TITLE)["achievements"]["rows"]
    second = {**rows[0], "name": "论文:《档案数字化的质量控制》", "time": "2023.05"}
    return {"rows": [rows[0], second]}


def fewer_achievements(schemas: Path) -> None:
    """The achievements limit goes down to one row (DEC-14's number is policy)."""
    path = schemas / "forms" / "declaration" / "achievements.yaml"
    replace_once(path, re.compile(r"\n  max: \d+\n"), "\n  max: 1\n")


def yearly_minimum(schemas: Path) -> int:
    found = YEARLY_MINIMUM.search((schemas / "forms" / "declaration" / "continuing_education.yaml").read_text("utf-8"))
    assert found
    return int(found.group(2))


def lower_training_minimum(schemas: Path) -> None:
    """The yearly continuing-education minimum of all hours goes down by a fifth (DEC-12)."""
    path = schemas / "forms" / "declaration" / "continuing_education.yaml"
    replace_once(path, YEARLY_MINIMUM, rf"\g<1>{yearly_minimum(schemas) * 4 // 5}")


def training_between_the_minimums(unit_id: str) -> dict[str, Any]:
    """One year's rows whose total lies between the new (lower) minimum and the old one."""
    rows = valid_sections(unit_id, TITLE)["continuing_education"]["rows"]
    minimum = yearly_minimum(ROOT / "schemas")
    missing = minimum - (minimum * 4 // 5) - 1  # hours short of the old minimum, enough for the new
    last = rows[-1]
    hours = int(last["hours"].removesuffix("学时")) - missing
    return {"rows": [*rows[:-1], {**last, "hours": f"{hours}学时"}]}


def yearly_warnings(response: Any) -> int:
    body = response.json()
    assert response.status_code == 200, body
    return sum(1 for w in body["warnings"] if w["rule"] == "DEC-12")


def shown(actor: Actor, declaration_id: str) -> dict[str, Any]:
    response = actor.get(f"/api/v1/declarations/{declaration_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def review_form_html(world: World, declaration_id: str) -> str:
    row = world.svc.storage.one("SELECT * FROM declarations WHERE id = ?", (declaration_id,))
    svc = versions.scoped(world.svc, row)
    return printer(svc).html("print/review_form.html", documents.review_form(svc, row))


@pytest.fixture
def in_flight(tmp_path: Path, clock: Clock) -> dict[str, Any]:
    """Under the current build: one declaration submitted and one draft, each with two achievements."""
    data = tmp_path / "data"
    assert rows_max(ROOT / "build", "achievements") >= 2
    with serving(ROOT / "build", data, clock, seed=True) as world:
        unit = world.permitted_unit("威海市版本演练单位", "371000")
        assert unit.org_id
        people = {}
        for name in ("submitted", "draft"):
            person = world.applicant()
            declaration = person.new_declaration(unit.org_id, TITLE)
            saved = person.put(
                f"/api/v1/declarations/{declaration}/sections/achievements", two_achievements(unit.org_id)
            )
            assert saved.status_code == 200, saved.text
            people[name] = (person.login, declaration)
        login, submitted = people["submitted"]
        assert world.actor(login).submit(submitted).status_code == 200
        before = {
            name: (shown(world.actor(login), declaration), review_form_html(world, declaration))
            for name, (login, declaration) in people.items()
        }
        unit_id = unit.org_id
    return {"data": data, "people": people, "before": before, "unit": unit_id}


def test_old_declarations_keep_their_rules_and_a_new_one_gets_the_new_ones(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    new_build = build_edited(tmp_path, "next", fewer_achievements, lower_training_minimum)
    old_version, new_version = schema_hash(ROOT / "build"), schema_hash(new_build)
    assert old_version != new_version and rows_max(new_build, "achievements") == 1
    old_bundle, new_bundle = load_bundle(ROOT / "build"), load_bundle(new_build)
    with serving(new_build, in_flight["data"], clock) as world:
        world.count[0] = 100  # new applicants' login names after the first run's
        for name, (login, declaration) in in_flight["people"].items():
            actor = world.actor(login)
            before_shown, before_printed = in_flight["before"][name]
            assert shown(actor, declaration) == before_shown
            assert before_shown["policy_version"] == old_version
            assert review_form_html(world, declaration) == before_printed
            forms = actor.get(f"/api/v1/declarations/{declaration}/forms").json()
            achievements = next(s for s in forms["sections"] if s["id"] == "achievements")
            # the old version's section as the runtime loads it (with the row ids it assigns)
            assert achievements["schema"] == old_bundle.sections["declaration"]["achievements"].compiled["schema"]
            assert achievements["schema"] != new_bundle.sections["declaration"]["achievements"].compiled["schema"]

        # the draft still saves two achievements and submits under its own (old) rules
        login, draft = in_flight["people"]["draft"]
        drafter = world.actor(login)
        again = drafter.put(f"/api/v1/declarations/{draft}/sections/achievements", two_achievements(in_flight["unit"]))
        assert again.status_code == 200, again.text
        old_rules = drafter.put(
            f"/api/v1/declarations/{draft}/sections/continuing_education",
            training_between_the_minimums(in_flight["unit"]),
        )
        assert drafter.submit(draft).status_code == 200

        # a new declaration is made under the new build and meets both new rules
        newcomer = world.applicant()
        created = newcomer.post("/api/v1/declarations")
        assert created.status_code == 201
        fresh = created.json()["id"]
        assert shown(newcomer, fresh)["policy_version"] == new_version
        refused = newcomer.put(
            f"/api/v1/declarations/{fresh}/sections/achievements", two_achievements(in_flight["unit"])
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "DEC-14"
        new_rules = newcomer.put(
            f"/api/v1/declarations/{fresh}/sections/continuing_education",
            training_between_the_minimums(in_flight["unit"]),
        )
        assert yearly_warnings(old_rules) == yearly_warnings(new_rules) + 1


def test_the_old_version_is_kept_in_the_data_dir_without_the_build_it_came_from(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    """VER-2: build/ and git history may move on; the data dir alone still serves its versions."""
    old_build = tmp_path / "old" / "build"
    shutil.copytree(ROOT / "build", old_build)
    old_version = schema_hash(old_build)
    new_build = build_edited(tmp_path, "next", fewer_achievements)
    with serving(old_build, tmp_path / "second", clock):
        pass
    shutil.rmtree(old_build)
    with serving(new_build, in_flight["data"], clock) as world:
        login, declaration = in_flight["people"]["draft"]
        assert shown(world.actor(login), declaration)["policy_version"] == old_version
        assert (in_flight["data"] / "policy_versions" / old_version / "manifest.json").is_file()


def test_starting_without_a_version_that_declarations_need_is_refused_naming_it(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    old_version = schema_hash(ROOT / "build")
    shutil.rmtree(in_flight["data"] / "policy_versions" / old_version)
    new_build = build_edited(tmp_path, "next", fewer_achievements)
    with pytest.raises(BuildError) as refused:
        create_app(new_build, in_flight["data"], clock=clock)
    message = str(refused.value)
    assert old_version in message and "2 declaration(s)" in message and "import-version" in message
    assert "\n" not in message


def test_a_version_edited_by_hand_in_the_data_dir_is_refused(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    old_version = schema_hash(ROOT / "build")
    stored = in_flight["data"] / "policy_versions" / old_version / "messages.json"
    stored.write_text(stored.read_text("utf-8").replace("}", " }", 1), "utf-8")
    new_build = build_edited(tmp_path, "next", fewer_achievements)
    with pytest.raises(BuildError, match="does not match the manifest"):
        create_app(new_build, in_flight["data"], clock=clock)


def test_a_missing_version_is_restored_by_importing_its_build(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    old_version = schema_hash(ROOT / "build")
    shutil.rmtree(in_flight["data"] / "policy_versions" / old_version)
    assert runtime_main(["import-version", "--data-dir", str(in_flight["data"]), str(ROOT / "build")]) == 0
    assert old_version in capsys.readouterr().out
    with serving(build_edited(tmp_path, "next", fewer_achievements), in_flight["data"], clock) as world:
        login, declaration = in_flight["people"]["draft"]
        assert shown(world.actor(login), declaration)["policy_version"] == old_version


def test_a_folder_that_is_no_build_is_not_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "not_a_build").mkdir()
    assert runtime_main(["import-version", "--data-dir", str(tmp_path / "data"), str(tmp_path / "not_a_build")]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "data" / "policy_versions").exists()


def test_past_forms_are_served_by_version_and_unknown_versions_are_not_found(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    old_version = schema_hash(ROOT / "build")
    new_build = build_edited(tmp_path, "next", fewer_achievements)
    with serving(new_build, in_flight["data"], clock) as world:
        current = world.client.get("/api/v1/forms").json()
        past = world.client.get("/api/v1/forms", params={"version": old_version}).json()
        assert current["policy_version"] == schema_hash(new_build) and past["policy_version"] == old_version
        old_rows = world.client.get("/api/v1/forms/declaration/achievements", params={"version": old_version}).json()[
            "properties"
        ]["rows"]
        assert old_rows["maxItems"] == rows_max(ROOT / "build", "achievements")
        for unknown in ("0" * 64, "../build", "x" * 5000):
            assert world.client.get("/api/v1/forms", params={"version": unknown}).status_code == 404
