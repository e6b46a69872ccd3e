"""Expert accounts, what an expert may see, and the vote (COM-3, COM-4).

An expert of the pool gets a login account (the role committee.yaml names); it sees only
the declarations of sessions it was drawn for and has no conflict with (404 otherwise).
The office opens the vote with the attending experts; without the policy's quorum it is
refused. Each attending expert votes once per declaration; the receipt (who voted) and
the ballot (what was voted) are separate rows, so no page, API or query joins them; only
tallies are shown, with the pass decided by the policy's threshold of those attending."""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import Any

from runtime.clock import iso
from runtime.committee import experts, policy
from runtime.declarations import declarations
from runtime.storage import dumps, loads
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services
from runtime.web.security import hash_password

BLOCK = "vote"


def _error(svc: Services, status: int, code: str, path: str = "", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    return HttpError(
        status, code, message, errors=[{"path": path, "code": code, "message": message, "rule": "COM-4"}], extra=values
    )


def fraction(text: str) -> Fraction:
    top, bottom = text.split("/")
    return Fraction(int(top), int(bottom))


def create_account(svc: Services, account: Account, expert_id: Any, login_name: Any, password: Any) -> dict[str, Any]:
    """The office gives a pool expert a login account (COM-3)."""
    pool = {e["id"]: e for e in experts.pool(svc, account)}
    expert = pool.get(str(expert_id))
    if expert is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if not isinstance(login_name, str) or not 3 <= len(login_name) <= 40 or not login_name.isascii():
        raise _error(svc, 422, "expert_account_invalid", "/login_name")
    minimum = svc.policy("password_min_length")
    if not isinstance(password, str) or not minimum <= len(password) <= svc.policy("password_max_length"):
        raise _error(svc, 422, "expert_account_invalid", "/password")
    role = str(policy.section(svc, "experts")["account_role"])
    account_id = uuid.uuid4().hex
    with svc.storage.transaction():
        if svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (login_name,)) or svc.storage.one(
            "SELECT 1 AS x FROM expert_accounts WHERE expert_id = ?", (expert["id"],)
        ):
            raise _error(svc, 409, "expert_account_exists", "/login_name")
        svc.storage.insert(
            "accounts",
            {
                "id": account_id,
                "kind": "person",
                "role": role,
                "login_name": login_name,
                "name": expert["name"],
                "mobile": expert["mobile"] or None,
                "password_hash": hash_password(password),
                "data": "{}",
                "created_at": iso(svc.clock.now()),
            },
        )
        svc.storage.insert("expert_accounts", {"expert_id": expert["id"], "account_id": account_id})
    return {"expert_id": expert["id"], "account_id": account_id, "login_name": login_name}


def expert_of(svc: Services, account: Account) -> str:
    row = svc.storage.one("SELECT expert_id FROM expert_accounts WHERE account_id = ?", (account["id"],))
    if row is None:
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))
    return str(row["expert_id"])


def assigned(svc: Services, account: Account) -> list[dict[str, Any]]:
    """Declarations of the sessions this expert was drawn for, less declared conflicts."""
    expert = expert_of(svc, account)
    rows = svc.storage.all(
        "SELECT d.*, x.session_id FROM session_experts e JOIN session_declarations x ON x.session_id = e.session_id"
        " JOIN review_sessions r ON r.id = e.session_id JOIN declarations d ON d.id = x.declaration_id"
        " WHERE e.expert_id = ? AND d.id NOT IN (SELECT declaration_id FROM expert_conflicts WHERE expert_id = ?)"
        " ORDER BY r.created_at DESC, d.created_at",
        (expert, expert),
    )
    newest = {r["id"]: r for r in reversed(rows)}  # a declaration in two sessions: the newest one
    found = [r for r in rows if newest[r["id"]] is r]
    return [{**declarations.summary(svc, r), "session_id": r["session_id"]} for r in found]


def assigned_declaration(svc: Services, account: Account, declaration_id: str) -> dict[str, Any]:
    """One assigned declaration, read-only with its sections; 404 for any other."""
    for item in assigned(svc, account):
        if item["id"] == declaration_id:
            return {
                **item,
                "sections": {k: v.get("data") for k, v in declarations.sections(svc, declaration_id).items()},
            }
    raise HttpError(404, "not_found", svc.bundle.text("not_found"))


