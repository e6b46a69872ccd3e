"""Writers, one per artifact kind. Each returns {path under build/: bytes}."""

from __future__ import annotations

import json
from typing import Any

Artifacts = dict[str, bytes]


def as_json(value: Any) -> bytes:
    """Stable JSON: insertion order kept (it is display order), Chinese kept readable."""
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
