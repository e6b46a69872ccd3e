"""`explain eligibility/<id>` and `explain rules/<id>`: tables and rules as policy staff read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.declaration_rules import compiled_rule, compiled_table
from generator.model import Model


def _requirement(requirement: Mapping[str, Any], unit: str) -> str:
    if "in" in requirement:
        options = [str(o) for o in requirement["in"]]
        return options[0] if len(options) == 1 else "one of " + "/".join(options)
    if "at_least" in requirement:
        return f"≥ {requirement['at_least']}{unit}"
    return f"≤ {requirement['at_most']}{unit}"


def explain_table(model: Model, table_id: str) -> str | None:
    doc = model.project.eligibility.get(table_id)
    if doc is None or not isinstance(doc.data, dict):
        return None
    table = compiled_table(doc.data)
    out = [f"{table['title']} (eligibility/{table_id}) — rule {table['rule']}, series: {', '.join(table['series'])}"]
    if table["source"]:
        out.append(f"  source: {table['source']}")
    for level_name, level in table["levels"].items():
        measures = level["measures"]
        out.append(f"{level_name}: declaring is allowed when every condition of one row holds")
        for row in level["rows"]:
            out.append(f"  - {row['id']}: {row['title']}")
            for name, requirement in row["conditions"].items():
                measure = measures[name]
                out.append(f"      {measure['title']} ({name}) {_requirement(requirement, measure['unit'])}")
        out.append("  measures:")
        for name, measure in measures.items():
            unit = f" [{measure['unit']}]" if measure["unit"] else ""
            out.append(f"    {name} 「{measure['title']}」{unit} = {measure['value']}")
    return "\n".join(out)


def explain_rules(model: Model, rules_id: str) -> str | None:
    doc = model.project.rules.get(rules_id)
    if doc is None or not isinstance(doc.data, dict):
        return None
    out = [f"{doc.data.get('title', rules_id)} (rules/{rules_id})"]
    for rule in (compiled_rule(r) for r in doc.data.get("rules") or []):
        scope = f"for each row of {rule['for_each']}: " if rule["for_each"] else ""
        when = f" when {rule['when']}" if rule["when"] else ""
        out.append(f"  - {rule['id']} [{rule['rule']}] ({rule['severity']}) {scope}{rule['check']}{when}")
        out.append(f"      at {rule['at']}: {rule['message']}")
    return "\n".join(out)


def explain_policy(model: Model, name: str) -> str | None:
    """For `eligibility/<id>` and `rules/<id>`; None for anything else."""
    kind, _, item = name.partition("/")
    if kind == "eligibility":
        return explain_table(model, item)
    if kind == "rules":
        return explain_rules(model, item)
    return None


def policy_ids(model: Model) -> list[str]:
    return [f"eligibility/{t}" for t in model.project.eligibility] + [f"rules/{r}" for r in model.project.rules]
