"""The resolved model: the loaded project plus every form compiled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator.forms import FormCompiler
from generator.project import Project
from vocabulary.rules import Context


@dataclass
class Model:
    project: Project
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def dictionaries(self) -> dict[str, list[dict[str, Any]]]:
        """Every dictionary as entries {value, label, **attributes}, the runtime's shape."""
        result: dict[str, list[dict[str, Any]]] = {}
        for name, doc in sorted(self.project.dictionaries.items()):
            data = doc.data if isinstance(doc.data, dict) else {}
            entries = []
            for entry in data.get("entries") or []:
                if isinstance(entry, dict):
                    item = dict(entry)
                    item["value"] = str(item.get("value"))
                    item.setdefault("label", item["value"])
                else:
                    item = {"value": str(entry), "label": str(entry)}
                entries.append(item)
            result[name] = entries
        return result

    def example_context(self) -> Context:
        """Examples run as if on the last day of the first notice's window."""
        notices = self.project.data("platform").get("notices") or []
        if notices and isinstance(notices[0], dict):
            notice = notices[0]
            try:
                closes = date.fromisoformat(str(notice.get("closes")))
            except ValueError:
                closes = date.today()
            year = notice.get("year")
            return Context(year=year if isinstance(year, int) else None, today=closes)
        return Context()


def resolve(project: Project) -> Model:
    compiler = FormCompiler(project)
    model = Model(project=project)
    for form_id, doc in sorted(project.forms.items()):
        if isinstance(doc.data, dict):
            model.forms[form_id] = compiler.compile(doc.data)
    for form_id, sections in sorted(project.sections.items()):
        form_doc = project.forms.get(form_id)
        listed = form_doc.data if form_doc is not None else {}
        order = list(listed.get("sections") or []) if isinstance(listed, dict) else []
        compiled = {}
        for section_id in order + sorted(set(sections) - set(order)):
            section_doc = sections.get(section_id)
            if section_doc is not None and isinstance(section_doc.data, dict):
                compiled[section_id] = compiler.compile(section_doc.data, form=form_id)
        model.sections[form_id] = compiled
    for form_id, compiled_form in model.forms.items():
        data = project.forms[form_id].data
        if isinstance(data, dict) and data.get("sections"):
            compiled_form["sections"] = [s for s in data["sections"] if s in model.sections.get(form_id, {})]
        if isinstance(data, dict) and data.get("text"):
            compiled_form["text"] = data["text"]
            compiled_form["version"] = data.get("version", "")
            compiled_form["accept_label"] = data.get("accept_label", "")
    return model
