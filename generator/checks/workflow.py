"""Workflow transitions name real states, roles and guards, and no state strands a declaration:
every state is reachable from the initial one and can reach a final one (VER-4)."""

from __future__ import annotations

from typing import Any

from generator.errors import suggest
from generator.loader import Document, Path_
from generator.model import Model
from generator.project import Project
from vocabulary.terms import GUARDS, is_guard


def _state(project: Project, doc: Document, states: list[str], name: object, path: Path_) -> bool:
    if name not in states:
        project.diag("E311", doc, path, suggestion=suggest(name, states), name=name, known=states)
        return False
    return True


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for following in edges.get(todo.pop(), set()):
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


def _strands(project: Project, doc: Document, data: dict[str, Any]) -> None:
    """E331 for a state no transition path reaches, E330 for one that can never get out to a final
    state: a declaration there would be stranded, whatever reviewers do (VER-4)."""
    states = data.get("states") or {}
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for transition in data.get("transitions") or []:
        if not isinstance(transition, dict):
            continue
        for source in transition.get("from") or []:
            forward.setdefault(str(source), set()).add(str(transition.get("to")))
            backward.setdefault(str(transition.get("to")), set()).add(str(source))
    initial = str(data.get("initial"))
    finals = [name for name, state in states.items() if isinstance(state, dict) and state.get("final")]
    reachable = _closure({initial}, forward)
    escapes = _closure(set(finals), backward)
    for name in states:
        if name not in reachable:
            project.diag("E331", doc, ("states", name), name=name, initial=initial)
        elif name not in escapes:
            project.diag("E330", doc, ("states", name), name=name, finals=finals or "none")


def check(model: Model) -> None:
    project = model.project
    roles = list((project.data("platform").get("roles") or {}).keys())
    for _, doc in sorted(project.workflow.items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        states = list((data.get("states") or {}).keys())
        names_ok = _state(project, doc, states, data.get("initial"), ("initial",))
        seen: set[str] = set()
        for i, transition in enumerate(data.get("transitions") or []):
            if not isinstance(transition, dict):
                continue
            if transition.get("id") in seen:
                project.diag("E306", doc, ("transitions", i, "id"), value=transition.get("id"), what="transition id")
            seen.add(str(transition.get("id")))
            for j, source in enumerate(transition.get("from") or []):
                names_ok &= _state(project, doc, states, source, ("transitions", i, "from", j))
            names_ok &= _state(project, doc, states, transition.get("to"), ("transitions", i, "to"))
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
        if names_ok and isinstance(data.get("states"), dict):  # a misspelt name is reported once, as E311
            _strands(project, doc, data)
