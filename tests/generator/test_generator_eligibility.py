"""ELIG-1 eligibility tables and ELIG-2 rules: written in YAML alone, checked by the generator,
explained for policy staff, judged by vocabulary's code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from golden import ROOT, copy_schemas, run_cli

from generator.compiler import compile_schemas
from generator.declaration_rules import build
from vocabulary.declaration_rules import context_data
from vocabulary.eligibility import assess, message

RULES = json.loads((ROOT / "build" / "rules.json").read_text(encoding="utf-8"))

# A hidden variant of the 副高级 drill, written as policy staff would: a different table,
# with a 破格 branch counted in 省级 awards. Nothing in Python knows these numbers.
DRILL = """
id: drill
title: 演练申报条件
rule: ELIG-1
source: 演练
series: [档案]
measures:
  education: {title: 评审依据学历, value: education.basis.education}
  mode: {title: 申报方式, value: header.mode}
levels:
  副高级:
    measures:
      years:
        title: 取得中级职称后年限
        unit: 年
        value: years(min(current_title, qualified_on, level == "中级"), declaration.year_end)
      awards:
        title: 省级获奖
        unit: 项
        value: count(achievements, category == "获奖" and award_level == "省级")
    rows:
      - id: bachelor
        title: 评审依据学历为本科,取得中级职称后满6年
        conditions: {education: 大学本科, years: {at_least: 6}}
      - id: master
        title: 评审依据学历为硕士,取得中级职称后满3年
        conditions: {education: 硕士研究生, years: {at_least: 3}}
      - id: exceptional
        title: 破格:本科,取得中级职称后满4年,省级获奖3项
        conditions: {mode: 破格, education: 大学本科, years: {at_least: 4}, awards: {at_least: 3}}
    examples:
      valid:
        - education: {basis: {education: 硕士研究生}}
          current_title: {rows: [{level: 中级, qualified_on: '2023.01'}]}
      invalid:
        - education: {basis: {education: 大学本科}}
          current_title: {rows: [{level: 中级, qualified_on: '2023.01'}]}
"""


def _drill(tmp_path: Path, text: str = DRILL) -> Any:
    schemas = copy_schemas(tmp_path)
    (schemas / "eligibility" / "drill.yaml").write_text(text, encoding="utf-8")
    return compile_schemas(schemas)


def _declaration(education: str, qualified_on: str, mode: str = "正常晋升", awards: int = 0) -> dict[str, Any]:
    rows = [{"category": "获奖", "award_level": "省级"}] * awards
    sections = {
        "header": {"mode": mode},
        "education": {"basis": {"education": education}},
        "current_title": {"rows": [{"level": "中级", "qualified_on": qualified_on}]},
        "achievements": {"rows": rows},
    }
    return context_data(sections, {}, 2026, None)


def test_a_table_written_in_yaml_alone_accepts_and_refuses_exactly_per_its_rows(tmp_path: Path) -> None:
    result = _drill(tmp_path)
    assert result.ok, result.report.render()
    compiled = build(result.model)
    level, shape, texts = compiled["eligibility"]["drill"]["levels"]["副高级"], compiled["shape"], compiled["texts"]
    assert assess(level, shape, _declaration("大学本科", "2020.12")).row["id"] == "bachelor"  # type: ignore[index]
    assert assess(level, shape, _declaration("大学本科", "2020.12")).met
    short = assess(level, shape, _declaration("大学本科", "2021.12"))
    assert not short.met and short.row is not None and short.row["id"] == "bachelor"
    said = message(short, texts)
    assert "评审依据学历为本科,取得中级职称后满6年" in said and "满5年" in said
    exceptional = assess(level, shape, _declaration("大学本科", "2022.12", mode="破格", awards=3))
    assert exceptional.met and exceptional.row is not None and exceptional.row["id"] == "exceptional"
    two_awards = assess(level, shape, _declaration("大学本科", "2022.12", mode="破格", awards=2))
    assert not two_awards.met and two_awards.row is not None and two_awards.row["id"] == "exceptional"
    assert [g.measure for g in two_awards.gaps] == ["awards"]


def test_a_table_example_that_disagrees_is_reported_naming_the_row_it_met(tmp_path: Path) -> None:
    wrong = DRILL.replace("qualified_on: '2023.01'}]}\n      invalid", "qualified_on: '2025.01'}]}\n      invalid")
    result = _drill(tmp_path, wrong)
    found = [d for d in result.report.items if d.code == "E304"]
    assert len(found) == 1 and "meets no row (nearest: 'master')" in found[0].message


def test_explain_prints_every_row_of_every_table_level() -> None:
    for table_id, table in RULES["eligibility"].items():
        run = run_cli("--schemas", str(ROOT / "schemas"), "explain", f"eligibility/{table_id}")
        assert run.status == 0, run.stderr
        for level_name, level in table["levels"].items():
            assert f"{level_name}:" in run.stdout
            for row in level["rows"]:
                assert row["title"] in run.stdout
                for name in row["conditions"]:
                    assert f"({name})" in run.stdout
        assert table["source"] in run.stdout


def test_explain_prints_the_rules_across_sections() -> None:
    run = run_cli("--schemas", str(ROOT / "schemas"), "explain", "rules/plausibility")
    assert run.status == 0, run.stderr
    for rule in RULES["rules"]:
        assert rule["id"] in run.stdout and rule["check"] in run.stdout


def test_the_engineering_table_covers_all_four_levels_and_names_its_source() -> None:
    engineering = RULES["eligibility"]["engineering"]
    levels = [
        e["value"] for e in json.loads((ROOT / "build" / "dictionaries.json").read_text("utf-8"))["levels"]["entries"]
    ]
    assert set(engineering["levels"]) == set(levels)
    assert "人社部发〔2019〕16号" in engineering["source"]
    header = (ROOT / "schemas" / "eligibility" / "engineering.yaml").read_text(encoding="utf-8").split("\nid:")[0]
    assert "人社部发〔2019〕16号" in header
