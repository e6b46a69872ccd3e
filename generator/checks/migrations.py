"""Migrations (VER-3) name real notices, states, sections and fields.

What a migration moves *to* is the current policy, which the generator knows: the target states
(the values of `states:`), the sections, the renamed fields' new names and the defaults are
checked at every build. What it moves *from* lives in older policy versions, which only a data
dir keeps: `python -m generator migrate --data-dir DIR` checks those names against the versions
stored there (`older_names`), with the same codes and the same file:line:col.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from generator.errors import suggest
from generator.loader import Document
from generator.model import Model
from generator.project import Project
from vocabulary.formats import format_checker

WORKFLOW = "declaration"
CURRENT = "the current workflow"


@dataclass
class Policy:
    """The names one policy version gives a migration to use."""

    where: str
    states: list[str]
    fields: dict[str, list[str]] = field(default_factory=dict)  # section -> field and row-column names


def current_policy(model: Model) -> Policy:
    workflow = model.project.workflow.get(WORKFLOW)
    data = workflow.data if workflow is not None and isinstance(workflow.data, dict) else {}
    sections = model.sections.get("declaration") or {}
    return Policy(
        where=CURRENT,
        states=list((data.get("states") or {}).keys()),
        fields={name: field_names(compiled) for name, compiled in sections.items()},
    )


def field_names(compiled: Mapping[str, Any]) -> list[str]:
    """A section's fields and the columns of its rows: what a rename or a default may name."""
    names = [str(d["id"]) for d in compiled.get("fields") or []]
    names += [str(d["id"]) for d in (compiled.get("rows") or {}).get("fields") or []]
    return names


def property_schema(compiled: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    schema = compiled.get("schema") or {}
    found = (schema.get("properties") or {}).get(name)
    if found is None:
        rows = (schema.get("properties") or {}).get("rows") or {}
        found = ((rows.get("items") or {}).get("properties") or {}).get(name)
    return dict(found) if isinstance(found, dict) else None


def migrations(project: Project) -> Iterator[tuple[Document, dict[str, Any]]]:
    for _, doc in sorted(project.migrations.items()):
        if isinstance(doc.data, dict):
            yield doc, doc.data


def check(model: Model) -> None:
    project = model.project
    notices = [str(n.get("id")) for n in project.data("platform").get("notices") or [] if isinstance(n, dict)]
    policy = current_policy(model)
    for doc, data in migrations(project):
        select = data.get("select") or {}
        for i, notice in enumerate(select.get("notices") or []):
            if notice not in notices:
                project.diag(
                    "E333",
                    doc,
                    ("select", "notices", i),
                    suggestion=suggest(notice, notices),
                    name=notice,
                    known=notices,
                )
        mapped = data.get("states") or {}
        for old, new in mapped.items():
            _state(project, doc, ("states", old), new, policy)
        for i, state in enumerate(select.get("states") or []):
            if state not in mapped:  # it stays what it is, so the current workflow must know it
                _state(project, doc, ("select", "states", i), state, policy)
        for i, section in enumerate(data.get("reopen") or []):
            _section(project, doc, ("reopen", i), section, policy)
        for section, change in (data.get("sections") or {}).items():
            if not _section(project, doc, ("sections", section), section, policy, at_key=True):
                continue
            compiled = (model.sections.get("declaration") or {})[section]
            for old, new in ((change or {}).get("rename") or {}).items():
                _field(project, doc, ("sections", section, "rename", old), section, new, policy)
            for name, value in ((change or {}).get("defaults") or {}).items():
                path = ("sections", section, "defaults", name)
                if _field(project, doc, path, section, name, policy, at_key=True):
                    _default(project, doc, path, section, name, value, property_schema(compiled, name))


def older_names(project: Project, older: list[Policy]) -> None:
    """The names a migration takes from older versions (`states:` keys, renamed fields) must be
    known to at least one of them; `older` are the versions stored in a data dir."""
    if not older:
        return
    states = sorted({s for p in older for s in p.states})
    union = Policy(where="the stored older versions", states=states)
    for p in older:
        for section, names in p.fields.items():
            union.fields[section] = sorted({*union.fields.get(section, []), *names})
    for doc, data in migrations(project):
        for old in data.get("states") or {}:
            _state(project, doc, ("states", old), old, union, at_key=True)
        for i, state in enumerate((data.get("select") or {}).get("states") or []):
            _state(project, doc, ("select", "states", i), state, union)
        for section, change in (data.get("sections") or {}).items():
            if section not in union.fields:
                continue  # a section new in the current version has nothing to rename from
            for old in (change or {}).get("rename") or {}:
                _field(project, doc, ("sections", section, "rename", old), section, old, union, at_key=True)


def _state(
    project: Project, doc: Document, path: tuple[str | int, ...], name: object, policy: Policy, *, at_key: bool = False
) -> bool:
    if name in policy.states:
        return True
    project.diag(
        "E334",
        doc,
        path,
        at_key=at_key,
        suggestion=suggest(name, policy.states),
        name=name,
        where=policy.where,
        known=policy.states,
    )
    return False


def _section(
    project: Project, doc: Document, path: tuple[str | int, ...], name: object, policy: Policy, *, at_key: bool = False
) -> bool:
    if name in policy.fields:
        return True
    known = list(policy.fields)
    project.diag("E335", doc, path, at_key=at_key, suggestion=suggest(name, known), name=name, known=known)
    return False


def _field(
    project: Project,
    doc: Document,
    path: tuple[str | int, ...],
    section: str,
    name: object,
    policy: Policy,
    *,
    at_key: bool = False,
) -> bool:
    known = policy.fields.get(section) or []
    if name in known:
        return True
    project.diag(
        "E336",
        doc,
        path,
        at_key=at_key,
        suggestion=suggest(name, known),
        name=name,
        section=section,
        where=policy.where.replace("workflow", "policy"),
        known=known,
    )
    return False


def _default(
    project: Project,
    doc: Document,
    path: tuple[str | int, ...],
    section: str,
    name: str,
    value: Any,
    schema: dict[str, Any] | None,
) -> None:
    if schema is None:
        return
    validator = jsonschema.Draft202012Validator(schema, format_checker=format_checker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        reason = (schema.get("x-messages") or {}).get(str(error.validator)) or error.message
        project.diag("E337", doc, path, value=repr(value), name=name, section=section, reason=reason)
