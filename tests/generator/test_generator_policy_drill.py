"""The policy drill: four everyday policy changes are YAML edits plus a build, no Python.

On a copy of schemas/: (a) the achievements row limit goes up by five (15 to 20 today),
(b) a new series with its titles, (c) one routing cell changes hands, (d) a declaration section
gets a new required field. Each change must show in the compiled artifacts and in the
words of `generator.diff.compare`, and `python -m generator diff --against` must say
the same from git.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from golden import ROOT, copy_schemas, run_cli

from generator.compiler import compile_schemas, write_build
from generator.diff import compare
from generator.model import Model
from vocabulary.validation import FormValidator

SERIES = "演练测绘"  # a name no real code list holds, so the drill adds it whatever schemas/ holds
NEW_SERIES = f"""
  - value: {SERIES}
    note: 政策演练新增
    titles: {{正高级: [正高级工程师], 副高级: [高级工程师], 中级: [工程师], 初级: [助理工程师, 技术员]}}
    specialties: [大地测量, 工程测量]
"""
NEW_FIELD = """  certificate_no:
    title: 证书编号
    required: true
    maxLength: 40
"""


ACHIEVEMENTS = "forms/declaration/achievements.yaml"
LIMIT = re.compile(r"^  max: (\d+)$", re.MULTILINE)


def achievements_limit(schemas: Path) -> int:
    """The row limit of the achievements section as schemas/ states it today."""
    found = LIMIT.search((schemas / ACHIEVEMENTS).read_text(encoding="utf-8"))
    assert found, "no row limit in achievements.yaml"
    return int(found.group(1))


@dataclass
class Drill:
    schemas: Path
    build: Path
    old: Model
    new: Model
    old_manifest: dict[str, Any]
    lines: list[str]
    old_cell: str

    @property
    def old_limit(self) -> int:
        return int(self.old.sections["declaration"]["achievements"]["rows"]["max"])

    def artifact(self, relpath: str) -> Any:
        return json.loads((self.build / relpath).read_text(encoding="utf-8"))


def edit(path: Path, pattern: str, replacement: str) -> None:
    """Replace exactly one match of a regular expression (the drill fails loudly if the text moved)."""
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {path}"
    path.write_text(changed, encoding="utf-8")


def raise_achievements_limit(schemas: Path) -> None:
    limit = achievements_limit(schemas)
    # the title and the message name {max}: one edit
    edit(schemas / ACHIEVEMENTS, rf"^  max: {limit}$", f"  max: {limit + 5}")


def add_series(schemas: Path) -> None:
    path = schemas / "dictionaries/series.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_SERIES, encoding="utf-8")
    # A series with titles needs a routing cell or an explicit "no path" (E361): the drill
    # says "no path yet" for every level, which routes nothing and so changes no route.
    table = schemas / "routing/weihai_city.yaml"
    edit(table, r"^cells:\n", f"cells:\n  {SERIES}: {{正高级: ~, 副高级: ~, 中级: ~, 初级: ~}}\n")


ARCHIVES_CELL = re.compile(r"^(  档案: \{.*?副高级: )([^,}]+)", re.MULTILINE)


def archives_cell(schemas: Path) -> str:
    """Who the 档案 × 副高级 routing cell names today."""
    found = ARCHIVES_CELL.search((schemas / "routing/weihai_city.yaml").read_text(encoding="utf-8"))
    assert found, "no 档案 row in the city table"
    return found.group(2).strip()


def change_routing_cell(schemas: Path) -> None:
    edit(schemas / "routing/weihai_city.yaml", ARCHIVES_CELL.pattern, r"\g<1>威海市档案局")


def limit_lines(old: Model, new: Model) -> list[str]:
    """What `compare` says about a changed achievements limit, in the compiled words."""
    before, after = old.sections["declaration"]["achievements"], new.sections["declaration"]["achievements"]

    def message(compiled: dict[str, Any]) -> str:
        return str(compiled["schema"]["properties"]["rows"]["x-messages"]["maxItems"])

    return [
        f"[applicants] form declaration/achievements title 「{before['title']}」 → 「{after['title']}」",
        f"[applicants] declaration/achievements 「{after['title']}」: most rows "
        f"{before['rows']['max']} → {after['rows']['max']}",
        f"[applicants] declaration/achievements: rows message for maxItems «{message(before)}» → «{message(after)}»",
    ]


def add_required_field(schemas: Path) -> None:
    edit(schemas / "forms/declaration/language_computer.yaml", r"^fields:\n", "fields:\n" + NEW_FIELD)


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Drill:
    root = tmp_path_factory.mktemp("drill")
    schemas = copy_schemas(root)
    old = compile_schemas(schemas)
    assert old.ok and old.model is not None, old.report.render()
    old_cell = archives_cell(schemas)
    for change in (raise_achievements_limit, add_series, change_routing_cell, add_required_field):
        change(schemas)
    new = compile_schemas(schemas)
    assert new.ok and new.model is not None, new.report.render()
    write_build(new.artifacts, root / "build")
    old_manifest = json.loads(old.artifacts["manifest.json"])
    return Drill(
        schemas, root / "build", old.model, new.model, old_manifest, list(compare(old.model, new.model)), old_cell
    )


def test_the_drilled_schemas_build_and_check_clean(drill: Drill) -> None:
    run = run_cli("--schemas", str(drill.schemas), "--build", str(drill.build), "check")
    assert run.status == 0, run.stderr


def test_a_higher_row_limit_reaches_the_compiled_form(drill: Drill) -> None:
    compiled = drill.artifact("forms/declaration/achievements.json")
    raised = drill.old_limit + 5
    assert compiled["schema"]["properties"]["rows"]["maxItems"] == raised
    assert str(raised) in compiled["schema"]["properties"]["rows"]["x-messages"]["maxItems"]
    assert compiled["rows"]["max"] == raised
    assert str(raised) in compiled["title"] and str(drill.old_limit) not in compiled["title"]
    assert limit_lines(drill.old, drill.new)[1] in drill.lines


def test_the_raised_number_of_achievements_now_passes_and_one_more_does_not(drill: Drill) -> None:
    compiled = drill.new.sections["declaration"]["achievements"]
    validator = FormValidator(compiled, drill.new.dictionaries())
    row = {"category": "获奖", "time": "2023.11", "rank": "1/1", "authority": "威海市人民政府"}
    raised = drill.old_limit + 5
    rows = [dict(row, name=f"威海市科学技术进步奖第{i}项") for i in range(raised + 1)]
    assert validator.errors({"rows": rows[:raised]}) == []
    assert [e.code for e in validator.errors({"rows": rows})] == ["maxItems"]


def test_a_new_series_reaches_the_dictionaries_and_the_header_choices(drill: Drill) -> None:
    series = {e["value"]: e for e in drill.artifact("dictionaries.json")["series"]["entries"]}
    assert series[SERIES]["titles"]["中级"] == ["工程师"]
    assert series[SERIES]["specialties"] == ["大地测量", "工程测量"]
    header = drill.artifact("forms/declaration/header.json")
    assert SERIES in header["schema"]["properties"]["series"]["enum"]
    assert f"[everyone] code list series: + {SERIES}" in drill.lines
    assert f"[applicants] declaration/header: field series choices +{SERIES}" in drill.lines


def test_the_new_series_cascades_to_its_titles_and_specialties(drill: Drill) -> None:
    validator = FormValidator(drill.new.sections["declaration"]["header"], drill.new.dictionaries())
    chosen = {"level": "中级", "series": SERIES, "title": "工程师", "specialty": "工程测量"}
    wrong = dict(chosen, title="高级工程师")

    def cascade(document: dict[str, str]) -> list[str]:
        return [e.path for e in validator.errors(document) if e.code == "rule:cascade"]

    assert cascade(chosen) == []
    assert cascade(wrong) == ["/title"]


def test_a_changed_routing_cell_reaches_routing_json(drill: Drill) -> None:
    cells = drill.artifact("routing.json")["tables"]["weihai_city"]["cells"]
    assert cells["档案"]["副高级"] == "威海市档案局"
    assert f"[reviewers] routing weihai_city: 档案 × 副高级: {drill.old_cell} → 威海市档案局" in drill.lines


def test_a_new_required_field_reaches_the_section_schema(drill: Drill) -> None:
    schema = drill.artifact("forms/declaration/language_computer.json")["schema"]
    assert "certificate_no" in schema["required"]
    assert schema["properties"]["certificate_no"]["title"] == "证书编号"
    assert (
        "[applicants] declaration/language_computer: field certificate_no 「证书编号」 added "
        "(required — applicants must fill it)"
    ) in drill.lines


def test_a_document_valid_last_year_now_misses_the_new_field(drill: Drill) -> None:
    # every field the section asked for last year, filled (whatever YAML says those are)
    fields = drill.old.sections["declaration"]["language_computer"]["fields"]
    document = {f["id"]: "熟练" for f in fields if f.get("required")}
    old = FormValidator(drill.old.sections["declaration"]["language_computer"], drill.old.dictionaries())
    new = FormValidator(drill.new.sections["declaration"]["language_computer"], drill.new.dictionaries())
    assert old.errors(document) == []
    properties = drill.new.sections["declaration"]["language_computer"]["schema"]["properties"]
    required = properties["certificate_no"]["x-messages"]["required"]
    assert "证书编号" in required  # the default text of messages.yaml, with the new field's title
    assert [(e.path, e.message) for e in new.errors(document)] == [("/certificate_no", required)]


def test_the_manifest_versions_only_the_sections_that_changed(drill: Drill) -> None:
    old = drill.old_manifest
    new = drill.artifact("manifest.json")
    assert new["schema_hash"] != old["schema_hash"]

    def versions(manifest: dict[str, Any]) -> dict[str, str]:
        [declaration] = [f for f in manifest["forms"] if f["id"] == "declaration"]
        return {s["id"]: s["version"] for s in declaration["sections"]}

    changed = {s for s in versions(new) if versions(new)[s] != versions(old)[s]}
    # current_title offers the series too.
    assert changed == {"achievements", "header", "current_title", "language_computer"}


def test_compare_says_nothing_when_nothing_changed(drill: Drill) -> None:
    assert list(compare(drill.old, drill.old)) == []


def test_compare_names_every_consequence_of_the_drill_and_nothing_else(drill: Drill) -> None:
    assert drill.lines == [
        *limit_lines(drill.old, drill.new),
        f"[applicants] declaration/current_title: field rows.series choices +{SERIES}",
        f"[applicants] declaration/header: field series choices +{SERIES}",
        "[applicants] declaration/language_computer: field certificate_no 「证书编号」 added "
        "(required — applicants must fill it)",
        f"[applicants] path_request: field series choices +{SERIES}",
        f"[everyone] code list series: + {SERIES}",
        f"[reviewers] routing weihai_city: 档案 × 副高级: {drill.old_cell} → 威海市档案局",
    ]


# --- `python -m generator diff --against REV` on a git repository ---------------------------

GIT = ["git", "-c", "user.name=drill", "-c", "user.email=drill@example.invalid", "-c", "commit.gpgsign=false"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh git repository holding a committed copy of schemas/."""
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True)
    schemas = copy_schemas(tmp_path)
    subprocess.run([*GIT, "add", "schemas"], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "policy"], cwd=tmp_path, check=True)
    return schemas


