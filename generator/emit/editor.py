"""build/editor/: JSON Schemas of the YAML files themselves, for editors (issue 11).

They are the generator's own meta schemas (generator/meta/), so what an editor with a YAML
language server underlines is what `generator check` would refuse (the shape of each file; the
cross-references — a field, a state, a dictionary that exists — are the generator's to check).
`yaml-schemas.json` maps each schema to the files of schemas/ it describes, ready for an
editor's `yaml.schemas` setting (docs/schema-language.md, "Editor support")."""

from __future__ import annotations

from importlib import resources

from generator.emit import Artifacts, as_json
from generator.meta_validate import META_FILES, meta_kind
from generator.model import Model

# Folders whose new files are all of one kind: a glob covers files not written yet.
FOLDER_KINDS = {
    "forms/*.yaml": "form",
    "forms/*/*.yaml": "form",
    "dictionaries/*.yaml": "dictionary",
    "workflow/*.yaml": "workflow",
    "print/*.yaml": "print",
    "rules/*.yaml": "rules",
    "eligibility/*.yaml": "eligibility",
    "migrations/*.yaml": "migration",
}


def emit(model: Model) -> Artifacts:
    artifacts: Artifacts = {}
    for name in META_FILES:
        artifacts[f"editor/{name}.json"] = resources.files("generator.meta").joinpath(f"{name}.json").read_bytes()
    mapping: dict[str, list[str]] = {}
    root = model.project.root.name
    for pattern, kind in FOLDER_KINDS.items():
        mapping.setdefault(f"build/editor/{kind}.json", []).append(f"{root}/{pattern}")
    for kind, doc in model.project.documents():
        schema = f"build/editor/{meta_kind(kind, doc)}.json"
        path = f"{root}/{doc.path.relative_to(model.project.root).as_posix()}"
        if not any(_covers(glob, path) for glob in mapping.get(schema, [])):
            mapping.setdefault(schema, []).append(path)
    artifacts["editor/yaml-schemas.json"] = as_json({k: sorted(v) for k, v in sorted(mapping.items())})
    return artifacts


def _covers(glob: str, path: str) -> bool:
    """`*` matches one path segment's worth of name, as an editor's glob does."""
    glob_parts, path_parts = glob.split("/"), path.split("/")
    if len(glob_parts) != len(path_parts):
        return False
    return all(
        g == p or (g == "*.yaml" and p.endswith(".yaml")) or g == "*"
        for g, p in zip(glob_parts, path_parts, strict=True)
    )
