"""`generator diff` shows what policy staff must see before a change goes live (issue 11): the
number inside a changed rule, a changed message, a changed text of messages.yaml, what changed
inside a workflow step, and a new notice with its window (never `None..None`)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from generator.compiler import Result, compile_schemas
from generator.diff import compare

TRAINING = "forms/declaration/continuing_education.yaml"
YEARLY_MINIMUM = re.compile(r"(kind: yearly-minimum\n(?:    .*\n)*?    minimum: )(\d+)")


def edited(tmp_path: Path, *edits: tuple[str, str | re.Pattern[str], str]) -> Result:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    for relpath, old, new in edits:
        path = schemas / relpath
        text = path.read_text("utf-8")
        changed, count = (
            old.subn(new, text, count=1)
            if isinstance(old, re.Pattern)
            else (text.replace(old, new, 1), text.count(old))
        )
        assert count, (relpath, old)
        path.write_text(changed, "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    return result


def lines(repository: Result, changed: Result) -> list[str]:
    assert repository.model is not None and changed.model is not None
    return list(compare(repository.model, changed.model))


def test_a_changed_minimum_is_shown_with_both_numbers(tmp_path: Path, repository: Result) -> None:
    found = YEARLY_MINIMUM.search((ROOT / "schemas" / TRAINING).read_text("utf-8"))
    assert found
    old = int(found.group(2))
    new = old * 4 // 5
    said = lines(repository, edited(tmp_path, (TRAINING, YEARLY_MINIMUM, rf"\g<1>{new}")))
    assert any(f"minimum {old} → {new}" in line and "[DEC-12]" in line for line in said), said


def test_a_changed_rule_message_and_page_text_are_shown_old_and_new(tmp_path: Path, repository: Result) -> None:
    text = (ROOT / "schemas" / TRAINING).read_text("utf-8")
    message = re.search(r"kind: not-before\n(?:    .*\n)*?    message: (.+)\n", text)
    assert message
    said = lines(
        repository,
        edited(
            tmp_path,
            (TRAINING, f"message: {message.group(1)}", f"message: {message.group(1)}(请核对)"),
            ("messages.yaml", "\n  saved: ", "\n  saved: 已经"),
        ),
    )
    assert any(f"«{message.group(1)}» → «{message.group(1)}(请核对)»" in line for line in said), said
    assert any(line.startswith("[everyone] text ui.saved 「") and "→ 「已经" in line for line in said), said


def test_a_new_notice_is_shown_with_its_window(tmp_path: Path, repository: Result) -> None:
    notice = (
        "\n  - {id: notice_next, year: 2099, title: 下一年度申报通知,"
        " opens: '2099-11-01', closes: '2099-12-31', levels: all, series: all}"
    )
    # after the current notice: the first notice's window is where rule examples run
    last = "levels: all, series: all}"
    said = lines(repository, edited(tmp_path, ("platform.yaml", last, last + notice)))
    added = [line for line in said if "notice_next" in line]
    assert added and "2099-11-01..2099-12-31" in added[0] and "None" not in added[0]


@pytest.mark.parametrize("guard", ["working_days:5"])
def test_a_changed_step_names_what_changed_inside_it(tmp_path: Path, repository: Result, guard: str) -> None:
    workflow = (ROOT / "schemas" / "workflow" / "declaration.yaml").read_text("utf-8")
    step = re.search(r"  - id: (\w+)\n(?:    .*\n)*?    guards: \[([^\]]*)\]\n", workflow)
    assert step
    changed = edited(
        tmp_path,
        ("workflow/declaration.yaml", f"guards: [{step.group(2)}]", f"guards: [{step.group(2)}, {guard}]"),
    )
    said = [line for line in lines(repository, changed) if f"step {step.group(1)} " in line]
    assert said and "guards" in said[0] and guard in said[0], said
