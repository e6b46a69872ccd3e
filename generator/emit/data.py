"""platform.json, messages.json, dictionaries.json, routing.json, workflow.json, print.json."""

from __future__ import annotations

from typing import Any

from generator.emit import Artifacts, as_json
from generator.model import Model


def emit(model: Model) -> Artifacts:
    project = model.project
    platform = {k: v for k, v in project.data("platform").items() if k != "id"}
    messages = {k: v for k, v in project.data("messages").items() if k != "id"}
    dictionaries = {
        name: {
            "title": (doc.data or {}).get("title", ""),
            "rule": (doc.data or {}).get("rule", ""),
            "entries": model.dictionaries()[name],
        }
        for name, doc in sorted(project.dictionaries.items())
    }
    routing: dict[str, Any] = {"tables": {}, "chains": []}
    for name, doc in sorted(project.routing.items()):
        data = doc.data or {}
        if "cells" in data:
            routing["tables"][name] = {
                "title": data.get("title", ""),
                "rule": data.get("rule", ""),
                "levels": data.get("levels", []),
                "cells": {
                    series: {level: org for level, org in (row or {}).items() if org is not None}
                    for series, row in (data.get("cells") or {}).items()
                },
            }
        else:
            routing["chains"].extend(data.get("chains") or [])
            routing["chains_rule"] = data.get("rule", "")
    workflow = {name: _strip_id(doc.data) for name, doc in sorted(project.workflow.items())}
    printing = {name: _strip_id(doc.data) for name, doc in sorted(project.print.items())}
    artifacts = {
        "platform.json": as_json(platform),
        "messages.json": as_json(messages),
        "dictionaries.json": as_json(dictionaries),
        "routing.json": as_json(routing),
        "workflow.json": as_json(workflow),
        "print.json": as_json(printing),
        # the committee stage and the working-day overrides ({} when a deployment has none)
        "committee.json": as_json(_strip_id(project.data("committee"))),
        "calendar.json": as_json(_strip_id(project.data("calendar"))),
    }
    if project.migrations:  # VER-3; a policy without migrations keeps build/ as it was
        artifacts["migrations.json"] = as_json(
            [doc.data for _, doc in sorted(project.migrations.items()) if isinstance(doc.data, dict)]
        )
    return artifacts


def _strip_id(data: Any) -> Any:
    return {k: v for k, v in data.items() if k != "id"} if isinstance(data, dict) else data
