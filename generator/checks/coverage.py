"""Names that silently cite nothing: rule ids outside DOMAIN's list, `depends_on` cycles,
page texts missing from messages.yaml, series x levels with neither a routing cell nor an
explicit "no path"."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from generator.errors import suggest
from generator.loader import Path_
from generator.model import Model
from generator.project import Project

_RULE_ID = re.compile(r"^[A-Z]+-[0-9]+$")
_UI_KEY = re.compile(r"\bui\.([A-Za-z_][A-Za-z0-9_]*)")
_MAPPING_METHODS = ("get", "items", "keys", "values")


def _rule_ids(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every `rule: <ID>` in a document, with its path."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "rule" and isinstance(value, str) and _RULE_ID.match(value):
                yield (*path, key), value
            else:
                yield from _rule_ids(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _rule_ids(item, (*path, index))


def _unknown_rule_ids(project: Project) -> None:
    listed = project.data("domain_rules").get("rules")
    if not isinstance(listed, Mapping):
        return
    for _, doc in project.documents():
        for path, rule_id in _rule_ids(doc.data):
            if rule_id not in listed:
                project.diag("E358", doc, path, suggestion=suggest(rule_id, listed), name=rule_id)


def _cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in graph.get(node, []):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other in graph and other not in state and (found := visit(other)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def _depends_on_cycles(project: Project) -> None:
    for kind, doc in project.documents():
        if kind not in ("form", "section") or not isinstance(doc.data, dict):
            continue
        rows: Mapping[str, Any] = doc.data["rows"] if isinstance(doc.data.get("rows"), Mapping) else {}
        for where, fields in ((("fields",), doc.data.get("fields")), (("rows", "fields"), rows.get("fields"))):
            if not isinstance(fields, Mapping):
                continue
            graph = {
                name: [str(d) for d in spec.get("depends_on") or []]
                for name, spec in fields.items()
                if isinstance(spec, Mapping)
            }
            for name, spec in fields.items():
                condition = spec.get("shown_when") if isinstance(spec, Mapping) else None
                for other in condition if isinstance(condition, Mapping) else {}:
                    if other not in fields:
                        project.diag(
                            "E301",
                            doc,
                            (*where, name, "shown_when", other),
                            at_key=True,
                            suggestion=suggest(other, fields),
                            name=other,
                            known=list(fields),
                        )
            cycle = _cycle(graph)
            if cycle is not None:
                project.diag("E359", doc, (*where, cycle[0], "depends_on"), cycle=" → ".join(cycle))


def _template_keys() -> Iterator[tuple[str, str]]:
    folder = resources.files("generator").joinpath("templates")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith(".html"):
            for match in _UI_KEY.finditer(entry.read_text(encoding="utf-8")):
                if match.group(1) not in _MAPPING_METHODS:
                    yield entry.name, match.group(1)


def _unknown_page_texts(project: Project) -> None:
    doc = project.singles.get("messages")
    ui = project.data("messages").get("ui")
    if doc is None or not isinstance(ui, Mapping):
        return
    reported: set[str] = set()
    for template, key in _template_keys():
        if key not in ui and key not in reported:
            reported.add(key)
            project.diag("E360", doc, ("ui",), at_key=True, suggestion=suggest(key, ui), key=key, template=template)


def _routing_coverage(project: Project) -> None:
    """Each series x level with titles has a cell (a department, or `~` for no path) in some
    routing table; a table may cover only part of the series (a pilot)."""
    series = project.dictionaries.get("series")
    entries = series.data.get("entries") if series is not None and isinstance(series.data, dict) else None
    if not isinstance(entries, list):
        return
    titled = {
        str(e["value"]): set((e.get("titles") or {}).keys())
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("titles"), Mapping)
    }
    tables = [
        doc
        for _, doc in sorted(project.routing.items())
        if isinstance(doc.data, dict) and isinstance(doc.data.get("cells"), Mapping)
    ]
    covered = {
        (str(name), str(level))
        for doc in tables
        for name, row in doc.data["cells"].items()
        if isinstance(row, Mapping)
        for level in row
    }
    for doc in tables:
        levels = [str(level) for level in doc.data.get("levels") or []]
        for name in doc.data["cells"]:
            missing = [
                level for level in levels if level in titled.get(str(name), set()) and (str(name), level) not in covered
            ]
            if missing:
                project.diag("E361", doc, ("cells", name), at_key=True, what=f"levels of {name}", names=missing)
    if tables:
        routed = {str(level) for doc in tables for level in doc.data.get("levels") or []}
        absent = [name for name, has in titled.items() if has & routed and not any((name, lv) in covered for lv in has)]
        if absent:
            project.diag("E361", tables[0], ("cells",), at_key=True, what="series", names=absent)


def check(model: Model) -> None:
    project = model.project
    _unknown_rule_ids(project)
    _depends_on_cycles(project)
    _unknown_page_texts(project)
    _routing_coverage(project)
