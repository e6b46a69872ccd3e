"""Printed documents name a real form and real sources."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model
from vocabulary.terms import CERTIFICATE_ATTRIBUTES, DECLARATION_ATTRIBUTES, PLAIN_SOURCES


def known_sources(model: Model) -> list[str]:
    project = model.project
    person = project.forms.get("person_registration")
    person_fields = list(((person.data or {}).get("fields") or {}).keys()) if person else []
    known = [*PLAIN_SOURCES]
    known += [f"person.{f}" for f in person_fields]
    known += [f"declaration.{a}" for a in DECLARATION_ATTRIBUTES]
    known += [f"certificate.{a}" for a in CERTIFICATE_ATTRIBUTES]
    for sections in model.sections.values():
        for section_id, compiled in sections.items():
            for descriptor in compiled.get("fields") or []:
                known.append(f"{section_id}.{descriptor['id']}")
    return known


def check(model: Model) -> None:
    project = model.project
    known = known_sources(model)
    for _, doc in sorted(project.print.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        form = data.get("form")
        if form is not None and form not in project.forms:
            project.diag(
                "E315",
                doc,
                ("form",),
                suggestion=suggest(form, project.forms),
                what="form",
                name=form,
                known=sorted(project.forms),
            )
        sections = data.get("sections")
        if isinstance(sections, list):
            available = list(model.sections.get(str(form), {}))
            for i, section in enumerate(sections):
                if section not in available:
                    project.diag(
                        "E308",
                        doc,
                        ("sections", i),
                        suggestion=suggest(section, available),
                        name=section,
                        form=form,
                    )
        for key in ("columns", "fields"):
            for i, item in enumerate(data.get(key) or []):
                source = item.get("source") if isinstance(item, dict) else None
                if source not in known:
                    project.diag(
                        "E314",
                        doc,
                        (key, i, "source"),
                        suggestion=suggest(source, known),
                        name=source,
                        known="see Sources in docs/schema-language.md",
                    )
        for i, item in enumerate(data.get("footer") or []):
            source = item.get("source") if isinstance(item, dict) else item
            if source not in known:
                project.diag(
                    "E314",
                    doc,
                    ("footer", i, "source") if isinstance(item, dict) else ("footer", i),
                    suggestion=suggest(source, known),
                    name=source,
                    known="see Sources in docs/schema-language.md",
                )
