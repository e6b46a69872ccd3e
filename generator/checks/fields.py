"""Fields name real dictionaries and fields, their patterns compile, their examples agree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jsonschema

from generator.checks._walk import field_specs
from generator.errors import suggest
from generator.forms import FormCompiler
from generator.loader import Document
from generator.model import Model
from vocabulary.formats import format_checker


def check(model: Model) -> None:
    project = model.project
    compiler = FormCompiler(project)
    person = project.forms.get("person_registration")
    person_fields = list(((person.data or {}).get("fields") or {}).keys()) if person else []
    for kind, doc in project.documents():
        if kind not in ("form", "section") or not isinstance(doc.data, dict):
            continue
        siblings = _siblings(doc.data)
        for path, _name, spec in field_specs(doc.data):
            dictionary = spec.get("dictionary")
            if isinstance(dictionary, str) and dictionary not in project.dictionaries:
                project.diag(
                    "E204",
                    doc,
                    (*path, "dictionary"),
                    suggestion=suggest(dictionary, project.dictionaries),
                    name=dictionary,
                )
            pattern = spec.get("pattern")
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    project.diag("E317", doc, (*path, "pattern"), detail=str(exc))
                    continue
            scope = siblings["rows"] if path[0] == "rows" else siblings["fields"]
            for i, other in enumerate(spec.get("depends_on") or []):
                if other not in scope:
                    project.diag(
                        "E301",
                        doc,
                        (*path, "depends_on", i),
                        suggestion=suggest(other, scope),
                        name=other,
                        known=scope,
                    )
            source = spec.get("source")
            if isinstance(source, str) and source.startswith("person."):
                target = source.split(".", 1)[1]
                if target not in person_fields:
                    project.diag(
                        "E301",
                        doc,
                        (*path, "source"),
                        suggestion=suggest(target, person_fields),
                        name=source,
                        known=person_fields,
                    )
            _examples(project, compiler, doc, path, spec)


def _siblings(data: Mapping[str, Any]) -> dict[str, list[str]]:
    rows = data.get("rows") if isinstance(data.get("rows"), Mapping) else {}
    return {
        "fields": list((data.get("fields") or {}).keys()),
        "rows": list(((rows or {}).get("fields") or {}).keys()),
    }


def _examples(
    project: Any,
    compiler: FormCompiler,
    doc: Document,
    path: tuple[Any, ...],
    spec: Mapping[str, Any],
) -> None:
    examples = spec.get("examples")
    if not isinstance(examples, Mapping):
        return
    schema = compiler.property(spec, "")
    validator = jsonschema.Draft202012Validator(schema, format_checker=format_checker())
    for which, expect_valid in (("valid", True), ("invalid", False)):
        for i, value in enumerate(examples.get(which) or []):
            valid = validator.is_valid(value)
            if valid != expect_valid:
                project.diag(
                    "E305",
                    doc,
                    (*path, "examples", which, i),
                    which=which,
                    value=value,
                    outcome="is rejected" if expect_valid else "is accepted",
                )
