"""Golden schema cases: small overlays on a copy of the repository's schemas/.

A case is a folder under cases/:

- ``schemas/…``   files written over a temporary copy of the repository's schemas/
- ``delete.txt``  optional: paths under schemas/ to remove from the copy, one a line
- ``expected.txt`` the diagnostics that must all be reported, one a line, as
  ``CODE schemas/relative/file.yaml:LINE``; ``#`` starts a comment. A case whose lines
  are ``E401 <detail>`` is about a stale build/: it is run through the CLI ``check``
  against a build/ written from the untouched copy, and each detail (``changed
  dictionaries.json``) must appear in what it prints.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from generator.__main__ import main as generator_main
from generator.compiler import Result, compile_schemas, write_build
from generator.errors import Report

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
CASES = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class CliRun:
    status: int
    stdout: str
    stderr: str


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").is_file())


def expected(name: str) -> list[str]:
    """The case's expected lines, comments and blank lines left out."""
    text = (CASES / name / "expected.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def expected_codes(name: str) -> set[str]:
    return {line.split()[0] for line in expected(name)}


def is_cli_case(name: str) -> bool:
    return expected_codes(name) == {"E401"}


def copy_schemas(tmp_path: Path) -> Path:
    """A private copy of the repository's schemas/, named schemas/ like the original."""
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, target)
    return target


def apply_case(name: str, schemas: Path) -> None:
    case = CASES / name
    overlay = case / "schemas"
    if overlay.is_dir():
        for source in sorted(overlay.rglob("*")):
            if source.is_file():
                target = schemas / source.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    deletions = case / "delete.txt"
    if deletions.is_file():
        for line in deletions.read_text(encoding="utf-8").splitlines():
            relpath = line.split("#", 1)[0].strip()
            if relpath:
                (schemas / relpath).unlink()


def compile_case(name: str, tmp_path: Path) -> Result:
    """Copy schemas/ to tmp_path, apply the case's overlay, compile (nothing is written)."""
    schemas = copy_schemas(tmp_path)
    apply_case(name, schemas)
    return compile_schemas(schemas)


def located(report: Report) -> set[str]:
    """Every diagnostic as ``CODE file:line``, the form expected.txt uses."""
    return {f"{d.code} {d.file}:{d.line}" for d in report.items}


def run_cli(*argv: str) -> CliRun:
    """``python -m generator ARGV`` in this process (faster than a subprocess)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = generator_main(list(argv))
    return CliRun(status, out.getvalue(), err.getvalue())


def check_stale_case(name: str, tmp_path: Path) -> CliRun:
    """Write build/ from the untouched copy, apply the overlay, then run ``check``."""
    schemas = copy_schemas(tmp_path)
    build = tmp_path / "build"
    built = compile_schemas(schemas)
    assert built.ok, built.report.render()
    write_build(built.artifacts, build)
    apply_case(name, schemas)
    return run_cli("--schemas", str(schemas), "--build", str(build), "check")
