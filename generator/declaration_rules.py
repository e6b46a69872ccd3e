"""Compile schemas/rules/ and schemas/eligibility/ into build/rules.json (ELIG-1, ELIG-2).

Checking (parse, type-check, examples) lives in ``generator.checks.declaration_rules``;
this module only turns valid files into what the runtime reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator import declaration_shape
from generator.model import Model

ELIGIBILITY_TEXTS = (
    "eligibility_met",
    "eligibility_nearest",
    "eligibility_separator",
    "eligibility_not_filled",
    "eligibility_need_in",
    "eligibility_need_at_least",
    "eligibility_need_at_most",
    "eligibility_need_in_unknown",
    "eligibility_need_at_least_unknown",
    "eligibility_need_at_most_unknown",
    "eligibility_no_table",
    "eligibility_not_met",
)


def compiled_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "rule": rule["rule"],
        "check": rule["check"],
        "when": rule.get("when"),
        "for_each": rule.get("for_each"),
        "at": rule["at"],
        "message": rule["message"],
        "severity": rule.get("severity", "error"),
    }


def compiled_level(table: Mapping[str, Any], level: Mapping[str, Any]) -> dict[str, Any]:
    measures = {**(table.get("measures") or {}), **(level.get("measures") or {})}
    return {
        "measures": {
            name: {"title": m["title"], "value": m["value"], "unit": m.get("unit", "")} for name, m in measures.items()
        },
        "rows": [
            {
                "id": row["id"],
                "title": row["title"],
                "conditions": {
                    name: requirement if isinstance(requirement, Mapping) else {"in": [requirement]}
                    for name, requirement in row["conditions"].items()
                },
            }
            for row in level["rows"]
        ],
    }


def compiled_table(table: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": table["title"],
        "rule": table.get("rule", "ELIG-1"),
        "source": table.get("source", ""),
        "series": list(table["series"]),
        "levels": {name: compiled_level(table, level) for name, level in table["levels"].items()},
    }


def rules_of(model: Model) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for _, doc in sorted(model.project.rules.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        rules.extend(compiled_rule(rule) for rule in data.get("rules") or [])
    return rules


def tables_of(model: Model) -> dict[str, Any]:
    return {
        name: compiled_table(doc.data)
        for name, doc in sorted(model.project.eligibility.items())
        if isinstance(doc.data, dict)
    }


def build(model: Model) -> dict[str, Any]:
    """build/rules.json: the shape expressions read, the rules, the tables and their texts."""
    ui = model.project.data("messages").get("ui") or {}
    return {
        "shape": declaration_shape.plain(declaration_shape.rich(model)),
        "rules": rules_of(model),
        "eligibility": tables_of(model),
        "texts": {key: ui.get(key, "") for key in ELIGIBILITY_TEXTS},
    }
