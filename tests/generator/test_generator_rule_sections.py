"""A section save judges only the declaration rules that point into it (issue 14): the runtime
filters them by `section_of` before reading the other sections. That filter may never drop a
failure, so every shipped rule's invalid examples must fail in exactly the section it names, and
its valid examples nowhere."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import declaration_shape
from generator.compiler import compile_schemas
from generator.declaration_rules import compiled_rule
from vocabulary.declaration_rules import context_data, run_declaration_rules, section_of

ROOT = Path(__file__).resolve().parents[2]
MODEL = compile_schemas(ROOT / "schemas").model
SHAPE = declaration_shape.plain(declaration_shape.rich(MODEL))


def examples() -> Iterator[Any]:
    for path in sorted((ROOT / "schemas" / "rules").glob("*.yaml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            for which in ("valid", "invalid"):
                for i, example in enumerate((rule.get("examples") or {}).get(which) or []):
                    yield pytest.param(rule, which == "invalid", example, id=f"{path.stem}-{rule['id']}-{which}{i}")


def findings(rule: Mapping[str, Any], example: Mapping[str, Any]) -> list[Any]:
    context = MODEL.example_context()
    sections = {k: v for k, v in example.items() if k != "account"}
    data = context_data(sections, example.get("account") or {}, context.year, context.today)
    return list(run_declaration_rules([compiled_rule(rule)], SHAPE, data))


def test_the_shipped_policy_has_cross_section_rules() -> None:
    assert len(list(examples())) >= 2


@pytest.mark.parametrize(("rule", "invalid", "example"), list(examples()))
def test_a_rule_fails_only_in_the_section_it_points_into(
    rule: Mapping[str, Any], invalid: bool, example: Mapping[str, Any]
) -> None:
    found = findings(rule, example)
    assert bool(found) == invalid
    assert all(f.section == section_of(compiled_rule(rule)) for f in found)
    assert section_of(compiled_rule(rule)) in SHAPE  # a section of the declaration
