"""Dictionary values are unique, and attributes named in `references` point at real values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.errors import suggest
from generator.model import Model


def check(model: Model) -> None:
    project = model.project
    for _, doc in sorted(project.dictionaries.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        seen: set[str] = set()
        entries = data.get("entries") or []
        for i, entry in enumerate(entries):
            value = entry.get("value") if isinstance(entry, dict) else entry
            if value in seen:
                project.diag("E306", doc, ("entries", i), value=value, what="dictionary value")
            seen.add(str(value))
        references: Mapping[str, Any] = data.get("references") or {}
        for attribute, target in references.items():
            if target not in project.dictionaries:
                project.diag(
                    "E204",
                    doc,
                    ("references", attribute),
                    suggestion=suggest(target, project.dictionaries),
                    name=target,
                )
                continue
            allowed = set(project.dictionary_values(target))
            for i, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                held = entry.get(attribute)
                items = list(held) if isinstance(held, (list, dict)) else []
                for item in items:
                    if str(item) not in allowed:
                        project.diag(
                            "E307",
                            doc,
                            ("entries", i, attribute, item) if isinstance(held, dict) else ("entries", i, attribute),
                            at_key=isinstance(held, dict),
                            suggestion=suggest(item, allowed),
                            value=item,
                            dictionary=target,
                        )
