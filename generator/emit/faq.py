"""faq.json: the FAQ as the help page shows it — answers split into paragraphs, links resolved
to paths, and one lower-cased search text per question so the runtime only matches."""

from __future__ import annotations

from typing import Any

from generator.emit import Artifacts, as_json
from generator.model import Model
from vocabulary.pages import PAGES


def emit(model: Model) -> Artifacts:
    data = model.project.data("faq")
    questions = [_question(q) for q in data.get("questions") or [] if isinstance(q, dict)]
    faq = {"title": data.get("title", ""), "audiences": data.get("audiences") or {}, "questions": questions}
    return {"faq.json": as_json(faq)}


def _question(question: dict[str, Any]) -> dict[str, Any]:
    paragraphs = [p.strip() for p in str(question["answer"]).split("\n\n") if p.strip()]
    links = []
    for link in question.get("links") or []:
        href = PAGES[link["page"]] + (f"#{link['anchor']}" if link.get("anchor") else "")
        links.append({"page": link["page"], "href": href, "text": link["text"]})
    keywords = [str(k) for k in question.get("keywords") or []]
    search = " ".join([question["question"], *paragraphs, *keywords, *(link["text"] for link in links)])
    return {
        "id": question["id"],
        "question": question["question"],
        "paragraphs": paragraphs,
        "audience": list(question["audience"]),
        "keywords": keywords,
        "links": links,
        "search": search.lower(),
    }
