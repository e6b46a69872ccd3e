"""Demo data of the committee stage: an expert pool at the committee office that holds the
reported demo declaration and a session in every stage — one whose vote is closed with its
ballots, one drawn with an expert's opinion and the vote open, one just set up — and a login
for an expert of the open one. Goes through the real services; numbers come from
build/ (the session size is the policy's minimum for the level)."""

from __future__ import annotations

from typing import Any

from runtime.committee import experts, opinions, votes
from runtime.review import review, workflow
from runtime.storage.rows import account_row
from runtime.web.http import HttpError, Services

EXPERT_LOGIN = "expert01"


def seed_committee(svc: Services, password: str, data: dict[str, Any]) -> list[dict[str, str]]:
    """Returns the accounts it made (to print); nothing when there is nothing to review.
    `data`: the `committee` part of demo_data.json (expert units, names, the opinion text)."""
    reported = (workflow.transition(svc, review.REPORT) or {}).get("to")  # what a report step leads to
    held = svc.storage.one(
        "SELECT d.* FROM declarations d JOIN organisations o ON o.id = d.holder_org_id"
        " WHERE o.authority = 1 AND d.state = ? ORDER BY d.created_at LIMIT 1",
        (reported,),
    )
    if held is None:
        return []
    office_row = svc.storage.one(
        "SELECT * FROM accounts WHERE org_id = ? AND role = ? ORDER BY created_at LIMIT 1",
        (held["holder_org_id"], policy_role(svc)),
    )
    if office_row is None:
        return []
    if svc.storage.one("SELECT 1 AS x FROM experts WHERE org_id = ?", (held["holder_org_id"],)):  # seeded before
        known = svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (EXPERT_LOGIN,))
        return [{"login": EXPERT_LOGIN, "role": "expert", "org": ""}] if known else []
    office = account_row(office_row)
    minimum = int(svc.bundle.committee["experts"]["session_minimum"].get(held["level"], 1))
    levels = [e["value"] for e in svc.bundle.entries("levels")]
    for i in range(minimum + 4):
        level = levels[min(i % 2, levels.index(held["level"]))]  # the level or above
        experts.add(
            svc,
            office,
            {
                "name": str(data["expert_name"]).format(n=f"{i + 1:02d}"),
                "unit": data["expert_units"][i % len(data["expert_units"])],
                "specialty": data["expert_specialty"],
                "title_level": level,
            },
        )
    made = []
    try:
        _closed_session(svc, office, held, minimum, password)
        session = experts.draw(
            svc, office, experts.create_session(svc, office, held["series"], held["level"], minimum, [held["id"]])["id"]
        )
        first = next(e["id"] for e in session["experts"] if not _has_login(svc, e["id"]))
        login = votes.create_account(svc, office, first, EXPERT_LOGIN, password)
        expert = account_row(svc.storage.one("SELECT * FROM accounts WHERE id = ?", (login["account_id"],)) or {})
        opinions.record(svc, expert, held["id"], data["opinion"], _score(svc))
        votes.open_vote(svc, office, session["id"], [e["id"] for e in session["experts"]])
        made.append({"login": EXPERT_LOGIN, "role": "expert", "org": ""})
    except HttpError:  # a policy that makes the demo pool too small: the sessions stay undrawn
        pass
    experts.create_session(svc, office, held["series"], held["level"], minimum, [held["id"]])  # set up only
    return made


def _score(svc: Services) -> int | None:
    bounds = (svc.bundle.committee.get("opinions") or {}).get("score")
    return int(bounds["max"]) if bounds else None


def _has_login(svc: Services, expert_id: str) -> bool:
    return svc.storage.one("SELECT 1 AS x FROM expert_accounts WHERE expert_id = ?", (expert_id,)) is not None


def _closed_session(svc: Services, office: Any, held: dict[str, Any], count: int, password: str) -> None:
    """COM-4 at its end: a session drawn, every drawn expert attending and voting for the
    policy's agreeing choice, the vote closed. Its experts get logins no one is told about."""
    made = experts.create_session(svc, office, held["series"], held["level"], count, [held["id"]])
    session = experts.draw(svc, office, made["id"])
    attending = [e["id"] for e in session["experts"]]
    votes.open_vote(svc, office, made["id"], attending)
    agree = svc.bundle.committee["vote"]["agree"]
    for i, expert_id in enumerate(attending, start=1):
        login = votes.create_account(svc, office, expert_id, f"{EXPERT_LOGIN}_c{i:02d}", password)
        voter = account_row(svc.storage.one("SELECT * FROM accounts WHERE id = ?", (login["account_id"],)) or {})
        votes.cast(svc, voter, made["id"], held["id"], agree)
    votes.close_vote(svc, office, made["id"])


def policy_role(svc: Services) -> str:
    by: list[Any] = svc.bundle.committee["experts"]["by"]
    return str(by[0])
