"""VER-3: a migration written in YAML moves declarations of an older version onto the current one.

The drill of issue 11 carried to its end: with a 2026 declaration submitted and another in draft,
policy staff change two rules, add a 2027 notice and a migration for the 2026 drafts, rebuild
and restart on the same data dir. The 2026 ones still show and print as before; a 2027 one gets
the new rules; `generator migrate --dry-run` says the draft would move (and that it would break
the new achievements limit), changes nothing; applying moves it, audited in its history, while
the submitted one stays on its own version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_versions_drill import (
    fewer_achievements,
    in_flight,
    lower_training_minimum,
    review_form_html,
    shown,
    two_achievements,
)
from versions_helpers import build_edited, rows_max, schema_hash, serving

from runtime.clock import Clock
from runtime.policy import migrations

__all__ = ["in_flight"]

MIGRATION = """id: drafts_2026
title: 2026年度草稿改用新版政策
rule: VER-3
select:
  notices: [{notice}]
  states: [{state}]
{extra}"""


def first_notice(build: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((build / "platform.json").read_text("utf-8"))["notices"][0]
    return found


def next_year_notice(schemas: Path) -> None:
    """A notice for the next year, open in the same window (a YAML edit of platform.yaml)."""
    path = schemas / "platform.yaml"
    old = first_notice(Path(__file__).parents[3] / "build")
    line = (
        f"  - {{id: notice_{old['year'] + 1}, year: {old['year'] + 1}, title: '{old['year'] + 1}年度职称申报通知',"
        f" opens: '{old['opens']}', closes: '{old['closes']}', levels: all, series: all}}\n"
    )
    text = path.read_text("utf-8")
    anchor = text.index("\n", text.index(f"{{id: {old['id']},")) + 1
    path.write_text(text[:anchor] + line + text[anchor:], "utf-8")


def migration(state: str = "draft", extra: str = "") -> Any:
    def edit(schemas: Path) -> None:
        notice = first_notice(Path(__file__).parents[3] / "build")["id"]
        (schemas / "migrations").mkdir(exist_ok=True)
        text = MIGRATION.format(notice=notice, state=state, extra=extra)
        (schemas / "migrations" / "drafts_2026.yaml").write_text(text, "utf-8")

    return edit


def generator_migrate(build: Path, data: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    schemas = build.parent / "schemas"
    command = [sys.executable, "-m", "generator", "--schemas", str(schemas), "--build", str(build)]
    return subprocess.run(
        [*command, "migrate", "--data-dir", str(data), *flags], capture_output=True, text=True, check=False
    )


def test_the_drill_a_dry_run_says_what_moves_and_applying_moves_exactly_that(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    new_build = build_edited(
        tmp_path, "next", fewer_achievements, lower_training_minimum, next_year_notice, migration()
    )
    old_version, new_version = schema_hash(Path(__file__).parents[3] / "build"), schema_hash(new_build)
    _, draft = in_flight["people"]["draft"]
    _, submitted = in_flight["people"]["submitted"]
    with serving(new_build, in_flight["data"], clock) as world:
        world.count[0] = 100
        newcomer = world.applicant()
        notice = f"notice_{first_notice(new_build)['year'] + 1}"
        assert [n["id"] for n in json.loads((new_build / "platform.json").read_text("utf-8"))["notices"]][-1] == notice
        created = newcomer.post("/api/v1/declarations", json={"notice_id": notice})
        assert created.status_code == 201, created.text
        fresh = created.json()["id"]
        assert shown(newcomer, fresh)["policy_version"] == new_version
        refused = newcomer.put(
            f"/api/v1/declarations/{fresh}/sections/achievements", two_achievements(in_flight["unit"])
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "DEC-14"

    dry = generator_migrate(new_build, in_flight["data"], "--dry-run")
    assert dry.returncode == 0, dry.stderr
    moving = [line for line in dry.stdout.splitlines() if line.strip().startswith(draft)]
    assert len(moving) == 1 and "draft → draft" in moving[0] and "DEC-14" in moving[0], dry.stdout
    assert "would move 1 declaration(s)" in dry.stdout and "dry run: nothing was changed" in dry.stdout
    staying = dry.stdout.split("staying on their own policy version")[1]
    assert submitted in staying and draft not in staying

    with serving(new_build, in_flight["data"], clock) as world:
        login, _ = in_flight["people"]["draft"]
        assert shown(world.actor(login), draft)["policy_version"] == old_version  # the dry run changed nothing

    applied = generator_migrate(new_build, in_flight["data"])
    assert applied.returncode == 0, applied.stderr
    assert [line for line in applied.stdout.splitlines() if line.strip().startswith(draft)] == moving

    with serving(new_build, in_flight["data"], clock) as world:
        drafter = world.actor(in_flight["people"]["draft"][0])
        moved = drafter.get(f"/api/v1/declarations/{draft}").json()
        assert moved["policy_version"] == new_version and moved["state"] == "draft"
        entry = moved["history"][-1]
        assert entry["transition"] == migrations.TRANSITION and entry["transition_title"] != entry["transition"]
        assert old_version[:12] in entry["comment"] and new_version[:12] in entry["comment"]
        # the draft now lives under the new rules: the old number of achievements is refused
        again = drafter.put(f"/api/v1/declarations/{draft}/sections/achievements", two_achievements(in_flight["unit"]))
        assert again.status_code == 422 and again.json()["errors"][0]["rule"] == "DEC-14"
        assert rows_max(new_build, "achievements") < len(two_achievements(in_flight["unit"])["rows"])
        # the submitted one is untouched: same version, shown and printed exactly as before
        submitter = world.actor(in_flight["people"]["submitted"][0])
        before_shown, before_printed = in_flight["before"]["submitted"]
        assert shown(submitter, submitted) == before_shown
        assert review_form_html(world, submitted) == before_printed


def test_applying_a_migration_twice_moves_nothing_the_second_time(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    new_build = build_edited(tmp_path, "next", fewer_achievements, migration())
    with serving(new_build, in_flight["data"], clock) as world:
        first = migrations.run(world.svc, dry_run=False)
        second = migrations.run(world.svc, dry_run=False)
    assert [len(o.moved) for o in first.outcomes] == [1]
    assert [len(o.moved) for o in second.outcomes] == [0]
    assert len(second.staying) == 1


def test_a_state_mapping_and_defaults_and_reopened_sections_are_applied_and_reported(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    """The submitted 2026 declaration goes back to the applicant as a draft with its achievements
    reopened; an empty field gets the migration's default, a filled one keeps its value."""
    schema = json.loads((Path(__file__).parents[3] / "build/forms/declaration/header.json").read_text("utf-8"))[
        "schema"
    ]
    plain = [
        name
        for name, prop in schema["properties"].items()
        if prop.get("type") == "string" and not {"enum", "format", "pattern", "const"} & set(prop)
    ]
    filled = next(name for name in plain if name in schema["required"])
    empty = next(name for name in plain if name not in schema["required"])
    extra = (
        "states: {submitted: draft}\nsections:\n  header:\n"
        f"    defaults: {{{filled}: 迁移默认值, {empty}: 迁移默认值}}\nreopen: [achievements]\n"
    )
    new_build = build_edited(tmp_path, "next", migration("submitted", extra))
    _, submitted = in_flight["people"]["submitted"]
    with serving(new_build, in_flight["data"], clock) as world:
        before = world.svc.storage.one(
            "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (submitted,)
        )
        report = migrations.run(world.svc, dry_run=False)
        moved = report.outcomes[0].moved
        assert [(m.id, m.from_state, m.to_state) for m in moved] == [(submitted, "submitted", "draft")]
        assert any("reopened for the applicant: achievements" in c for c in moved[0].changes)
        after = world.svc.storage.one(
            "SELECT data FROM sections WHERE declaration_id = ? AND section_id = 'header'", (submitted,)
        )
        assert before is not None and after is not None
        assert json.loads(after["data"])[filled] == json.loads(before["data"])[filled] != "迁移默认值"
        assert not json.loads(before["data"]).get(empty) and json.loads(after["data"])[empty] == "迁移默认值"
        assert f"header: {empty} = 迁移默认值" in moved[0].changes
        row = world.svc.storage.declaration(submitted)
        assert row is not None and row["state"] == "draft" and json.loads(row["reopened"] or "[]") == ["achievements"]
        assert row["holder_org_id"] is None and "back with the applicant, as never submitted" in moved[0].changes
        applicant = world.actor(in_flight["people"]["submitted"][0])
        reopened = applicant.put(
            f"/api/v1/declarations/{submitted}/sections/achievements", two_achievements(in_flight["unit"])
        )
        assert reopened.status_code == 200, reopened.text
        header = applicant.get(f"/api/v1/declarations/{submitted}/sections/header").json()
        kept = applicant.put(f"/api/v1/declarations/{submitted}/sections/header", header.get("data") or header)
        assert kept.status_code == 409 and kept.json()["errors"][0]["code"] == "not_editable"  # only the reopened one


