"""notifications.json: the SMS policy and, per event, who is told what (as written in schemas/)."""

from __future__ import annotations

from generator.emit import Artifacts, as_json
from generator.model import Model


def emit(model: Model) -> Artifacts:
    data = model.project.data("notifications")
    sms = dict(data.get("sms") or {})
    sms.setdefault("prefix", "")
    events = {
        event: [
            {"to": n["to"], "only_if": n.get("only_if", ""), "sms": bool(n.get("sms", False)), "text": n["text"]}
            for n in notices
        ]
        for event, notices in (data.get("events") or {}).items()
    }
    return {"notifications.json": as_json({"sms": sms, "events": events})}
