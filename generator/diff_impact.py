"""`generator diff --data-dir DIR`: under each change, how many declarations in flight it would
touch, by state. The declarations belong to the runtime, so the counts come from
`python -m runtime census` in a process of its own (the generator never imports the runtime).
Counted are declarations in flight on another version than the compared one: those that see
the change once a migration moves them (VER-3); a change names its reach (`Change.scope`:
states of a step, a notice, a series × level), else it reaches them all."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from generator.diff_render import Change, text

Census = list[dict[str, Any]]


def census(data_dir: Path, database: str | None) -> Census | str:
    """The runtime's counts, or why they cannot be had."""
    command = [sys.executable, "-m", "runtime", "census", "--data-dir", str(data_dir)]
    command += ["--database", database] if database else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return done.stderr.strip() or f"exit status {done.returncode}"
    found: Census = json.loads(done.stdout)
    return found


def reached(change: Change, rows: Census, version: str) -> Counter[str]:
    scope = change.scope
    counts: Counter[str] = Counter()
    for row in rows:
        if row["version"] == version:
            continue
        if "states" in scope and row["state"] not in scope["states"]:
            continue
        if "notice" in scope and row["notice_id"] != scope["notice"]:
            continue
        if "series" in scope and (row["series"], row["level"]) != (scope["series"], scope["level"]):
            continue
        counts[str(row["state"])] += int(row["count"])
    return counts


def impact(change: Change, rows: Census, version: str, lang: str) -> str:
    counts = reached(change, rows, version)
    if not counts:
        return text("impact_none", lang)
    states = text("impact_sep", lang).join(
        text("impact_state", lang, state=state, count=count) for state, count in sorted(counts.items())
    )
    return text("impact", lang, total=sum(counts.values()), states=states)
