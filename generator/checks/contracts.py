"""The field ids the runtime relies on exist (vocabulary.terms.CONTRACT_FIELDS)."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model
from vocabulary.terms import CONTRACT_FIELDS


def check(model: Model) -> None:
    project = model.project
    for form_path, required in CONTRACT_FIELDS.items():
        form_id, _, section_id = form_path.partition("/")
        doc = project.sections.get(form_id, {}).get(section_id) if section_id else project.forms.get(form_id)
        if doc is None or not isinstance(doc.data, dict):
            continue  # a missing form is reported by the checks that need it
        fields = list((doc.data.get("fields") or {}).keys())
        for name in required:
            if name not in fields:
                project.diag(
                    "E321", doc, ("fields",), at_key=True, suggestion=suggest(name, fields), form=form_path, name=name
                )