def test_a_migration_naming_a_state_or_field_no_stored_version_knows_is_refused_with_its_place(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any]
) -> None:
    extra = "states: {drafted: draft}\nsections:\n  header:\n    rename: {work_begin: work_start}\n"
    new_build = build_edited(tmp_path, "next", migration("draft", extra))
    refused = generator_migrate(new_build, in_flight["data"], "--dry-run")
    assert refused.returncode == 1
    assert "schemas/migrations/drafts_2026.yaml:7:10 E334" in refused.stderr, refused.stderr
    assert "schemas/migrations/drafts_2026.yaml:10:14 E336" in refused.stderr, refused.stderr
    assert "no declaration was touched" in refused.stderr


@pytest.mark.parametrize("flag", ["--dry-run", None])
def test_a_stale_build_is_refused_before_any_declaration_is_touched(
    tmp_path: Path, clock: Clock, in_flight: dict[str, Any], flag: str | None
) -> None:
    new_build = build_edited(tmp_path, "next", migration())
    schemas = new_build.parent / "schemas"
    (schemas / "migrations" / "drafts_2026.yaml").write_text(
        (schemas / "migrations" / "drafts_2026.yaml").read_text("utf-8").replace("草稿", "草稿申报"), "utf-8"
    )
    refused = generator_migrate(new_build, in_flight["data"], *([flag] if flag else []))
    assert refused.returncode == 1 and "E401" in refused.stderr


def test_a_data_dir_without_a_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    build = build_edited(tmp_path, "next", migration())
    refused = generator_migrate(build, tmp_path / "elsewhere", "--dry-run")
    assert refused.returncode == 2 and "holds no database" in refused.stderr
    assert not (tmp_path / "elsewhere").exists()
