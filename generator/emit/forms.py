"""forms/<form>.json and forms/<form>/<section>.json: the compiled forms."""

from __future__ import annotations

from generator.emit import Artifacts, as_json
from generator.model import Model


def emit(model: Model) -> Artifacts:
    artifacts: Artifacts = {}
    for form_id, compiled in sorted(model.forms.items()):
        artifacts[f"forms/{form_id}.json"] = as_json(compiled)
    for form_id, sections in sorted(model.sections.items()):
        for section_id, compiled in sections.items():
            artifacts[f"forms/{form_id}/{section_id}.json"] = as_json(compiled)
    return artifacts
