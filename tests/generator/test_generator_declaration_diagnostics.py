"""Diagnostics of issue 12 beyond the golden cases' file:line: what the caret points at, that
a syntax error has no follow-ons, and page texts missing from messages.yaml."""

from __future__ import annotations

from pathlib import Path

from golden import apply_case, copy_schemas

from generator.compiler import compile_schemas
from generator.errors import display_width


def _caret_offset(rendered: str) -> int:
    lines = rendered.splitlines()
    source = next(i for i, line in enumerate(lines) if line.startswith("  | "))
    return lines[source + 1].index("^") - len("  | ")


def _case(name: str, tmp_path: Path) -> Path:
    schemas = copy_schemas(tmp_path)
    apply_case(name, schemas)
    return schemas


def test_the_caret_stands_under_the_name_on_a_line_with_chinese_text(tmp_path: Path) -> None:
    result = compile_schemas(_case("caret_under_chinese_text", tmp_path))
    [diagnostic] = [d for d in result.report.items if d.code == "E301"]
    prefix = diagnostic.source[: diagnostic.source.index("申报类别")]
    assert _caret_offset(diagnostic.render()) == display_width(prefix) > len(prefix)


def test_a_yaml_syntax_error_is_reported_alone(tmp_path: Path) -> None:
    result = compile_schemas(_case("yaml_syntax_error_has_no_follow_ons", tmp_path))
    assert [d.code for d in result.report.items] == ["E101"]


def test_a_page_text_missing_from_messages_is_reported_with_the_template(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    messages = schemas / "messages.yaml"
    text = messages.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("  eligibility_title:"))
    messages.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    result = compile_schemas(schemas)
    found = [d for d in result.report.items if d.code == "E360"]
    assert len(found) == 1 and "eligibility_title" in found[0].message and "declaration.html" in found[0].message


def test_the_repository_schemas_have_every_page_text_and_routing_cell() -> None:
    result = compile_schemas(Path(__file__).resolve().parents[2] / "schemas")
    assert not [d for d in result.report.items if d.code in ("E358", "E359", "E360", "E361")]
