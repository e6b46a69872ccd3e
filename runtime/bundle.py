"""What build/ holds, loaded once at start; the runtime reads no other policy.

The bundle refuses a build that is missing, was edited by hand (a file no
longer matches the manifest), or no longer matches schemas/ beside it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from vocabulary.rules import Context
from vocabulary.schema_hash import tree_hash
from vocabulary.validation import FormValidator

REBUILD_HINT = "python -m generator build"


class BuildError(Exception):
    """build/ cannot be served; the message says why and which command fixes it."""


@dataclass
class Form:
    """A compiled form plus lookups the templates need."""

    compiled: dict[str, Any]
    validator: FormValidator
    field_index: dict[str, dict[str, Any]] = field(default_factory=dict)
    row_index: dict[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def client_attribute(self) -> Markup:
        """The browser's copy of the form's conditions (`data-client`), as an attribute value:
        serialised once per form, not on every page."""
        return escape(str(htmlsafe_json_dumps(self.compiled.get("client"), sort_keys=True)))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.compiled[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    @property
    def id(self) -> str:
        return str(self.compiled["id"])

    @property
    def title(self) -> str:
        return str(self.compiled["title"])

    @property
    def rows(self) -> dict[str, Any] | None:
        rows = self.compiled.get("rows")
        return rows if isinstance(rows, dict) else None

    @property
    def uploads(self) -> list[dict[str, Any]]:
        return list(self.compiled.get("uploads") or [])

    def upload(self, kind: str) -> dict[str, Any] | None:
        return next((u for u in self.uploads if u["kind"] == kind), None)


@dataclass
class Bundle:
    root: Path
    manifest: dict[str, Any]
    platform: dict[str, Any]
    messages: dict[str, Any]
    dictionaries: dict[str, Any]
    routing: dict[str, Any]
    workflow: dict[str, Any]
    print: dict[str, Any]
    forms: dict[str, Form]
    sections: dict[str, dict[str, Form]]
    openapi: bytes
    committee: dict[str, Any] = field(default_factory=dict)  # COM, INT, STAT (schemas/committee.yaml)
    calendar: dict[str, Any] = field(default_factory=dict)  # PUB-3 working-day overrides
    # Declaration-level rules and eligibility tables (ELIG-1, ELIG-2): build/rules.json.
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def schema_hash(self) -> str:
        return str(self.manifest["schema_hash"])

    # read on every page (each text, the layout's labels): made once, not copied per read;
    # nothing changes them after the build is loaded
    @cached_property
    def ui(self) -> dict[str, str]:
        return dict(self.messages.get("ui") or {})

    @cached_property
    def api_messages(self) -> dict[str, str]:
        return dict(self.messages.get("api") or {})

    def text(self, key: str, **values: object) -> str:
        """A page or API text from messages.yaml with {placeholders} filled."""
        template = self.ui.get(key) or self.api_messages.get(key) or key
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template

    def entries(self, dictionary: str) -> list[dict[str, Any]]:
        return list((self.dictionaries.get(dictionary) or {}).get("entries") or [])

    def declaration_sections(self) -> list[Form]:
        composite = self.forms["declaration"].compiled
        return [self.sections["declaration"][s] for s in composite.get("sections") or []]

    def context(self, year: int | None = None, today: Any = None) -> Context:
        return Context(year=year, today=today) if today is not None else Context(year=year)


def verified_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest of a build whose every file still matches it; BuildError otherwise."""
    manifest_path = build_dir / "manifest.json"
    if not manifest_path.is_file():
        raise BuildError(f"{build_dir} has no manifest.json; run: {REBUILD_HINT}")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text("utf-8"))
    for relpath, digest in (manifest.get("files") or {}).items():
        path = build_dir / relpath
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise BuildError(
                f"{build_dir}/{relpath} does not match the manifest (edited or foreign build); run: {REBUILD_HINT}"
            )
    return manifest


def load_bundle(build_dir: Path, schemas_dir: Path | None = None) -> Bundle:
    manifest = verified_manifest(build_dir)
    if schemas_dir is not None and schemas_dir.is_dir() and tree_hash(schemas_dir) != manifest.get("schema_hash"):
        raise BuildError(f"{build_dir} is stale: {schemas_dir} changed since; run: {REBUILD_HINT}")

    def read(name: str) -> Any:
        return json.loads((build_dir / name).read_text("utf-8"))

    dictionaries = read("dictionaries.json")
    validator_dictionaries = {k: v["entries"] for k, v in dictionaries.items()}
    forms: dict[str, Form] = {}
    sections: dict[str, dict[str, Form]] = {}
    for entry in manifest.get("forms") or []:
        form_id = entry["id"]
        forms[form_id] = _form(read(f"forms/{form_id}.json"), validator_dictionaries)
        for section in entry.get("sections") or []:
            compiled = read(f"forms/{form_id}/{section['id']}.json")
            sections.setdefault(form_id, {})[section["id"]] = _form(compiled, validator_dictionaries)
    return Bundle(
        root=build_dir,
        manifest=manifest,
        platform=read("platform.json"),
        messages=read("messages.json"),
        dictionaries=dictionaries,
        routing=read("routing.json"),
        workflow=read("workflow.json"),
        print=read("print.json"),
        forms=forms,
        sections=sections,
        openapi=(build_dir / "openapi.json").read_bytes(),
        committee=read("committee.json") if (build_dir / "committee.json").is_file() else {},
        calendar=read("calendar.json") if (build_dir / "calendar.json").is_file() else {},
        rules=read("rules.json") if (build_dir / "rules.json").is_file() else {},
    )


# The key of a row's stable id in repeatable sections (issue 13, finding 5): machinery the
# runtime assigns (runtime/declarations/row_ids.py), so every policy version's row schema
# allows it, versions built before it existed included.
ROW_ID = "row_id"
ROW_ID_PATTERN = r"^(?:[0-9a-f]{32}|legacy\d{1,4})$"
ROW_ID_SCHEMA = {"type": "string", "pattern": ROW_ID_PATTERN, "maxLength": 40}


def _form(compiled: dict[str, Any], dictionaries: dict[str, Any]) -> Form:
    items = ((compiled.get("schema") or {}).get("properties") or {}).get("rows", {}).get("items")
    if isinstance(items, dict) and isinstance(items.get("properties"), dict):
        items["properties"].setdefault(ROW_ID, dict(ROW_ID_SCHEMA))
    form = Form(compiled=compiled, validator=FormValidator(compiled, dictionaries))
    form.field_index = {d["id"]: d for d in compiled.get("fields") or []}
    form.row_index = {d["id"]: d for d in (compiled.get("rows") or {}).get("fields") or []}
    return form
