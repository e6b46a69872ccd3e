"""What an organisation may do with a declaration now, and for what it may not, why and what to do.

A page offers a workflow step only when the step would be accepted: the account holds the
declaration, and every guard that reads stored facts alone (chain end, approved path) passes.
Each step held back gives a note from messages.yaml that says why and what to do, so nobody
presses a button that can only fail (issue 16; REV-1, REV-2, REV-3, PATH-1).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account, Declaration
from runtime.web.http import Services

REPORT = "report"


def holder_note(svc: Services, declaration: Declaration) -> dict[str, str]:
    """Why an organisation that does not hold the declaration may only look at it."""
    if declaration["holder_org_id"] is None:
        return {"code": "hint_with_applicant", "text": svc.bundle.text("hint_with_applicant")}
    org = svc.storage.one("SELECT name FROM organisations WHERE id = ?", (declaration["holder_org_id"],))
    return {"code": "hint_not_holder", "text": svc.bundle.text("hint_not_holder", holder=org["name"] if org else "")}


def _held_back(svc: Services, step: dict[str, Any], declaration: Declaration) -> tuple[bool, dict[str, str] | None]:
    """(held back?, note) for one step the role and state allow."""
    chain = loads(declaration["chain"], [])
    failing = [
        guard
        for guard in step.get("guards") or []
        if guard in workflow.STANDING_GUARDS and workflow.standing_guard_failure(svc, guard, declaration, chain)
    ]
    if not failing:
        return False, None
    # at the chain's end there is no upper department, so "no path" would send people the wrong way
    first = "not_at_chain_end" if "not_at_chain_end" in failing else failing[0]
    return True, _note(svc, first, declaration, chain)


def _note(svc: Services, guard: str, declaration: Declaration, chain: list[str]) -> dict[str, str] | None:
    values = {"series": declaration["series"] or "", "level": declaration["level"] or ""}
    if guard == "not_at_chain_end":
        return {"code": "hint_chain_end", "text": svc.bundle.text("hint_chain_end", **values)}
    if guard == "path_approved":
        holder = declaration["holder_org_id"]
        pending = svc.storage.one(
            "SELECT 1 AS x FROM paths WHERE org_id = ? AND series = ? AND level = ? AND state = 'pending'",
            (holder, declaration["series"], declaration["level"]),
        )
        code = "hint_path_pending" if pending else "hint_no_path"
        return {"code": code, "text": svc.bundle.text(code, **values), "link": "/paths?" + urlencode(values)}
    return None  # e.g. recording a result below the chain's end: not this level's step at all


def review_steps(
    svc: Services, declaration: Declaration, account: Account
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The steps to offer on the review page, and the notes for those held back."""
    if not workflow.holds(declaration, account):
        return [], [holder_note(svc, declaration)]
    steps: list[dict[str, Any]] = []
    notes: list[dict[str, str]] = []
    for step in workflow.available(svc, declaration, account):
        held, note = _held_back(svc, step, declaration)
        if not held:
            steps.append(step)
        elif note and note not in notes:
            notes.append(note)
    return steps, notes


def report_note(svc: Services, declaration: Declaration) -> dict[str, str] | None:
    """None when the holder may report this declaration now, else why not (REV-2, PATH-1)."""
    step = workflow.transition(svc, REPORT) or {}
    held, note = _held_back(svc, step, declaration)
    return note if held else None
