"""A composite form's sections exist; section folders belong to a composite form; upload kinds are
unique; no row field takes the name of the row id the runtime assigns (E410, issue 13)."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model

RESERVED_ROW_FIELD = "row_id"  # runtime/bundle.py ROW_ID: each row's stable id (proofs bind to it)


def check(model: Model) -> None:
    project = model.project
    for form_id, doc in sorted(project.forms.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        available = project.sections.get(form_id, {})
        for i, section in enumerate(data.get("sections") or []):
            if section not in available:
                project.diag(
                    "E308",
                    doc,
                    ("sections", i),
                    suggestion=suggest(section, available),
                    name=section,
                    form=form_id,
                )
        listed = set(data.get("sections") or [])
        for section_id, section_doc in sorted(available.items()):
            if section_id not in listed:
                project.diag("E308", section_doc, ("id",), name=section_id, form=form_id)
    for form_id, sections in sorted(project.sections.items()):
        if form_id not in project.forms:
            for section_id, section_doc in sorted(sections.items()):
                project.diag("E308", section_doc, ("id",), name=section_id, form=form_id)
    for kind, doc in project.documents():
        if kind not in ("form", "section") or not isinstance(doc.data, dict):
            continue
        rows = doc.data.get("rows")
        columns = rows.get("fields") if isinstance(rows, dict) else None
        if isinstance(columns, dict) and RESERVED_ROW_FIELD in columns:
            project.diag("E410", doc, ("rows", "fields", RESERVED_ROW_FIELD), name=RESERVED_ROW_FIELD)
        seen: set[str] = set()
        for i, upload in enumerate(doc.data.get("uploads") or []):
            name = upload.get("kind") if isinstance(upload, dict) else None
            if name in seen:
                project.diag("E306", doc, ("uploads", i, "kind"), value=name, what="upload kind")
            seen.add(str(name))
