"""Every `{placeholder}` of a title or message names a value that fills it (E332): a rows limit,
a field's own constraint, a rule's parameter or what the rule's check reports (`{year}` …).
A misspelt name would otherwise be printed literally to applicants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator import placeholders
from generator.errors import suggest
from generator.forms import RULE_COMMON_KEYS, FormCompiler
from generator.loader import Document, Path_
from generator.model import Model
from generator.project import Project
from vocabulary.rules import RULE_KINDS, run_rule
from vocabulary.validation import normalize

CONSTRAINTS = ("pattern", "minLength", "maxLength", "minimum", "maximum")


def check(model: Model) -> None:
    project = model.project
    compiler = FormCompiler(project)
    for kind, doc in project.documents():
        if kind not in ("form", "section") or not isinstance(doc.data, dict):
            continue
        data = doc.data
        rows = data.get("rows") if isinstance(data.get("rows"), Mapping) else None
        title_values = list(placeholders.rows_values(rows))
        _text(project, doc, ("title",), data.get("title"), title_values, "title")
        _fields(project, doc, ("fields",), data.get("fields"))
        if rows is not None:
            _text(project, doc, ("rows", "title"), rows.get("title"), title_values, "title")
            for key, text in (rows.get("messages") or {}).items():
                _text(project, doc, ("rows", "messages", key), text, ["title", "limit", *title_values], "message")
            _fields(project, doc, ("rows", "fields"), rows.get("fields"))
        for i, rule in enumerate(data.get("rules") or []):
            if isinstance(rule, Mapping) and rule.get("kind") in RULE_KINDS and "{" in str(rule.get("message", "")):
                known = _rule_values(model, compiler, data, rule)
                _text(project, doc, ("rules", i, "message"), rule.get("message"), known, "rule message")


def _fields(project: Project, doc: Document, path: Path_, fields: Any) -> None:
    for name, spec in (fields or {}).items() if isinstance(fields, Mapping) else ():
        if not isinstance(spec, Mapping):
            continue
        for key, text in (spec.get("messages") or {}).items() if isinstance(spec.get("messages"), Mapping) else ():
            known = ["title", "limit", *(c for c in CONSTRAINTS if c in spec)]
            _text(project, doc, (*path, name, "messages", key), text, known, "message")
        _fields(project, doc, (*path, name, "fields"), spec.get("fields"))


def _rule_values(model: Model, compiler: FormCompiler, data: Mapping[str, Any], rule: Mapping[str, Any]) -> list[str]:
    """The rule's parameters, and the names its check reports on its own invalid examples."""
    kind = RULE_KINDS[str(rule["kind"])]
    known = set((kind.parameters.get("properties") or {}).keys()) | (set(rule.keys()) - set(RULE_COMMON_KEYS))
    try:
        compiled_form = compiler.compile(data)
        compiled_rule = compiler.rule(rule, data)
        examples = rule.get("examples") if isinstance(rule.get("examples"), Mapping) else {}
        for example in (examples or {}).get("invalid") or []:
            document = normalize(example, compiled_form)
            if isinstance(document, Mapping):
                for violation in run_rule(compiled_rule, document, model.example_context(), model.dictionaries()):
                    known |= set(violation.params)
    except (KeyError, TypeError, ValueError):  # a broken rule is reported by the rules check
        pass
    return sorted(known)


def _text(project: Project, doc: Document, path: Path_, text: Any, known: Iterable[str], what: str) -> None:
    allowed = sorted(set(known))
    for name in placeholders.unknown(text, allowed):
        project.diag(
            "E332",
            doc,
            path,
            suggestion=suggest(name, allowed),
            name=name,
            what=what,
            known=", ".join(allowed) or "none",
        )
