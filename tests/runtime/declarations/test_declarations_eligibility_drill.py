"""The hidden variant of the 副高级 drill (ELIG-1), end to end: policy staff write a different
eligibility table in YAML alone — other years, a 破格 branch counted in 省级 awards — on a copy
of schemas/; the generator builds it; the app then refuses and accepts 确定申报 exactly per
that table, saying what is missing, and `generator explain` prints it.

The numbers below are the drill's own policy (this test is its author); the app knows none
of them except through the build."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from applicant_helpers import Applicant, World
from runtime_support import ROOT, valid_declaration
from starlette.testclient import TestClient

from generator.__main__ import main as generator_main
from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock

YEAR = 2026  # the notice year of the frozen test clock (INSIDE_WINDOW)
SERIES, LEVEL, HELD = "档案", "副高级", "中级"
AWARD, PROVINCIAL = "获奖", "省级"

DRILL = f"""
# 演练:档案系列副高级申报条件(政策演练,非真实政策)
id: archives_drill
title: 档案系列副高级申报条件(演练)
rule: ELIG-1
source: 政策演练
series: [{SERIES}]
measures:
  education: {{title: 评审依据学历, value: education.basis.education}}
  mode: {{title: 申报方式, value: header.mode}}
levels:
  {LEVEL}:
    measures:
      years:
        title: 取得中级职称后年限
        unit: 年
        value: years(min(current_title, qualified_on, level == "{HELD}"), declaration.year_end)
      awards:
        title: 省级获奖
        unit: 项
        value: count(achievements, category == "{AWARD}" and award_level == "{PROVINCIAL}")
    rows:
      - id: bachelor
        title: 评审依据学历为本科,取得中级职称后满7年
        conditions: {{education: 大学本科, years: {{at_least: 7}}}}
      - id: master
        title: 评审依据学历为硕士,取得中级职称后满4年
        conditions: {{education: 硕士研究生, years: {{at_least: 4}}}}
      - id: exceptional
        title: 破格:本科,取得中级职称后满3年,省级获奖2项
        conditions: {{mode: 破格, education: 大学本科, years: {{at_least: 3}}, awards: {{at_least: 2}}}}
    examples:
      valid:
        - education: {{basis: {{education: 硕士研究生}}}}
          current_title: {{rows: [{{level: {HELD}, qualified_on: '2021.01'}}]}}
      invalid:
        - education: {{basis: {{education: 大学本科}}}}
          current_title: {{rows: [{{level: {HELD}, qualified_on: '2021.01'}}]}}
