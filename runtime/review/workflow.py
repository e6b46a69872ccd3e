"""The declaration workflow, driven by build/workflow.json (REV-1..5, DEC-18).

A transition is allowed when its `from` holds the current state, the actor
has one of its roles and holds the declaration (the applicant, or a member of
the holding organisation), and every guard passes. Each transition appends
to the history (REV-4) in the same transaction as the state change.
"""

from __future__ import annotations

from typing import Any

from runtime.clock import iso, parse
from runtime.committee import integrity, objection_guard, publicity_guard, workdays
from runtime.notifications import outbox
from runtime.policy import versions
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, Declaration
from runtime.web.http import HttpError, Services
from vocabulary.terms import PARAMETRISED_GUARDS

WORKFLOW = "declaration"


def definition(svc: Services) -> dict[str, Any]:
    found: dict[str, Any] = svc.bundle.workflow[WORKFLOW]
    return found


def transition(svc: Services, transition_id: str) -> dict[str, Any] | None:
    for item in definition(svc).get("transitions") or []:
        if item["id"] == transition_id:
            return dict(item)
    return None


def state_title(svc: Services, state: str) -> str:
    return str((definition(svc)["states"].get(state) or {}).get("title", state))


def holds(declaration: Declaration, account: Account) -> bool:
    if declaration["holder_org_id"] is None:
        return bool(account["kind"] == "person" and account["id"] == declaration["person_id"])
    return bool(account["kind"] == "organisation" and account["org_id"] == declaration["holder_org_id"])


def available(svc: Services, declaration: Declaration, account: Account) -> list[dict[str, Any]]:
    """Transitions this account could take now (guards are checked when taken)."""
    svc = versions.scoped(svc, declaration)  # its own version's workflow (VER-4)
    if not holds(declaration, account):
        return []
    return [
        t
        for t in definition(svc).get("transitions") or []
        if declaration["state"] in t["from"] and account["role"] in t["by"]
    ]


def editable_sections(svc: Services, declaration: Declaration, account: Account) -> list[str] | None:
    """Sections the applicant may change now: None for none, a list (all or reopened ones)."""
    svc = versions.scoped(svc, declaration)
    state = definition(svc)["states"].get(declaration["state"]) or {}
    if not state.get("editable") or declaration["holder_org_id"] is not None:
        return None
    if account["kind"] != "person" or account["id"] != declaration["person_id"]:
        return None
    reopened = loads(declaration["reopened"], None)
    all_sections = [f.id for f in svc.bundle.declaration_sections()]
    return [s for s in all_sections if s in reopened] if reopened else all_sections


def apply(
    svc: Services,
    declaration: Declaration,
    account: Account,
    transition_id: str,
    *,
    comment: str = "",
    sections: list[str] | None = None,
    guard_context: dict[str, Any] | None = None,
) -> Declaration:
    """Take a transition inside the caller's transaction; returns the updated row."""
    svc = versions.scoped(svc, declaration)  # its own version's workflow (VER-4)
    step = transition(svc, transition_id)
    if step is None or account["role"] not in step["by"]:
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    if not holds(declaration, account):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if declaration["state"] not in step["from"]:
        raise HttpError(409, "conflict_state", svc.bundle.text("conflict_state"))
    chain = loads(declaration["chain"], [])
    for guard in step.get("guards") or []:
        _check_guard(svc, guard, declaration, chain, comment, guard_context or {})
    holder, chain = _next_holder(svc, step.get("holder", "keep"), declaration, chain, guard_context or {})
    reached = max(int(declaration["reached"]), chain.index(holder) if holder in chain else -1)
    reopened = None
    if step.get("reopen_sections") and sections and holder is None:
        valid = {f.id for f in svc.bundle.declaration_sections()}
        reopened = dumps([s for s in sections if s in valid]) or None
    now = iso(svc.clock.now())
    svc.storage.execute(
        "UPDATE declarations SET state = ?, holder_org_id = ?, chain = ?, reached = ?, reopened = ?,"
        " state_since = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        (step["to"], holder, dumps(chain), reached, reopened, now, now, declaration["id"]),
    )
    svc.storage.insert(
        "history",
        {
            "declaration_id": declaration["id"],
            "transition": step["id"],
            "from_state": declaration["state"],
            "to_state": step["to"],
            "actor_id": account["id"],
            "org_id": account["org_id"],
            "comment": comment,
            "sections": dumps(sections) if sections else None,
            "at": now,
        },
    )
    updated = svc.storage.declaration(declaration["id"])
    assert updated is not None
    outbox.on_step(svc, step, declaration, updated, account, comment, sections)
    return updated