def test_diff_against_head_names_each_change_in_plain_words(repo: Path) -> None:
    old, old_cell = compile_schemas(repo).model, archives_cell(repo)
    raise_achievements_limit(repo)
    change_routing_cell(repo)
    new = compile_schemas(repo).model
    assert old is not None and new is not None
    process = subprocess.run(
        [sys.executable, "-m", "generator", "diff", "--against", "HEAD", "--schemas", str(repo)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == [
        *limit_lines(old, new),
        f"[reviewers] routing weihai_city: 档案 × 副高级: {old_cell} → 威海市档案局",
    ]


def test_diff_against_head_without_a_change_says_so(repo: Path) -> None:
    run = run_cli("diff", "--against", "HEAD", "--schemas", str(repo))
    assert run.status == 0
    assert run.stdout == "no change for applicants or reviewers since HEAD\n"


def test_diff_against_an_unknown_revision_exits_2(repo: Path) -> None:
    run = run_cli("diff", "--against", "no-such-revision", "--schemas", str(repo))
    assert run.status == 2
    assert "cannot read" in run.stderr


def test_diff_against_a_revision_that_did_not_compile_exits_1(repo: Path) -> None:
    limit = achievements_limit(repo)
    edit(repo / ACHIEVEMENTS, rf"^  max: {limit}$", "  max: fifteen")
    subprocess.run([*GIT, "commit", "-q", "-am", "broken"], cwd=repo.parent, check=True)
    edit(repo / ACHIEVEMENTS, r"^  max: fifteen$", f"  max: {limit}")
    run = run_cli("diff", "--against", "HEAD", "--schemas", str(repo))
    assert run.status == 1
    assert "the old schemas do not compile" in run.stderr
    assert "E203" in run.stderr


def test_compare_tells_apart_rules_of_one_kind_on_the_same_columns(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    old = compile_schemas(schemas)
    # continuing_education has three yearly-minimum rules on start/hours; change the middle one.
    edit(schemas / "forms/declaration/continuing_education.yaml", "公需科目学时不足", "公需科目学时未达标")
    new = compile_schemas(schemas)
    assert old.model is not None and new.model is not None, new.report.render()
    assert list(compare(old.model, new.model)) == [
        "[applicants] declaration/continuing_education: rule yearly-minimum [DEC-12] message "
        "«{year}年度公需科目学时不足:已填{total}学时,每年应不少于{minimum}学时» → "
        "«{year}年度公需科目学时未达标:已填{total}学时,每年应不少于{minimum}学时»"
    ]


def test_compare_names_a_new_rule_and_a_removed_one(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    old = compile_schemas(schemas)
    edit(schemas / "forms/declaration/assessments.yaml", r"^  - kind: ordered\n(    .*\n)+", "")
    new = compile_schemas(schemas)
    assert old.model is not None and new.model is not None, new.report.render()
    lines = list(compare(old.model, new.model))
    assert lines == [
        "[applicants] declaration/assessments: rule removed ordered [DEC-10] «考核情况请按年份从早到晚排列»"
    ]
    assert list(compare(new.model, old.model)) == [
        "[applicants] declaration/assessments: new rule ordered [DEC-10] «考核情况请按年份从早到晚排列»"
    ]


def test_compare_names_changed_texts_and_members_of_groups(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    old = compile_schemas(schemas)
    edit(schemas / "forms/declaration/education.yaml", r"^(        title: 毕业院校)$", r"\g<1>(全称)")
    new = compile_schemas(schemas)
    assert old.model is not None and new.model is not None, new.report.render()
    assert list(compare(old.model, new.model)) == [
        "[applicants] declaration/education: field full_time.school title 毕业院校 → 毕业院校(全称)",
        "[applicants] declaration/education: field basis.school title 毕业院校 → 毕业院校(全称)",
    ]
    edit(schemas / "forms/declaration/education.yaml", r"^(title: .*)$", r"\g<1>(修订)")
    revised = compile_schemas(schemas)
    assert revised.model is not None, revised.report.render()
    assert [line for line in compare(new.model, revised.model) if " form " in line] == [
        f"[applicants] form declaration/education title 「{new.model.sections['declaration']['education']['title']}」"
        f" → 「{revised.model.sections['declaration']['education']['title']}」"
    ]
