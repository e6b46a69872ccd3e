"""build/ is a pure function of schemas/: byte-identical every time, and `check` knows when it is not."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from golden import ROOT, copy_schemas, run_cli

from generator.compiler import Result, compile_schemas, write_build


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of schemas/ and a build/ written from it."""
    schemas = copy_schemas(tmp_path)
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    write_build(result.artifacts, tmp_path / "build")
    return schemas, tmp_path / "build"


def check(schemas: Path, build: Path) -> tuple[int, str]:
    run = run_cli("--schemas", str(schemas), "--build", str(build), "check")
    return run.status, run.stdout + run.stderr


def test_compiling_twice_gives_the_same_artifacts(repository: Result) -> None:
    again = compile_schemas(ROOT / "schemas")
    assert again.artifacts == repository.artifacts


def test_building_twice_in_fresh_processes_gives_byte_identical_files(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    for n, seed in enumerate(("1", "2")):
        subprocess.run(
            [sys.executable, "-m", "generator", "build", "--schemas", str(schemas), "--build", f"build{n}"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            timeout=60,
        )
    first, second = tree(tmp_path / "build0"), tree(tmp_path / "build1")
    assert first and first == second


def test_a_copy_of_the_schemas_elsewhere_builds_the_same_bytes(built: tuple[Path, Path]) -> None:
    _, build = built
    again = compile_schemas(ROOT / "schemas")
    assert tree(build) == again.artifacts


def test_check_passes_on_the_repository() -> None:
    status, output = check(ROOT / "schemas", ROOT / "build")
    assert status == 0, output
    assert "build/ up to date" in output


def test_check_passes_right_after_build(built: tuple[Path, Path]) -> None:
    assert check(*built)[0] == 0


def test_check_reports_e401_when_a_build_file_is_edited(built: tuple[Path, Path]) -> None:
    schemas, build = built
    target = build / "forms/declaration/achievements.json"
    edited = re.sub(r'"maxItems": \d+', '"maxItems": 99999', target.read_text(encoding="utf-8"))  # any limit
    target.write_text(edited)
    status, output = check(schemas, build)
    assert status == 1
    assert "E401" in output and "changed forms/declaration/achievements.json" in output
    assert "run: python -m generator build" in output


def test_check_reports_e401_when_a_build_file_is_missing(built: tuple[Path, Path]) -> None:
    schemas, build = built
    (build / "routing.json").unlink()
    status, output = check(schemas, build)
    assert status == 1
    assert "E401" in output and "missing routing.json" in output


def test_check_reports_e401_when_build_holds_an_extra_file(built: tuple[Path, Path]) -> None:
    schemas, build = built
    (build / "forms/declaration/notes.json").write_text("{}")
    status, output = check(schemas, build)
    assert status == 1
    assert "E401" in output and "extra forms/declaration/notes.json" in output


def test_check_reports_e401_when_there_is_no_build_at_all(tmp_path: Path) -> None:
    status, output = check(copy_schemas(tmp_path), tmp_path / "build")
    assert status == 1
    assert "missing manifest.json" in output or "missing dictionaries.json" in output


def test_check_lists_at_most_five_stale_files_and_says_there_are_more(tmp_path: Path) -> None:
    status, output = check(copy_schemas(tmp_path), tmp_path / "build")
    assert status == 1
    assert output.count("missing ") == 5
    assert "…" in output


def test_build_replaces_build_wholesale_so_nothing_stale_stays(built: tuple[Path, Path]) -> None:
    schemas, build = built
    (build / "stale.json").write_text("{}")
    run = run_cli("--schemas", str(schemas), "--build", str(build), "build")
    assert run.status == 0
    assert not (build / "stale.json").exists()
    assert check(schemas, build)[0] == 0


def test_build_writes_nothing_when_the_schemas_have_errors(built: tuple[Path, Path]) -> None:
    schemas, build = built
    before = tree(build)
    path = schemas / "dictionaries/levels.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "entries: []\n", encoding="utf-8")
    run = run_cli("--schemas", str(schemas), "--build", str(build), "build")
    assert run.status == 1
    assert "nothing was written" in run.stderr
    assert tree(build) == before


def test_the_manifest_lists_every_artifact_with_its_digest(repository: Result) -> None:
    manifest = json.loads(repository.artifacts["manifest.json"])
    files = {k: v for k, v in repository.artifacts.items() if k != "manifest.json"}
    assert manifest["files"] == {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}
