"""Stage 2: every schema file against the JSON Schema of its kind (generator/meta/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from generator.errors import suggest
from generator.loader import Document
from generator.project import Project

META_FILES = (
    "common",
    "field",
    "form",
    "dictionary",
    "platform",
    "messages",
    "routing_table",
    "routing_chains",
    "workflow",
    "print",
    "faq",
    "committee",
    "calendar",
    "rules",
    "eligibility",
    "notifications",
    "domain_rules",
    "migration",
)


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry()
    for name in META_FILES:
        text = resources.files("generator.meta").joinpath(f"{name}.json").read_text("utf-8")
        registry = registry.with_resource(f"{name}.json", Resource.from_contents(json.loads(text)))
    return registry


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = _registry().contents(f"{name}.json")
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def meta_kind(kind: str, doc: Document) -> str:
    if kind in ("form", "section"):
        return "form"
    if kind == "dictionaries":
        return "dictionary"
    if kind == "migrations":
        return "migration"
    if kind == "routing":
        data = doc.data if isinstance(doc.data, dict) else {}
        return "routing_chains" if "chains" in data else "routing_table"
    return kind


def meta_validate(project: Project) -> None:
    for kind, doc in project.documents():
        if not isinstance(doc.data, dict):
            project.diag("E104", doc, ())
            continue
        for error in validator(meta_kind(kind, doc)).iter_errors(doc.data):
            _report(project, doc, error)
        stem = doc.path.stem
        if "id" in doc.data and doc.data["id"] != stem:
            project.diag("E103", doc, ("id",), id=doc.data["id"], stem=stem)


def _leaves(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """For anyOf/oneOf, the errors of the branch that came closest."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # An error inside the value means a branch took its shape (a mapping entry
        # `{value: 371002}`): that branch came closest, not "expected string".
        inside = [e for e in error.context if e.path]
        best = jsonschema.exceptions.best_match(inside or error.context)
        if best is not None:
            yield from _leaves(best)
            return
    yield error


def _report(project: Project, doc: Document, error: jsonschema.ValidationError) -> None:
    for leaf in _leaves(error):
        path = tuple(leaf.absolute_path)
        schema = leaf.schema if isinstance(leaf.schema, dict) else {}
        if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
            allowed = sorted((schema.get("properties") or {}).keys())
            for key in leaf.instance:
                if key not in allowed:
                    project.diag(
                        "E201",
                        doc,
                        (*path, key),
                        at_key=True,
                        suggestion=suggest(key, allowed),
                        key=key,
                        allowed=allowed,
                    )
        elif leaf.validator == "required" and isinstance(leaf.instance, dict):
            required: Any = leaf.validator_value
            for key in required:
                if key not in leaf.instance:
                    project.diag("E202", doc, path, at_key=True, key=key)
        elif leaf.validator == "type":
            expected = leaf.validator_value
            found = type(leaf.instance).__name__
            fix = "write it in the expected form"
            if "string" in _as_list(expected) and isinstance(leaf.instance, (int, float)):
                fix = f"quote it: '{leaf.instance}'"
            project.diag(
                "E203",
                doc,
                path,
                expected=" or ".join(_as_list(expected)),
                found=found,
                value=repr(leaf.instance),
                fix=fix,
            )
        elif leaf.validator in ("enum", "const"):
            value_list: Any = leaf.validator_value
            allowed_values = value_list if leaf.validator == "enum" else [value_list]
            names = [str(v) for v in allowed_values]
            project.diag(
                "E205",
                doc,
                path,
                suggestion=suggest(leaf.instance, names),
                value=leaf.instance,
                allowed=names,
            )
        elif leaf.validator == "propertyNames":
            project.diag(
                "E205",
                doc,
                (*path, str(leaf.instance)),
                at_key=True,
                value=leaf.instance,
                allowed="see docs/schema-language.md",
            )
        else:
            project.diag("E206", doc, path, detail=leaf.message)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