"""


@dataclass
class Drilled:
    schemas: Path
    build: Path


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> Drilled:
    root = tmp_path_factory.mktemp("eligibility-drill")
    schemas = root / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    (schemas / "eligibility" / "archives_drill.yaml").write_text(DRILL, encoding="utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    write_build(result.artifacts, root / "build")
    return Drilled(schemas, root / "build")


@pytest.fixture
def drill_world(drilled: Drilled, tmp_path: Path, clock: Clock) -> Iterator[World]:
    app = create_app(drilled.build, tmp_path / "data", dev=True, clock=clock)
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client, clock, tmp_path / "data")
    app.state.services.storage.close()


def _title(level: str) -> str:
    entries = json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))["series"]["entries"]
    return str(next(e for e in entries if e["value"] == SERIES)["titles"][level][0])


def _declare(
    world: World, education: str, years: int, *, mode: str = "正常晋升", awards: int = 0
) -> tuple[Applicant, str]:
    applicant, unit_id = world.applicant(), world.unit()
    sections = valid_declaration(unit_id)
    header = sections["header"]
    header.update(level=LEVEL, series=SERIES, title=_title(LEVEL), mode=mode)
    if mode == "破格":
        header["exception"] = world.client.get("/api/v1/dictionaries/exception_cases").json()["entries"][0]["value"]
    sections["education"]["basis"]["education"] = education
    held = sections["current_title"]["rows"][0]
    held.update(level=HELD, title=_title(HELD), qualified_on=f"{YEAR - years}.12", appointed_on=f"{YEAR - years}.12")
    template = {"category": AWARD, "rank": "1/1", "authority": "山东省人民政府", "award_level": PROVINCIAL}
    sections["achievements"]["rows"] = [
        dict(template, name=f"山东省档案科技进步奖第{i + 1}项", time=f"{YEAR - 1}.{i + 1:02d}") for i in range(awards)
    ]
    declaration_id = applicant.new_declaration()
    for section, document in sections.items():
        response = applicant.save(declaration_id, section, document)
        assert response.status_code == 200, (section, response.text)
    return applicant, declaration_id


def _verdict(applicant: Applicant, declaration_id: str) -> dict[str, Any]:
    found: dict[str, Any] = applicant.get(f"/api/v1/declarations/{declaration_id}/eligibility").json()
    return found


def _submit_errors(applicant: Applicant, declaration_id: str) -> list[dict[str, Any]]:
    response = applicant.post(f"/api/v1/declarations/{declaration_id}/submit")
    if response.status_code == 200:
        return []
    assert response.status_code == 422, response.text
    return [e for e in response.json()["errors"] if e["code"] == "eligibility"]


@pytest.mark.parametrize(
    ("education", "years", "mode", "awards", "row"),
    [
        ("大学本科", 7, "正常晋升", 0, "bachelor"),
        ("硕士研究生", 4, "正常晋升", 0, "master"),
        ("大学本科", 3, "破格", 2, "exceptional"),
    ],
)
def test_a_declaration_meeting_a_row_of_the_drilled_table_is_accepted(
    drill_world: World, education: str, years: int, mode: str, awards: int, row: str
) -> None:
    applicant, declaration_id = _declare(drill_world, education, years, mode=mode, awards=awards)
    verdict = _verdict(applicant, declaration_id)
    assert verdict["met"] is True and verdict["row"]["id"] == row, verdict
    assert _submit_errors(applicant, declaration_id) == []


@pytest.mark.parametrize(
    ("education", "years", "mode", "awards", "row", "missing", "had"),
    [
        ("大学本科", 6, "正常晋升", 0, "bachelor", "years", "6"),
        ("硕士研究生", 3, "正常晋升", 0, "master", "years", "3"),
        ("大学本科", 3, "破格", 1, "exceptional", "awards", "1"),
        ("大学本科", 2, "破格", 2, "exceptional", "years", "2"),
    ],
)
def test_a_declaration_short_of_the_drilled_table_is_refused_saying_what_is_missing(
    drill_world: World, education: str, years: int, mode: str, awards: int, row: str, missing: str, had: str
) -> None:
    applicant, declaration_id = _declare(drill_world, education, years, mode=mode, awards=awards)
    verdict = _verdict(applicant, declaration_id)
    assert verdict["met"] is False
    assert verdict["row"]["id"] == row
    assert [m["measure"] for m in verdict["missing"]] == [missing]
    assert had in verdict["missing"][0]["missing"]
    assert verdict["row"]["title"] in verdict["message"]
    [error] = _submit_errors(applicant, declaration_id)
    assert error["message"] == verdict["message"] and error["rule"] == "ELIG-1"
    state = drill_world.one("SELECT state FROM declarations WHERE id = ?", (declaration_id,))["state"]
    assert state == "draft"


def test_without_the_drilled_table_the_same_declaration_has_no_table(world: World) -> None:
    """The app's verdicts above come from the drilled build: the repository's has no 档案 table."""
    applicant, declaration_id = _declare(world, "大学本科", 6)
    verdict = _verdict(applicant, declaration_id)
    assert verdict["table"] is None


def test_explain_prints_the_drilled_table_row_by_row(drilled: Drilled, capsys: pytest.CaptureFixture[str]) -> None:
    status = generator_main(["--schemas", str(drilled.schemas), "explain", "eligibility/archives_drill"])
    out = capsys.readouterr().out
    assert status == 0
    for title in ("评审依据学历为本科,取得中级职称后满7年", "破格:本科,取得中级职称后满3年,省级获奖2项"):
        assert title in out
    assert "(awards)" in out and "政策演练" in out
