"""Rules are of a known kind, with valid parameters, naming real fields; their examples agree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jsonschema

from generator.errors import suggest
from generator.forms import RULE_COMMON_KEYS, FormCompiler, rule_field_names
from generator.loader import Document
from generator.model import Model
from vocabulary.rules import RULE_KINDS, run_rule
from vocabulary.validation import normalize


def check(model: Model) -> None:
    project = model.project
    compiler = FormCompiler(project)
    dictionaries = model.dictionaries()
    context = model.example_context()
    for kind, doc in project.documents():
        if kind not in ("form", "section") or not isinstance(doc.data, dict):
            continue
        data = doc.data
        rows = data.get("rows") if isinstance(data.get("rows"), Mapping) else None
        top = list((data.get("fields") or {}).keys())
        row_fields = list(((rows or {}).get("fields") or {}).keys())
        for i, rule in enumerate(data.get("rules") or []):
            path = ("rules", i)
            if not isinstance(rule, Mapping):
                continue
            name = rule.get("kind")
            if name not in RULE_KINDS:
                project.diag(
                    "E302",
                    doc,
                    (*path, "kind"),
                    suggestion=suggest(name, RULE_KINDS),
                    name=name,
                    known=sorted(RULE_KINDS),
                )
                continue
            if not _parameters(project, doc, path, rule):
                continue
            if not _fields(project, doc, path, rule, top, row_fields):
                continue
            if name == "cascade" and rule.get("dictionary") not in project.dictionaries:
                project.diag(
                    "E204",
                    doc,
                    (*path, "dictionary"),
                    suggestion=suggest(rule.get("dictionary"), project.dictionaries),
                    name=rule.get("dictionary"),
                )
                continue
            if name == "match":
                try:
                    re.compile(str(rule.get("pattern")))
                except re.error as exc:
                    project.diag("E317", doc, (*path, "pattern"), detail=str(exc))
                    continue
            compiled_form = compiler.compile(data)
            compiled_rule = compiler.rule(rule, data)
            _examples(project, doc, path, rule, compiled_form, compiled_rule, dictionaries, context)


def _parameters(project: Any, doc: Document, path: tuple[Any, ...], rule: Mapping[str, Any]) -> bool:
    kind = RULE_KINDS[rule["kind"]]
    params = {k: v for k, v in rule.items() if k not in RULE_COMMON_KEYS}
    if "when" in (kind.parameters.get("properties") or {}) and "when" in rule:
        params["when"] = rule["when"]
    ok = True
    validator = jsonschema.Draft202012Validator(kind.parameters)
    for error in validator.iter_errors(params):
        where = (*path, *error.absolute_path)
        project.diag("E303", doc, where, kind=rule["kind"], detail=error.message)
        ok = False
    return ok


def _fields(
    project: Any,
    doc: Document,
    path: tuple[Any, ...],
    rule: Mapping[str, Any],
    top: list[str],
    row_fields: list[str],
) -> bool:
    named = rule_field_names(rule)
    known = top + row_fields
    ok = True
    for name in named:
        if name not in known:
            below, at_key = _written_at(rule, name)
            project.diag(
                "E301",
                doc,
                (*path, *below),
                at_key=at_key,
                suggestion=suggest(name, known),
                name=name,
                known=known,
            )
            ok = False
    if ok and any(n in row_fields for n in named) and any(n in top and n not in row_fields for n in named):
        project.diag("E319", doc, path, kind=rule["kind"])
        ok = False
    return ok


def _written_at(rule: Mapping[str, Any], name: str) -> tuple[tuple[Any, ...], bool]:
    """Where in the rule a field name is written (path below the rule, at a key or not)."""
    for param in RULE_KINDS[rule["kind"]].field_params:
        value = rule.get(param)
        if value == name:
            return (param,), False
        if isinstance(value, list) and name in value:
            return (param, value.index(name)), False
    checks = rule.get("checks")
    for i, check in enumerate(checks if isinstance(checks, list) else []):
        if isinstance(check, Mapping) and check.get("field") == name:
            return ("checks", i, "field"), False
    for key in ("when", "where"):
        condition = rule.get(key)
        if isinstance(condition, Mapping) and name in condition:
            return (key, name), True
    return (), False


def _examples(
    project: Any,
    doc: Document,
    path: tuple[Any, ...],
    rule: Mapping[str, Any],
    compiled_form: Mapping[str, Any],
    compiled_rule: Mapping[str, Any],
    dictionaries: Any,
    context: Any,
) -> None:
    examples = rule.get("examples") if isinstance(rule.get("examples"), Mapping) else {}
    for which in ("valid", "invalid"):
        if not (examples or {}).get(which):
            project.diag("E318", doc, path, kind=rule["kind"], which=which)
    for which, expect_violation in (("valid", False), ("invalid", True)):
        for i, example in enumerate((examples or {}).get(which) or []):
            document = normalize(example, compiled_form)
            if not isinstance(document, Mapping):
                project.diag(
                    "E304",
                    doc,
                    (*path, "examples", which, i),
                    which=which,
                    index=i + 1,
                    outcome="is not a mapping (write the whole document: field: value …)",
                )
                continue
            found = list(run_rule(compiled_rule, document, context, dictionaries))
            if bool(found) != expect_violation:
                project.diag(
                    "E304",
                    doc,
                    (*path, "examples", which, i),
                    which=which,
                    index=i + 1,
                    outcome=_outcome(found, document),
                )


def _outcome(found: list[Any], document: Mapping[str, Any]) -> str:
    """Say where an example breaks its rule (row number and field), or that it does not."""
    if not found:
        rows = document.get("rows")
        checked = f" (none of its {len(rows)} rows fails it)" if isinstance(rows, list) and rows else ""
        return "does not break the rule" + checked
    path = found[0].path
    if len(path) >= 2 and path[0] == "rows" and isinstance(path[1], int):
        field = f", field '{path[2]}'" if len(path) > 2 else ""
        return f"breaks the rule at row {path[1] + 1}{field}"
    return f"breaks the rule at field '{'.'.join(str(p) for p in path)}'" if path else "breaks the rule"
