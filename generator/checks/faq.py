"""faq.yaml: question ids are unique, audiences are declared, links name pages the runtime serves."""

from __future__ import annotations

from generator.errors import suggest
from generator.model import Model
from vocabulary.pages import PAGES


def check(model: Model) -> None:
    project = model.project
    doc = project.singles.get("faq")
    if doc is None or not isinstance(doc.data, dict):
        return
    audiences = [str(a) for a in (doc.data.get("audiences") or {})]
    pages = sorted(PAGES)
    seen: set[str] = set()
    for i, question in enumerate(doc.data.get("questions") or []):
        if not isinstance(question, dict):
            continue
        qid = question.get("id")
        if isinstance(qid, str):
            if qid in seen:
                project.diag("E403", doc, ("questions", i, "id"), id=qid)
            seen.add(qid)
        for j, audience in enumerate(question.get("audience") or []):
            if audience not in audiences:
                project.diag(
                    "E404",
                    doc,
                    ("questions", i, "audience", j),
                    suggestion=suggest(audience, audiences),
                    name=audience,
                    known=audiences,
                )
        for j, link in enumerate(question.get("links") or []):
            page = link.get("page") if isinstance(link, dict) else None
            if isinstance(page, str) and page not in PAGES:
                project.diag(
                    "E402",
                    doc,
                    ("questions", i, "links", j, "page"),
                    suggestion=suggest(page, pages),
                    name=page,
                    known=pages,
                )
