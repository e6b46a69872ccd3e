"""The docs keep up with the code: every key, rule kind, diagnostic code and CLI command is written down."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from functools import cache
from typing import Any

import pytest
from golden import ROOT

from generator.__main__ import main
from generator.errors import CATALOG
from vocabulary.rules import RULE_KINDS

META = ROOT / "generator" / "meta"
SCHEMA_LANGUAGE = ROOT / "docs" / "schema-language.md"
DIAGNOSTICS = ROOT / "docs" / "diagnostics.md"
README = ROOT / "README.md"


def meta(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((META / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def schema_keywords() -> list[str]:
    """Every key a form file may hold, and every value of the field keys with a fixed list."""
    field, form, common = meta("field"), meta("form"), meta("common")["$defs"]
    names = set(field["properties"]) | set(form["properties"])
    names |= set(form["properties"]["rows"]["properties"])
    names |= set(common["rule"]["properties"]) | set(common["upload"]["properties"])
    names |= set(field["properties"]["messages"]["propertyNames"]["enum"])
    for key in ("type", "format", "widget"):
        names |= set(field["properties"][key]["enum"])
    return sorted(names)


def rule_parameters() -> list[str]:
    return sorted({p for kind in RULE_KINDS.values() for p in kind.parameters.get("properties", {})})


def written(name: str, text: str) -> bool:
    """`name` in backticks, or `name:` as a YAML key in an example."""
    return bool(re.search(rf"`{re.escape(name)}`|(?<![\w-]){re.escape(name)}:", text))


@pytest.mark.parametrize("name", schema_keywords())
def test_every_key_the_meta_schema_accepts_is_in_the_schema_language_doc(name: str) -> None:
    assert written(name, SCHEMA_LANGUAGE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", sorted(RULE_KINDS))
def test_every_rule_kind_is_in_the_rule_kinds_table(kind: str) -> None:
    text = SCHEMA_LANGUAGE.read_text(encoding="utf-8")
    assert re.search(rf"^\| `{re.escape(kind)}` \|", text, re.MULTILINE)


@pytest.mark.parametrize("name", rule_parameters())
def test_every_rule_parameter_is_in_the_schema_language_doc(name: str) -> None:
    assert written(name, SCHEMA_LANGUAGE.read_text(encoding="utf-8"))


# --- docs/diagnostics.md ----------------------------------------------------------------------


def diagnostics_sections() -> dict[str, str]:
    """Each `## E101 — summary` heading of docs/diagnostics.md with the text below it."""
    text = DIAGNOSTICS.read_text(encoding="utf-8")
    parts = re.split(r"^## (E\d{3}) ", text, flags=re.MULTILINE)
    return {code: body for code, body in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_diagnostic_code_has_a_section_with_its_summary_an_example_and_a_fix(code: str) -> None:
    body = diagnostics_sections().get(code)
    assert body is not None, f"docs/diagnostics.md has no '## {code} …' section"
    assert body.splitlines()[0].strip("— ").strip() == CATALOG[code].summary
    assert "When it fires" in body
    assert f" {code} " in body, "the example diagnostic shows the code"
    assert "Fix" in body


def test_the_diagnostics_doc_lists_no_code_the_catalog_lacks() -> None:
    assert set(diagnostics_sections()) <= set(CATALOG)


@cache
def help_text(*argv: str) -> str:
    """What `python -m generator ARGV --help` prints."""
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return out.getvalue()


def commands() -> list[str]:
    match = re.search(r"\{([a-z,]+)\}", help_text())
    assert match, help_text()
    return match.group(1).split(",")


def options(*command: str) -> list[str]:
    return sorted(set(re.findall(r"(--[a-z][a-z-]+)", help_text(*command))) - {"--help"})


@pytest.mark.parametrize("command", commands())
def test_every_cli_command_is_documented(command: str) -> None:
    docs = DIAGNOSTICS.read_text(encoding="utf-8") + README.read_text(encoding="utf-8")
    assert f"python -m generator {command}" in docs


@pytest.mark.parametrize("command", ["", *commands()])
def test_every_cli_option_is_documented(command: str) -> None:
    docs = DIAGNOSTICS.read_text(encoding="utf-8") + README.read_text(encoding="utf-8")
    for option in options(*filter(None, [command])):
        assert f"`{option}" in docs, option


def test_the_cli_has_the_four_commands_of_the_architecture_and_migrate() -> None:
    """migrate (VER-3) checks a migration against the versions of a data dir, then hands the move
    to the runtime, which owns the data."""
    assert commands() == ["check", "build", "diff", "explain", "migrate"]
