"""Policy drills (issue 11): a YAML-only policy change keeps the valid declarations of the tests
and `seed-demo` working, because both complete a persona against the build instead of
restating policy (vocabulary.specimen, runtime.demo.content).

On a copy of schemas/: drill d — a new required header field and a field required only
when the first one has a certain value (with a pattern only its examples satisfy) — and
drill a — the achievements limit up by five. Built into a tmp dir; nothing in Python or
JSON is edited."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from chain_helpers import World
from runtime_support import INSIDE_WINDOW, PERSONA, ROOT, frozen_clock
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.bundle import Bundle, load_bundle
from runtime.demo import content
from runtime.demo.seed import seed_demo

# Written as policy staff would: the dependent field's condition is the first choice of the
# new field, so a declaration made from the build meets the condition and must fill it.
NEW_FIELDS = """  drill_employment:
    title: 用工形式
    enum: [劳动合同, 劳务派遣, 事业编制]
    required: true
    rule: DEC-4
  drill_contract_no:
    title: 劳动合同编号
    maxLength: 20
    pattern: '^HT-[0-9]{4}-[0-9]{3}$'
    shown_when: {drill_employment: 劳动合同}
    rule: DEC-4
    examples:
      valid: [HT-2020-001]
      invalid: [2020001]
"""
NEW_RULE = """  - kind: required-if
    rule: DEC-4
    field: drill_contract_no
    when: {drill_employment: 劳动合同}
    message: 用工形式为劳动合同的,须填写劳动合同编号
    examples:
      valid:
        - {drill_employment: 劳动合同, drill_contract_no: HT-2020-001}
        - {drill_employment: 事业编制}
      invalid:
        - {drill_employment: 劳动合同}
"""


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {path}"
    path.write_text(changed, encoding="utf-8")


def drill_d(schemas: Path) -> None:
    header = schemas / "forms/declaration/header.yaml"
    _edit(header, r"^rules:\n", literal("rules:\n" + NEW_RULE))
    _edit(header, r"^fields:\n", literal("fields:\n" + NEW_FIELDS))


def literal(text: str) -> str:
    """A replacement text taken literally by re.sub (backslashes in the YAML stay)."""
    return text.replace("\\", "\\\\")


def drill_a(schemas: Path) -> int:
    path = schemas / "forms/declaration/achievements.yaml"
    found = re.search(r"^  max: (\d+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert found
    raised = int(found.group(1)) + 5
    _edit(path, r"^  max: \d+$", f"  max: {raised}")
    return raised


@dataclass
class Drilled:
    build: Path
    bundle: Bundle
    limit: int


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> Drilled:
    root = tmp_path_factory.mktemp("policy-drill")
    schemas = root / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    drill_d(schemas)
    limit = drill_a(schemas)
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    write_build(result.artifacts, root / "build")
    return Drilled(root / "build", load_bundle(root / "build", schemas), limit)


def _errors(bundle: Bundle, sections: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    today = INSIDE_WINDOW.astimezone(frozen_clock().zone).date()
    context = bundle.context(year=today.year, today=today)
    found = {form.id: form.validator.errors(sections[form.id], context) for form in bundle.declaration_sections()}
    return {section: errors for section, errors in found.items() if errors}


def test_the_drill_really_changed_the_build(drilled: Drilled) -> None:
    header = drilled.bundle.sections["declaration"]["header"].compiled
    assert "drill_employment" in header["schema"]["required"]
    assert header["client"]["fields"]["required_when"]["drill_contract_no"] == [{"drill_employment": "劳动合同"}]
    assert drilled.bundle.sections["declaration"]["achievements"].compiled["rows"]["max"] == drilled.limit


@pytest.mark.parametrize("persona", ["tests", "demo"])
def test_a_declaration_completed_against_the_drilled_build_passes_every_section(drilled: Drilled, persona: str) -> None:
    today = INSIDE_WINDOW.astimezone(frozen_clock().zone).date()
    story = PERSONA if persona == "tests" else content.demo_persona()
    sections = content.valid_declaration(drilled.bundle, today.year, today, {"unit": "org-x"}, story)
    assert _errors(drilled.bundle, sections) == {}
    header = sections["header"]
    assert header["drill_employment"] == "劳动合同" and header["drill_contract_no"] == "HT-2020-001"


def test_without_its_new_fields_the_persona_would_fail_the_drilled_build(drilled: Drilled) -> None:
    """The test above means something: the persona alone no longer passes."""
    header = drilled.bundle.sections["declaration"]["header"]
    today = INSIDE_WINDOW.astimezone(frozen_clock().zone).date()
    persona = dict(PERSONA["header"], unit="org-x", year=today.year)
    errors = header.validator.errors(persona, drilled.bundle.context(today.year, today))
    assert "/drill_employment" in [e.path for e in errors]
    with_mode = dict(persona, drill_employment="劳动合同")
    errors = header.validator.errors(with_mode, drilled.bundle.context(today.year, today))
    found = [(e.path, e.code) for e in errors]
    assert ("/drill_contract_no", "rule:required-if") in found and "/drill_employment" not in dict(found)


@pytest.fixture
def drilled_world(drilled: Drilled, tmp_path: Path) -> Iterator[World]:
    app = create_app(drilled.build, tmp_path / "data", dev=True, clock=frozen_clock())
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client, app)
    app.state.services.storage.close()


def test_seed_demo_under_the_drilled_build_fills_the_new_fields_and_walks_every_state(
    drilled_world: World,
) -> None:
    seed_demo(drilled_world.svc)
    rows = drilled_world.all(
        "SELECT d.state, s.data FROM declarations d JOIN sections s ON s.declaration_id = d.id "
        "WHERE s.section_id = 'header'"
    )
    assert len(rows) >= 5
    assert {r["state"] for r in rows} >= {"submitted", "returned", "approved", "rejected"}
    for row in rows:
        header = json.loads(row["data"])
        assert (header["drill_employment"], header["drill_contract_no"]) == ("劳动合同", "HT-2020-001")