def _next_holder(
    svc: Services, rule: str, declaration: Declaration, chain: list[str], context: dict[str, Any]
) -> tuple[str | None, list[str]]:
    current = declaration["holder_org_id"]
    if rule == "declaring_unit":
        new_chain = list(context.get("chain") or chain)
        return (new_chain[0] if new_chain else None), new_chain
    if rule == "next_on_path":
        position = chain.index(current or "")
        return chain[position + 1], chain
    if rule == "previous":
        if current is None or current not in chain or chain.index(current) == 0:
            return None, chain
        return chain[chain.index(current) - 1], chain
    return current, chain


def _check_guard(
    svc: Services,
    guard: str,
    declaration: Declaration,
    chain: list[str],
    comment: str,
    context: dict[str, Any],
) -> None:
    """Each guard failing says why, with messages.yaml's text."""
    if guard == "notice_open":
        if not notice_is_open(svc, declaration["notice_id"]):
            raise HttpError(409, "outside_window", svc.bundle.text("outside_window"))
    elif guard == "sections_valid":
        errors = context.get("section_errors") or []
        if errors:
            raise HttpError(422, "validation_failed", svc.bundle.text("validation_failed"), errors=errors)
    elif guard == "comment_given":
        if not comment.strip():
            raise HttpError(
                422,
                "comment_required",
                svc.bundle.text("comment_required"),
                errors=[
                    {
                        "path": "/comment",
                        "code": "comment_required",
                        "message": svc.bundle.text("comment_required"),
                        "rule": "REV-1",
                    }
                ],
            )
    elif guard == "unit_publicity_done":
        publicity_guard.refuse_unless_done(svc, dict(declaration), chain)
    elif guard == "objections_settled":
        objection_guard.refuse_unless_settled(svc, dict(declaration))
    elif guard == "no_integrity_record":
        integrity.refuse_if_recorded(svc, declaration["person_id"])
    elif guard in STANDING_GUARDS:
        code = standing_guard_failure(svc, guard, declaration, chain)
        if code is not None:
            raise HttpError(409, code, svc.bundle.text(code))
    else:
        match = PARAMETRISED_GUARDS["working_days"].match(guard)
        if match is None:
            raise HttpError(500, "server_error", f"unknown guard {guard}")
        since = parse(declaration["state_since"] or declaration["updated_at"]).date()
        if workdays.between(svc, since, svc.clock.today()) < int(match.group(1)):
            raise HttpError(409, "too_early", svc.bundle.text("too_early", days=match.group(1)))


# Guards that read only stored facts (no comment, no section errors): a page can ask them before
# offering a button, so it never shows a step that would fail (issue 16, "honest buttons").
STANDING_GUARDS = ("at_chain_end", "not_at_chain_end", "path_approved")


def standing_guard_failure(svc: Services, guard: str, declaration: Declaration, chain: list[str]) -> str | None:
    """The message code of a standing guard that fails now, or None when it passes."""
    holder = declaration["holder_org_id"]
    if guard == "at_chain_end":
        return None if chain and holder == chain[-1] else "conflict_state"
    if guard == "not_at_chain_end":
        return None if chain and holder != chain[-1] else "conflict_state"
    position = chain.index(holder) if holder in chain else -1
    upper = chain[position + 1] if 0 <= position < len(chain) - 1 else None
    approved = upper is not None and svc.storage.one(
        "SELECT 1 AS x FROM paths WHERE org_id = ? AND upper_org_id = ? AND series = ? AND level = ?"
        " AND state = 'approved'",
        (holder, upper, declaration["series"], declaration["level"]),
    )
    return None if approved else "no_path"


def notice(svc: Services, notice_id: str) -> dict[str, Any] | None:
    for item in svc.bundle.platform.get("notices") or []:
        if item.get("id") == notice_id:
            return dict(item)
    return None


def notice_is_open(svc: Services, notice_id: str) -> bool:
    found = notice(svc, notice_id)
    if found is None:
        return False
    today = svc.clock.today().isoformat()
    return bool(found["opens"] <= today <= found["closes"])


def open_notices(svc: Services) -> list[dict[str, Any]]:
    return [n for n in svc.bundle.platform.get("notices") or [] if notice_is_open(svc, n["id"])]
