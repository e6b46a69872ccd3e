"""The FAQ of build/faq.json and its search: every word of the query must occur in a question's
search text (question, answer, keywords, link texts), lower-cased by the generator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from runtime.bundle import Bundle

MAX_QUERY = 50  # characters searched; a longer query is cut (the page says so)


@dataclass(frozen=True)
class Search:
    query: str
    audience: str
    truncated: bool
    questions: list[dict[str, Any]]


def load(bundle: Bundle) -> dict[str, Any]:
    """The compiled FAQ (read per request: it is small, and a rebuilt bundle brings its own)."""
    found: dict[str, Any] = json.loads((bundle.root / "faq.json").read_text("utf-8"))
    return found


def search(faq: dict[str, Any], query: str, audience: str = "") -> Search:
    text = " ".join(query.split())
    truncated = len(text) > MAX_QUERY
    text = text[:MAX_QUERY]
    words = [w.lower() for w in text.split()]
    if audience not in (faq.get("audiences") or {}):
        audience = ""
    found = [
        q
        for q in faq.get("questions") or []
        if (not audience or audience in q["audience"]) and all(w in q["search"] for w in words)
    ]
    return Search(query=text, audience=audience, truncated=truncated, questions=found)
