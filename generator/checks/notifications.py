"""notifications.yaml: every event is a workflow step or a platform event, every recipient can
receive it, and every {placeholder} of a text is one the event provides."""

from __future__ import annotations

import re
from typing import Any

from generator.errors import suggest
from generator.model import Model
from vocabulary.notifications import STEP_CONDITIONS, STEP_PLACEHOLDERS, STEP_RECIPIENTS, SYSTEM_EVENTS

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check(model: Model) -> None:
    project = model.project
    doc = project.singles.get("notifications")
    if doc is None or not isinstance(doc.data, dict):
        return
    steps = _workflow_steps(model)
    known = sorted(steps) + sorted(SYSTEM_EVENTS)
    for event, notices in (doc.data.get("events") or {}).items():
        recipients: tuple[str, ...]
        placeholders: tuple[str, ...]
        conditions: tuple[str, ...]
        if event in steps:
            recipients, placeholders, conditions = STEP_RECIPIENTS, STEP_PLACEHOLDERS, STEP_CONDITIONS
        elif event in SYSTEM_EVENTS:
            recipients = SYSTEM_EVENTS[event]["recipients"]
            placeholders = SYSTEM_EVENTS[event]["placeholders"]
            conditions = ()
        else:
            project.diag(
                "E405", doc, ("events", event), at_key=True, suggestion=suggest(event, known), name=event, known=known
            )
            continue
        for i, notice in enumerate(notices if isinstance(notices, list) else []):
            if not isinstance(notice, dict):
                continue
            _notice(model, doc, event, i, notice, recipients, placeholders, conditions)


def _notice(
    model: Model,
    doc: Any,
    event: str,
    i: int,
    notice: dict[str, Any],
    recipients: tuple[str, ...],
    placeholders: tuple[str, ...],
    conditions: tuple[str, ...],
) -> None:
    project = model.project
    to = notice.get("to")
    if isinstance(to, str) and to not in recipients:
        project.diag(
            "E406",
            doc,
            ("events", event, i, "to"),
            suggestion=suggest(to, recipients),
            name=to,
            event=event,
            known=list(recipients),
        )
    condition = notice.get("only_if")
    if isinstance(condition, str) and condition not in conditions:
        project.diag(
            "E205",
            doc,
            ("events", event, i, "only_if"),
            suggestion=suggest(condition, conditions),
            value=condition,
            allowed=list(conditions) or ["(none for this event)"],
        )
    text = notice.get("text")
    for name in PLACEHOLDER.findall(text if isinstance(text, str) else ""):
        if name not in placeholders:
            project.diag(
                "E407",
                doc,
                ("events", event, i, "text"),
                suggestion=suggest(name, placeholders),
                name=name,
                event=event,
                known=list(placeholders),
            )


def _workflow_steps(model: Model) -> set[str]:
    steps: set[str] = set()
    for doc in model.project.workflow.values():
        data = doc.data if isinstance(doc.data, dict) else {}
        steps |= {str(t.get("id")) for t in data.get("transitions") or [] if isinstance(t, dict)}
    return steps
