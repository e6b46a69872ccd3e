"""manifest.json: what was built from what, so the runtime can refuse a stale or foreign build."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from generator.emit import Artifacts, as_json
from generator.model import Model
from generator.version import GENERATOR_VERSION
from vocabulary.schema_hash import tree_hash


def emit(model: Model, artifacts: Artifacts) -> Artifacts:
    forms: list[dict[str, Any]] = []
    for form_id, compiled in sorted(model.forms.items()):
        entry: dict[str, Any] = {
            "id": form_id,
            "title": compiled["title"],
            "kind": compiled["kind"],
            "version": _digest(artifacts.get(f"forms/{form_id}.json", b"")),
        }
        if compiled["kind"] == "composite":
            entry["sections"] = [
                {
                    "id": section_id,
                    "title": model.sections[form_id][section_id]["title"],
                    "version": _digest(artifacts.get(f"forms/{form_id}/{section_id}.json", b"")),
                }
                for section_id in compiled.get("sections") or []
            ]
        forms.append(entry)
    notices = model.project.data("platform").get("notices") or []
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "schema_hash": tree_hash(model.project.root),
        "notices": [{"id": n.get("id"), "year": n.get("year")} for n in notices],
        "forms": forms,
        "files": {path: _digest(content) for path, content in sorted(artifacts.items())},
    }
    return {"manifest.json": as_json(manifest)}


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read(content: bytes) -> dict[str, Any]:
    value = json.loads(content)
    return value if isinstance(value, dict) else {}
