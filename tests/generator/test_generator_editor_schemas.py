"""build/editor/ gives editors the JSON Schemas of the YAML files (issue 11): every file of schemas/
is mapped to one of them in yaml-schemas.json, each file validates against its schema as an
editor would check it, and a mistake the generator refuses is underlined by the editor too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from golden import ROOT
from referencing import Registry, Resource

EDITOR = ROOT / "build" / "editor"


def registry() -> Registry[Any]:
    found: Registry[Any] = Registry()
    for path in sorted(EDITOR.glob("*.json")):
        if path.name != "yaml-schemas.json":
            found = found.with_resource(path.name, Resource.from_contents(json.loads(path.read_text("utf-8"))))
    return found


def validator(schema_path: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / schema_path).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema, registry=registry())


def matches(glob: str, path: str) -> bool:
    """An editor's glob: `*` within one path segment."""
    g, p = glob.split("/"), path.split("/")
    return len(g) == len(p) and all(
        a in (b, "*") or (a == "*.yaml" and b.endswith(".yaml")) for a, b in zip(g, p, strict=True)
    )


def schema_of(path: str) -> list[str]:
    mapping: dict[str, list[str]] = json.loads((EDITOR / "yaml-schemas.json").read_text("utf-8"))
    return [schema for schema, globs in mapping.items() if any(matches(g, path) for g in globs)]


def schema_files() -> list[Path]:
    return sorted(p for p in (ROOT / "schemas").rglob("*.yaml"))


def test_every_schema_file_has_exactly_one_editor_schema_and_satisfies_it() -> None:
    files = schema_files()
    assert files
    for path in files:
        relpath = path.relative_to(ROOT).as_posix()
        found = schema_of(relpath)
        assert len(found) == 1, (relpath, found)
        errors = list(validator(found[0]).iter_errors(yaml.safe_load(path.read_text("utf-8"))))
        assert errors == [], (relpath, [e.message for e in errors])


def test_a_misspelt_key_is_underlined_by_the_editor_schema() -> None:
    path = ROOT / "schemas" / "workflow" / "declaration.yaml"
    (schema,) = schema_of(path.relative_to(ROOT).as_posix())
    data = yaml.safe_load(path.read_text("utf-8"))
    data["tranzitions"] = data.pop("transitions")
    messages = [e.message for e in validator(schema).iter_errors(data)]
    assert any("tranzitions" in m for m in messages) and any("transitions" in m for m in messages), messages


def test_a_new_migration_file_is_covered_before_it_exists() -> None:
    (schema,) = schema_of("schemas/migrations/drafts_2027.yaml")
    refused = list(validator(schema).iter_errors({"id": "drafts_2027", "title": "x", "select": {"notices": []}}))
    assert refused  # no states selected, no notice: the editor says so while it is being written


def test_the_editor_schemas_are_the_generators_own_meta_schemas() -> None:
    for path in sorted(EDITOR.glob("*.json")):
        if path.name != "yaml-schemas.json":
            assert path.read_bytes() == (ROOT / "generator" / "meta" / path.name).read_bytes(), path.name
