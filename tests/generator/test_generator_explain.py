"""`python -m generator explain FORM_ID`: a form's fields and rules in words policy staff read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from golden import ROOT, apply_case, copy_schemas, run_cli

from generator.explain import explain_form
from generator.model import Model

SCHEMAS = str(ROOT / "schemas")


def explain(form_id: str) -> str:
    run = run_cli("--schemas", SCHEMAS, "explain", form_id)
    assert run.status == 0, run.stderr
    return run.stdout


def test_explain_prints_the_header_field_titles_and_rule_messages(model: Model) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "generator", "explain", "declaration/header"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    out = process.stdout
    header = model.sections["declaration"]["header"]
    assert out.startswith(f"{header['title']} (header) — section, rule {header['rule']}\n")
    # the titles come from the compiled header form (schemas/), not from copies here
    titles = {f["id"]: f["title"] for f in model.sections["declaration"]["header"]["fields"]}
    for field in ("level", "series", "title", "rank", "work_start", "professional_years"):
        assert f"「{titles[field]}」" in out
    for rule in header["rules"]:  # each message as written in schemas/
        assert rule["message"] in out
    assert "options from series.titles.{level}" in out


@pytest.mark.parametrize(
    "form_id", ["declaration/header", "declaration/work_experience", "person_registration", "path_request"]
)
def test_explain_shows_every_field_title_and_every_rule_message_of_the_form(form_id: str, model: Model) -> None:
    out = explain(form_id)
    compiled = model.sections["declaration"][form_id.split("/")[1]] if "/" in form_id else model.forms[form_id]
    descriptors = compiled["fields"] + ((compiled.get("rows") or {}).get("fields") or [])
    for descriptor in descriptors:
        assert f"{descriptor['id']} 「{descriptor['title']}」" in out
    for rule in compiled["rules"]:
        assert f"[{rule['rule']}] {rule['kind']}(" in out
        assert rule["message"] in out


def test_explain_of_a_rows_section_gives_its_row_limits_and_columns(model: Model) -> None:
    out = explain("declaration/achievements")
    rows = model.sections["declaration"]["achievements"]["rows"]
    assert f"rows '{rows['title']}' ({rows['min']}..{rows['max']} rows), columns:" in out
    assert "per row" in out


def test_explain_of_a_composite_form_lists_its_sections_in_order(model: Model) -> None:
    out = explain("declaration")
    listed = [line.split(":")[0].strip("- ").strip() for line in out.splitlines() if line.startswith("  - ")]
    assert listed == model.forms["declaration"]["sections"]


def test_explain_finds_a_section_by_its_own_id_too() -> None:
    assert explain("work_experience") == explain("declaration/work_experience")


def test_explain_shows_warnings_as_warnings() -> None:
    out = explain("declaration/continuing_education")
    assert "(warning): {year}年度学时不足" in out


def test_explain_of_an_unknown_form_exits_1_and_says_so() -> None:
    run = run_cli("--schemas", SCHEMAS, "explain", "declaration/headr")
    assert run.status == 1
    assert "unknown form 'declaration/headr'; did you mean: declaration/header" in run.stderr
    assert run.stdout == ""


def test_an_id_like_no_form_lists_the_forms(model: Model) -> None:
    from generator.explain import unknown_form

    said = unknown_form(model, "zzzz")
    assert said.startswith("unknown form 'zzzz'; forms: ")
    assert all(form in said for form in model.forms)
    assert "did you mean: education" in unknown_form(model, "educaton")


def test_explain_form_returns_none_for_an_unknown_form(model: Model) -> None:
    assert explain_form(model, "no_such_form") is None
    assert explain_form(model, "declaration/no_such_section") is None


def test_explain_refuses_schemas_with_errors(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    apply_case("unknown_dictionary", schemas)
    run = run_cli("--schemas", str(schemas), "explain", "declaration/header")
    assert run.status == 1
    assert "E204" in run.stderr
