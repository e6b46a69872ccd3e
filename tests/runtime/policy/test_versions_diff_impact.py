"""`generator diff --data-dir DIR` weighs each change by the declarations in flight it would touch
(issue 11): a changed rule reaches every declaration in flight, a changed workflow step only those
in the states it starts from; counts come by state, in English or Chinese."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from runtime_support import ROOT
from test_versions_drill import YEARLY_MINIMUM, in_flight

from runtime.__main__ import main as runtime_main

__all__ = ["in_flight"]
GIT = ["git", "-c", "user.name=drill", "-c", "user.email=drill@example.invalid", "-c", "commit.gpgsign=false"]


def committed_schemas(tmp: Path) -> Path:
    subprocess.run([*GIT, "init", "-q"], cwd=tmp, check=True)
    schemas = tmp / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    subprocess.run([*GIT, "add", "schemas"], cwd=tmp, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "policy"], cwd=tmp, check=True)
    return schemas


def submit_step() -> dict[str, Any]:
    workflow = json.loads((ROOT / "build" / "workflow.json").read_text("utf-8"))["declaration"]
    found: dict[str, Any] = next(t for t in workflow["transitions"] if "sections_valid" in (t.get("guards") or []))
    return found


def edit_policy(schemas: Path) -> None:
    """A lower yearly minimum, and the submitting step loses one of its guards."""
    training = schemas / "forms" / "declaration" / "continuing_education.yaml"
    text = training.read_text("utf-8")
    found = YEARLY_MINIMUM.search(text)
    assert found
    training.write_text(YEARLY_MINIMUM.sub(rf"\g<1>{int(found.group(2)) - 1}", text, count=1), "utf-8")
    step = submit_step()
    workflow = schemas / "workflow" / "declaration.yaml"
    guards = ", ".join(step["guards"])
    fewer = ", ".join(g for g in step["guards"] if g != "no_integrity_record")
    text = workflow.read_text("utf-8")
    assert f"guards: [{guards}]" in text
    workflow.write_text(text.replace(f"guards: [{guards}]", f"guards: [{fewer}]", 1), "utf-8")


def diff(schemas: Path, data: Path, *flags: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "diff", "--schemas", str(schemas), "--data-dir", str(data), *flags],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def after(lines: list[str], pattern: str) -> str:
    index = next(i for i, line in enumerate(lines) if re.search(pattern, line))
    return lines[index + 1]


def test_each_change_says_how_many_declarations_in_flight_it_touches_by_state(
    tmp_path: Path, in_flight: dict[str, Any]
) -> None:
    schemas = committed_schemas(tmp_path)
    edit_policy(schemas)
    counted = subprocess.run(
        [sys.executable, "-m", "runtime", "census", "--data-dir", str(in_flight["data"])],
        capture_output=True,
        text=True,
        check=True,
    )
    states = json.loads(counted.stdout)
    by_state = {row["state"]: row["count"] for row in states}
    assert sum(by_state.values()) == 2 and len(by_state) == 2  # one draft, one submitted
    said = diff(schemas, in_flight["data"])
    everything = ", ".join(f"{state} {count}" for state, count in sorted(by_state.items()))
    assert after(said, r"rule yearly-minimum \[DEC-12\] minimum") == f"    in flight: 2 declaration(s) ({everything})"
    step = submit_step()
    waiting = {s: c for s, c in by_state.items() if s in step["from"]}
    assert len(waiting) == 1
    (state, count), *_ = waiting.items()
    assert after(said, rf"step {step['id']} .* guards") == f"    in flight: {count} declaration(s) ({state} {count})"

    zh = diff(schemas, in_flight["data"], "--lang", "zh")
    assert after(zh, rf"步骤「{step['title']}」") == f"    在办申报：{count} 件（{state} {count} 件）"


def test_a_data_dir_without_a_database_is_refused(tmp_path: Path) -> None:
    schemas = committed_schemas(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "diff", "--schemas", str(schemas), "--data-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "no database" in done.stderr
    assert runtime_main(["census", "--data-dir", str(tmp_path / "none")]) == 2
    assert not (tmp_path / "none").exists()
