"""rules.json: declaration-level rules and eligibility tables (ELIG-1, ELIG-2)."""

from __future__ import annotations

from generator.declaration_rules import build
from generator.emit import Artifacts, as_json
from generator.model import Model


def emit(model: Model) -> Artifacts:
    return {"rules.json": as_json(build(model))}
