"""Workflow transitions name real states, roles and guards."""

from __future__ import annotations

from generator.errors import suggest
from generator.loader import Document, Path_
from generator.model import Model
from generator.project import Project
from vocabulary.terms import GUARDS, is_guard


def _state(project: Project, doc: Document, states: list[str], name: object, path: Path_) -> None:
    if name not in states:
        project.diag("E311", doc, path, suggestion=suggest(name, states), name=name, known=states)


def check(model: Model) -> None:
    project = model.project
    roles = list((project.data("platform").get("roles") or {}).keys())
    for _, doc in sorted(project.workflow.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        states = list((data.get("states") or {}).keys())
        _state(project, doc, states, data.get("initial"), ("initial",))
        seen: set[str] = set()
        for i, transition in enumerate(data.get("transitions") or []):
            if not isinstance(transition, dict):
                continue
            if transition.get("id") in seen:
                project.diag("E306", doc, ("transitions", i, "id"), value=transition.get("id"), what="transition id")
            seen.add(str(transition.get("id")))
            for j, source in enumerate(transition.get("from") or []):
                _state(project, doc, states, source, ("transitions", i, "from", j))
            _state(project, doc, states, transition.get("to"), ("transitions", i, "to"))
            for j, role in enumerate(transition.get("by") or []):
                if role not in roles:
                    project.diag(
                        "E312",
                        doc,
                        ("transitions", i, "by", j),
                        suggestion=suggest(role, roles),
                        name=role,
                        known=roles,
                    )
            for j, guard in enumerate(transition.get("guards") or []):
                if not is_guard(str(guard)):
                    known = [*GUARDS, "working_days:N"]
                    project.diag(
                        "E313",
                        doc,
                        ("transitions", i, "guards", j),
                        suggestion=suggest(guard, known),
                        name=guard,
                        known=known,
                    )