def open_vote(svc: Services, account: Account, session_id: str, attending: Any) -> dict[str, Any]:
    """COM-4: the attending experts (drawn for the session) must reach the quorum."""
    session = experts.load_session(svc, account, session_id)
    drawn = {
        r["expert_id"]
        for r in svc.storage.all("SELECT expert_id FROM session_experts WHERE session_id = ?", (session["id"],))
    }
    if not drawn:
        raise _error(svc, 409, "vote_not_drawn")
    if not isinstance(attending, list) or not all(isinstance(a, str) and a in drawn for a in attending):
        raise _error(svc, 422, "vote_attending_invalid", "/attending")
    present = sorted(set(attending))
    quorum = fraction(str(policy.section(svc, BLOCK)["quorum"]))
    if Fraction(len(present), int(session["expert_count"])) < quorum:
        raise _error(svc, 409, "vote_no_quorum", "/attending", attending=len(present), total=session["expert_count"])
    with svc.storage.transaction():
        if svc.storage.one("SELECT 1 AS x FROM session_votes WHERE session_id = ?", (session["id"],)):
            raise _error(svc, 409, "vote_open_already")
        svc.storage.insert(
            "session_votes",
            {"session_id": session["id"], "attending": dumps(present), "opened_at": iso(svc.clock.now())},
        )
    return tally(svc, account, session_id)


def cast(svc: Services, account: Account, session_id: str, declaration_id: Any, choice: Any) -> None:
    """One attending expert's secret ballot on one declaration of the session, once."""
    expert = expert_of(svc, account)
    vote = svc.storage.one("SELECT * FROM session_votes WHERE session_id = ?", (str(session_id)[:64],))
    if vote is None or expert not in loads(vote["attending"], []):
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if vote["closed_at"]:
        raise _error(svc, 409, "vote_closed")
    listed = svc.storage.one(
        "SELECT 1 AS x FROM session_declarations WHERE session_id = ? AND declaration_id = ?",
        (vote["session_id"], str(declaration_id)),
    )
    if listed is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if choice not in policy.section(svc, BLOCK)["choices"]:
        raise _error(svc, 422, "vote_choice_invalid", "/choice")
    with svc.storage.transaction():
        receipt = {"session_id": vote["session_id"], "expert_id": expert, "declaration_id": str(declaration_id)}
        if svc.storage.one(
            "SELECT 1 AS x FROM ballot_receipts WHERE session_id = ? AND expert_id = ? AND declaration_id = ?",
            tuple(receipt.values()),
        ):
            raise _error(svc, 409, "vote_cast_already")
        svc.storage.insert("ballot_receipts", receipt)
        ballot = {"id": uuid.uuid4().hex, "session_id": vote["session_id"], "declaration_id": str(declaration_id)}
        svc.storage.insert("ballots", {**ballot, "choice": choice})


def close_vote(svc: Services, account: Account, session_id: str) -> dict[str, Any]:
    """The office ends the vote: no ballot and no opinion after this (COM-3, COM-4)."""
    session = experts.load_session(svc, account, session_id)
    with svc.storage.transaction():
        done = svc.storage.execute(
            "UPDATE session_votes SET closed_at = ? WHERE session_id = ? AND closed_at IS NULL",
            (iso(svc.clock.now()), session["id"]),
        )
        if not done:
            found = svc.storage.one("SELECT 1 AS x FROM session_votes WHERE session_id = ?", (session["id"],))
            raise _error(svc, 409, "vote_closed" if found else "vote_not_open")
    return tally(svc, account, session_id)


def tally(svc: Services, account: Account, session_id: str) -> dict[str, Any]:
    """Counts per declaration and choice, and whether the agreeing choice reaches the threshold of those
    attending; never who voted what."""
    session = experts.load_session(svc, account, session_id)
    vote = svc.storage.one("SELECT * FROM session_votes WHERE session_id = ?", (session["id"],))
    if vote is None:
        raise _error(svc, 409, "vote_not_open")
    spec = policy.section(svc, BLOCK)
    attending = len(loads(vote["attending"], []))
    threshold = fraction(str(spec["threshold"]))
    counts = svc.storage.all(
        "SELECT declaration_id, choice, COUNT(*) AS n FROM ballots WHERE session_id = ?"
        " GROUP BY declaration_id, choice",
        (session["id"],),
    )
    result = []
    for declaration_id in experts.describe(svc, session)["declaration_ids"]:
        by_choice = {c: 0 for c in spec["choices"]}
        for row in counts:
            if row["declaration_id"] == declaration_id:
                by_choice[row["choice"]] = int(row["n"])
        agree = by_choice.get(spec["agree"], 0)
        result.append(
            {
                "declaration_id": declaration_id,
                "counts": by_choice,
                "cast": sum(by_choice.values()),
                "passes": Fraction(agree, attending) >= threshold,
            }
        )
    return {
        "session_id": session["id"],
        "closed_at": vote["closed_at"],
        "quorum": str(spec["quorum"]),
        "threshold": str(spec["threshold"]),
        "attending": attending,
        "expert_count": session["expert_count"],
        "tallies": result,
    }
