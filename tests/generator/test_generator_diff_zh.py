"""`generator diff --lang zh` reads naturally for a 政策 review meeting, its sentences live in a YAML
catalog (generator/diff_texts.yaml), and the diff also covers the children of code-list entries
and print layouts (issue 11)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from golden import ROOT

from generator.compiler import Result, compile_schemas
from generator.diff import compare
from generator.diff_render import Change, catalog

CJK = re.compile(r"[\u4e00-\u9fff]")
TRAINING = "forms/declaration/continuing_education.yaml"
YEARLY_MINIMUM = re.compile(r"(kind: yearly-minimum\n(?:    .*\n)*?    minimum: )(\d+)")


def edited(tmp_path: Path, *edits: tuple[str, str | re.Pattern[str], str]) -> Result:
    """A copy of schemas/ with each (file, old, new) replaced once, compiled."""
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    for relpath, old, new in edits:
        path = schemas / relpath
        text = path.read_text("utf-8")
        if isinstance(old, re.Pattern):
            changed, count = old.subn(new, text, count=1)
        else:
            changed, count = text.replace(old, new, 1), text.count(old)
        assert count, (relpath, old)
        path.write_text(changed, "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    return result


def lines(repository: Result, changed: Result) -> list[str]:
    assert repository.model is not None and changed.model is not None
    return list(compare(repository.model, changed.model))


@pytest.fixture(scope="module")
def repository() -> Result:
    result = compile_schemas(ROOT / "schemas")
    assert result.ok
    return result


def said(repository: Result, changed: Result, lang: str) -> list[str]:
    assert repository.model is not None and changed.model is not None
    return [change.said(lang) for change in compare(repository.model, changed.model)]


def test_the_chinese_diff_names_the_form_the_rule_and_both_numbers(tmp_path: Path, repository: Result) -> None:
    found = YEARLY_MINIMUM.search((ROOT / "schemas" / TRAINING).read_text("utf-8"))
    assert found
    old, new = int(found.group(2)), int(found.group(2)) * 4 // 5
    changed = edited(tmp_path, (TRAINING, YEARLY_MINIMUM, rf"\g<1>{new}"))
    title = json.loads((ROOT / "build/forms/declaration/continuing_education.json").read_text("utf-8"))["title"]
    zh = said(repository, changed, "zh")
    expected = f"「{title}」{catalog('zh')['kinds']['yearly-minimum']}（DEC-12）：{catalog('zh')['params']['minimum']}"
    assert [line for line in zh if expected in line and f"{old} → {new}" in line], zh
    assert all(not re.search(r"\b(rule|field|message|minimum)\b", line) for line in zh), zh
    assert said(repository, changed, "en") == lines(repository, changed)  # English stays the default


def test_a_new_notice_and_a_changed_message_read_in_chinese(tmp_path: Path, repository: Result) -> None:
    notice = json.loads((ROOT / "build/platform.json").read_text("utf-8"))["notices"][0]
    year = notice["year"] + 1
    line = (
        f"  - {{id: notice_{year}, year: {year}, title: 新通知, opens: '{year}-11-01', closes: '{year}-12-31',"
        " levels: all, series: all}\n"
    )
    after_first = re.compile(rf"(  - \{{id: {notice['id']},.*\n)")
    changed = edited(
        tmp_path,
        ("platform.yaml", after_first, rf"\g<1>{line}"),
        (TRAINING, "公需科目学时不足", "公需科目学时未达标"),
    )
    zh = said(repository, changed, "zh")
    assert any("新增申报通知「新通知」" in s and f"{year}-11-01 至 {year}-12-31" in s for s in zh), zh
    assert any("提示语" in s and "未达标" in s for s in zh), zh
    assert not any("None" in s or "all" in s for s in zh), zh


def test_every_template_has_its_english_and_chinese_text(tmp_path: Path) -> None:
    texts = yaml.safe_load((ROOT / "generator" / "diff_texts.yaml").read_text("utf-8"))
    assert set(texts["en"]["templates"]) == set(texts["zh"]["templates"])
    assert set(texts["en"]["texts"]) == set(texts["zh"]["texts"])
    assert all(texts["zh"]["templates"][key] != text for key, text in texts["en"]["templates"].items())


def test_no_sentence_of_the_diff_is_written_in_python() -> None:
    for path in sorted((ROOT / "generator").glob("diff*.py")):
        code = re.sub(r'"""(.|\n)*?"""', "", path.read_text("utf-8"))
        assert not CJK.search(code), path.name
        assert not re.search(r'f"\[', code), path.name


def test_a_specialty_added_to_a_series_is_named_as_a_child_of_its_entry(tmp_path: Path, repository: Result) -> None:
    series = json.loads((ROOT / "build/dictionaries.json").read_text("utf-8"))["series"]["entries"][0]
    last = series["specialties"][-1]
    changed = edited(tmp_path, ("dictionaries/series.yaml", f"{last}]", f"{last}, 新专业]"))
    assert lines(repository, changed) == [f"[everyone] code list series: {series['value']} specialties +新专业"]
    assert said(repository, changed, "zh") == [f"[全体] 代码表 series：「{series['value']}」的专业增加 新专业"]


def test_a_title_added_at_one_level_is_named_with_its_level(tmp_path: Path, repository: Result) -> None:
    series = json.loads((ROOT / "build/dictionaries.json").read_text("utf-8"))["series"]["entries"][0]
    level, titles = next(iter(series["titles"].items()))
    changed = edited(
        tmp_path, ("dictionaries/series.yaml", f"{level}: [{titles[0]}]", f"{level}: [{titles[0]}, 新职称]")
    )
    assert lines(repository, changed) == [f"[everyone] code list series: {series['value']} titles {level}: +新职称"]


def test_print_layout_columns_added_renamed_and_moved_are_named(tmp_path: Path, repository: Result) -> None:
    layout = json.loads((ROOT / "build/print.json").read_text("utf-8"))["overview"]
    first, second = layout["columns"][1], layout["columns"][2]
    one = f"  - {{title: {first['title']}, source: {first['source']}}}\n"
    two = f"  - {{title: {second['title']}, source: {second['source']}}}\n"
    changed = edited(tmp_path, ("print/overview.yaml", one + two, two + one.replace(first["title"], "新列名")))
    said_en = lines(repository, changed)
    head = f"[reviewers] print layout overview 「{layout['title']}」: columns"
    assert f"{head} 「{first['title']}」 title {first['title']} → 新列名" in said_en, said_en
    assert any(s.startswith(f"{head} order [") for s in said_en), said_en
    assert len(said_en) == 2


def test_a_change_keeps_what_it_takes_to_count_the_declarations_it_touches() -> None:
    change = Change("step_removed", "reviewers", {"states": ["draft"]}, name="declaration", id="submit")
    assert change == "[reviewers] workflow declaration: step submit removed"
    assert change.scope == {"states": ["draft"]} and change.said("zh").startswith("[审核单位]")
