"""The field ids, roles, organisation kinds and workflow steps the runtime names exist
(vocabulary.terms CONTRACT_*)."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model
from vocabulary.terms import CONTRACT_FIELDS, CONTRACT_ORG_KINDS, CONTRACT_ROLES, CONTRACT_TRANSITIONS


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

    platform = project.singles.get("platform")
    if platform is not None and isinstance(platform.data, dict):
        for key, what, names in (
            ("roles", "role", CONTRACT_ROLES),
            ("org_kinds", "organisation kind", CONTRACT_ORG_KINDS),
        ):
            known = list((platform.data.get(key) or {}).keys())
            for name in names:
                if name not in known:
                    project.diag(
                        "E322", platform, (key,), at_key=True, suggestion=suggest(name, known), what=what, name=name
                    )
    workflow = project.workflow.get("declaration")
    if workflow is not None and isinstance(workflow.data, dict):
        steps = [str(t.get("id")) for t in workflow.data.get("transitions") or [] if isinstance(t, dict)]
        for name in CONTRACT_TRANSITIONS:
            if name not in steps:
                project.diag(
                    "E322",
                    workflow,
                    ("transitions",),
                    at_key=True,
                    suggestion=suggest(name, steps),
                    what="workflow step",
                    name=name,
                )
