"""`python -m generator explain FORM_ID`: a form's fields and rules, for policy staff
(`eligibility/<id>` and `rules/<id>` are explained by ``explain_rules``)."""

from __future__ import annotations

import difflib
from typing import Any

from generator.explain_rules import explain_policy, policy_ids
from generator.model import Model

CONSTRAINTS = ("format", "pattern", "minLength", "maxLength", "minimum", "maximum")


def find_form(model: Model, form_id: str) -> dict[str, Any] | None:
    if "/" in form_id:
        form, section = form_id.split("/", 1)
        return model.sections.get(form, {}).get(section)
    if form_id in model.forms:
        return model.forms[form_id]
    for sections in model.sections.values():
        if form_id in sections:
            return sections[form_id]
    return None


def form_ids(model: Model) -> list[str]:
    """Every id `explain` accepts: forms, and sections as form/section and bare."""
    ids = list(model.forms)
    for form, sections in model.sections.items():
        ids += [f"{form}/{section}" for section in sections] + list(sections)
    return sorted(set(ids) | set(policy_ids(model)))


def unknown_form(model: Model, form_id: str) -> str:
    """What to say for an id that names no form: the closest ids, or all of them."""
    close = difflib.get_close_matches(form_id, form_ids(model), n=3, cutoff=0.5)
    if close:
        return f"unknown form '{form_id}'; did you mean: {', '.join(close)}?"
    return f"unknown form '{form_id}'; forms: {', '.join(model.forms)}"


def explain_form(model: Model, form_id: str) -> str | None:
    policy = explain_policy(model, form_id)
    if policy is not None:
        return policy
    compiled = find_form(model, form_id)
    if compiled is None:
        return None
    out = [f"{compiled['title']} ({compiled['id']}) — {compiled['kind']}, rule {compiled['rule']}"]
    if compiled.get("description"):
        out.append(f"  {compiled['description'].strip()}")
    if compiled["kind"] == "composite":
        out.append("sections, in order:")
        for section_id in compiled.get("sections") or []:
            section = model.sections[compiled["id"]][section_id]
            out.append(f"  - {section_id}: {section['title']}")
        return "\n".join(out)
    if compiled["fields"]:
        out.append("fields:")
        out.extend(_fields(compiled["fields"], "  "))
    rows = compiled.get("rows")
    if rows:
        limit = f"{rows['min']}..{rows['max'] if rows['max'] is not None else '∞'}"
        out.append(f"rows '{rows['title']}' ({limit} rows), columns:")
        out.extend(_fields(rows["fields"], "  "))
    if compiled["rules"]:
        out.append("rules:")
        for rule in compiled["rules"]:
            params = ", ".join(f"{k}={v}" for k, v in rule["params"].items())
            when = f" when {rule['when']}" if rule.get("when") else ""
            out.append(
                f"  - [{rule['rule']}] {rule['kind']}({params}){when} on {rule['scope']}"
                f" ({rule['severity']}): {rule['message']}"
            )
    if compiled["uploads"]:
        out.append("uploads:")
        for upload in compiled["uploads"]:
            scope = "per row" if upload["per_row"] else "per section"
            out.append(
                f"  - {upload['kind']}: {upload['title']} ({'/'.join(upload['types'])},"
                f" ≤ {upload['max_size_kb']} KB, ≤ {upload['max_files']} files, {scope})"
            )
    return "\n".join(out)


def _fields(descriptors: list[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for d in descriptors:
        marks = ["required"] if d["required"] else []
        marks += [f"{k}={d[k]}" for k in CONSTRAINTS if k in d]
        if d.get("dictionary"):
            marks.append(f"dictionary={d['dictionary']}")
        elif d.get("options"):
            marks.append("one of " + "/".join(d["options"]))
        if d.get("options_from"):
            source = d["options_from"]
            marks.append(f"options from {source['dictionary']}.{source['member_of']}")
        if d.get("or"):
            marks.append("or " + "/".join(d["or"]))
        if "const" in d:
            marks.append(f"always {d['const']}")
        if d.get("source"):
            marks.append(f"filled from {d['source']}")
        if d.get("frozen"):
            marks.append("frozen after confirmation")
        lines.append(f"{indent}- {d['id']} 「{d['title']}」 {d['type']} [{d['rule']}] " + ("; ".join(marks)))
        if d.get("hint"):
            lines.append(f"{indent}    hint: {d['hint']}")
        if d.get("fields"):
            lines.extend(_fields(d["fields"], indent + "    "))
    return lines
