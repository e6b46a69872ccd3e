"""Expert opinions on a declaration's information (COM-3): an expert drawn for a session records an opinion (and a
score where policy asks) on each declaration assigned to it, while the session is open
(drawn, its vote not closed); any other declaration is 404. The committee office sees every
opinion of its sessions with the expert's name: opinions are signed, unlike ballots."""

from __future__ import annotations

from typing import Any

from runtime.clock import iso
from runtime.committee import experts, policy, votes
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services, whole_number

BLOCK = "opinions"


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "COM-3"}])


def is_open(svc: Services, session_id: str) -> bool:
    """Drawn, and its vote not closed."""
    session = svc.storage.one("SELECT drawn_at FROM review_sessions WHERE id = ?", (session_id,))
    if session is None or not session["drawn_at"]:
        return False
    vote = svc.storage.one("SELECT closed_at FROM session_votes WHERE session_id = ?", (session_id,))
    return vote is None or not vote["closed_at"]


def record(svc: Services, account: Account, declaration_id: str, opinion: Any, score: Any) -> dict[str, Any]:
    """Save (or replace) this expert's opinion on an assigned declaration."""
    item = votes.assigned_declaration(svc, account, declaration_id)  # 404 unless assigned
    expert = votes.expert_of(svc, account)
    spec = policy.section(svc, BLOCK)
    if not is_open(svc, item["session_id"]):
        raise _error(svc, 409, "session_not_open")
    limit = int(spec["max_length"])
    text = opinion.strip() if isinstance(opinion, str) else ""
    if not text or len(text) > limit:
        raise _error(svc, 422, "opinion_text", "/opinion", limit=limit)
    bounds = spec.get("score")
    value = None
    if bounds:
        if isinstance(score, str):  # a score typed into a form: "85", "-3"
            typed = score.strip()
            number = whole_number(typed.removeprefix("-"), 6)
            score = score if number is None else -number if typed.startswith("-") else number
        if not isinstance(score, int) or isinstance(score, bool) or not bounds["min"] <= score <= bounds["max"]:
            raise _error(svc, 422, "opinion_score", "/score", min=bounds["min"], max=bounds["max"])
        value = score
    row = {
        "session_id": item["session_id"],
        "expert_id": expert,
        "declaration_id": declaration_id,
        "opinion": text,
        "score": value,
        "updated_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        svc.storage.execute(
            "DELETE FROM expert_opinions WHERE session_id = ? AND expert_id = ? AND declaration_id = ?",
            (row["session_id"], expert, declaration_id),
        )
        svc.storage.insert("expert_opinions", row)
    return {k: row[k] for k in ("session_id", "declaration_id", "opinion", "score", "updated_at")}


def mine(svc: Services, account: Account, declaration_id: str) -> dict[str, Any] | None:
    """This expert's own opinion on an assigned declaration, or None."""
    item = votes.assigned_declaration(svc, account, declaration_id)
    return svc.storage.one(
        "SELECT opinion, score, updated_at FROM expert_opinions WHERE session_id = ? AND expert_id = ?"
        " AND declaration_id = ?",
        (item["session_id"], votes.expert_of(svc, account), declaration_id),
    )


def of_session(svc: Services, account: Account, session_id: str) -> list[dict[str, Any]]:
    """Every opinion of one of the office's sessions, signed with the expert's name."""
    session = experts.load_session(svc, account, session_id)
    return svc.storage.all(
        "SELECT o.declaration_id, o.opinion, o.score, o.updated_at, e.id AS expert_id, e.name AS expert_name"
        " FROM expert_opinions o JOIN experts e ON e.id = o.expert_id WHERE o.session_id = ?"
        " ORDER BY o.declaration_id, e.name",
        (session["id"],),
    )
