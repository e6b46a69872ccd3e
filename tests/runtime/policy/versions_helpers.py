"""Policy edits made the way policy staff make them (a YAML edit in a copy of schemas/ and a
build into a folder of its own), and apps started on one data dir as a restart would."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chain_helpers import World
from runtime_support import ROOT
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock

Edit = Callable[[Path], None]


def build_edited(tmp: Path, name: str, *edits: Edit) -> Path:
    """A copy of schemas/ with `edits` applied, compiled into tmp/<name>/build."""
    schemas = tmp / name / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    for edit in edits:
        edit(schemas)
    result = compile_schemas(schemas)
    assert result.ok, [str(d) for d in result.report.errors]
    build = tmp / name / "build"
    write_build(result.artifacts, build)
    return build


def replace_once(path: Path, old: str | re.Pattern[str], new: str) -> None:
    text = path.read_text("utf-8")
    if isinstance(old, re.Pattern):
        edited, count = old.subn(new, text, count=1)
    else:
        count = text.count(old)
        edited = text.replace(old, new, 1)
    assert count >= 1, f"{old!r} not in {path}"
    path.write_text(edited, "utf-8")


def compiled_section(build: Path, section: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((build / "forms" / "declaration" / f"{section}.json").read_text("utf-8"))
    return found


def rows_max(build: Path, section: str) -> int:
    return int(compiled_section(build, section)["rows"]["max"])


def schema_hash(build: Path) -> str:
    return str(json.loads((build / "manifest.json").read_text("utf-8"))["schema_hash"])


@contextmanager
def serving(build: Path, data_dir: Path, clock: Clock, *, seed: bool = False) -> Iterator[World]:
    """An app on `data_dir` served from `build`; leaving it closes the database (a stop)."""
    app = create_app(build, data_dir, dev=True, clock=clock)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            world = World(client, app)
            if seed:
                world.seed_authorities()
            yield world
    finally:
        app.state.services.storage.close()


def with_publicity(workflow: str) -> str:
    """The publicity-step edit of tests/runtime/review/ (one drill, written once)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "review"))
    from test_chain_publicity_step import with_publicity as edit

    return str(edit(workflow))
