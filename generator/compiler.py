"""The pipeline: load → meta-validate → resolve → cross-check → emit."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.checks import CHECKS
from generator.emit import Artifacts
from generator.emit import data as emit_data
from generator.emit import editor as emit_editor
from generator.emit import faq as emit_faq
from generator.emit import forms as emit_forms
from generator.emit import manifest as emit_manifest
from generator.emit import notifications as emit_notifications
from generator.emit import openapi as emit_openapi
from generator.emit import rules as emit_rules
from generator.emit import templates as emit_templates
from generator.errors import Report
from generator.meta_validate import meta_validate
from generator.model import Model, resolve
from generator.project import load_project

WRITERS = (
    emit_data.emit,
    emit_forms.emit,
    emit_openapi.emit,
    emit_templates.emit,
    emit_faq.emit,
    emit_rules.emit,
    emit_notifications.emit,
    emit_editor.emit,
)


@dataclass
class Result:
    report: Report
    model: Model | None = None
    artifacts: Artifacts = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.report.errors


def compile_schemas(schemas_dir: Path) -> Result:
    """Everything but writing: the diagnostics, and the artifacts when there are none."""
    project = load_project(schemas_dir)
    meta_validate(project)
    had_errors = bool(project.report.errors)
    if any(d.code == "E101" for d in project.report.items):
        # A file that does not parse has unknown contents: every cross-reference to what it
        # defines would be a follow-on error hiding the one that matters. Fix it first.
        return Result(report=project.report)
    try:
        model = resolve(project)
        for check in CHECKS:
            check(model)
    except Exception:
        # Malformed files were already reported; a check tripping over them
        # adds nothing. On a clean meta pass, a crash is our bug: let it show.
        if had_errors:
            return Result(report=project.report)
        raise
    result = Result(report=project.report, model=model)
    if result.ok:
        artifacts: Artifacts = {}
        for writer in WRITERS:
            artifacts.update(writer(model))
        artifacts.update(emit_manifest.emit(model, artifacts))
        result.artifacts = artifacts
    return result


def write_build(artifacts: Artifacts, build_dir: Path) -> None:
    """Replace build/ with exactly these artifacts (nothing stale stays behind)."""
    staging = build_dir.with_name(build_dir.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    for relpath, content in sorted(artifacts.items()):
        target = staging / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if build_dir.exists():
        shutil.rmtree(build_dir)
    staging.rename(build_dir)


def stale_files(artifacts: Artifacts, build_dir: Path) -> list[str]:
    """Paths under build/ that differ from what the schemas compile to."""
    problems = []
    for relpath, content in sorted(artifacts.items()):
        target = build_dir / relpath
        if not target.is_file():
            problems.append(f"missing {relpath}")
        elif target.read_bytes() != content:
            problems.append(f"changed {relpath}")
    if build_dir.is_dir():
        for path in sorted(build_dir.rglob("*")):
            relpath = path.relative_to(build_dir).as_posix()
            if path.is_file() and relpath not in artifacts:
                problems.append(f"extra {relpath}")
    return problems
