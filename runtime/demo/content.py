"""The content of a demo declaration: a persona completed against the build.

The persona (runtime/demo/demo_declaration.json) is one applicant's life story — schools,
dates, texts. Everything that is policy (required fields, code lists, row limits, yearly
hours, conditional fields) comes from build/ through `vocabulary.specimen`, so a YAML-only
policy change keeps `seed-demo` and the tests that use this working.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from importlib import resources
from typing import Any

from runtime.bundle import Bundle
from vocabulary.model import Context
from vocabulary.specimen import complete_declaration


def demo_persona() -> dict[str, Any]:
    text = resources.files("runtime.demo").joinpath("demo_declaration.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


def valid_declaration(
    bundle: Bundle,
    year: int,
    today: date,
    fixed: Mapping[str, Any],
    persona: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every section of a declaration of `year` that the bundle's sections accept; `fixed`
    holds what only the data knows (the declaring unit's id as `unit`)."""
    dictionaries = {name: spec["entries"] for name, spec in bundle.dictionaries.items()}
    sections = {form.id: form.compiled for form in bundle.declaration_sections()}
    context = Context(year=year, today=today)
    return complete_declaration(sections, persona or demo_persona(), dictionaries, context, fixed)
