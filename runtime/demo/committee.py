"""Demo data of the committee stage: an expert pool at the committee office that holds the
reported demo declaration, one session drawn with the vote open and one just set up, and a
login for the first drawn expert. Goes through the real services; numbers come from
build/ (the session size is the policy's minimum for the level)."""

from __future__ import annotations

from typing import Any

from runtime.committee import experts, votes
from runtime.review import review, workflow
from runtime.storage.rows import account_row
from runtime.web.http import HttpError, Services

UNITS = ("山东大学", "青岛大学", "烟台大学", "鲁东大学", "山东省档案馆", "济南市档案馆")
EXPERT_LOGIN = "expert01"


def seed_committee(svc: Services, password: str) -> list[dict[str, str]]:
    """Returns the accounts it made (to print); nothing when there is nothing to review."""
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
                "name": f"评审专家{i + 1:02d}",
                "unit": UNITS[i % len(UNITS)],
                "specialty": "档案管理",
                "title_level": level,
            },
        )
    made = []
    drawn = experts.create_session(svc, office, held["series"], held["level"], minimum, [held["id"]])
    try:
        session = experts.draw(svc, office, drawn["id"])
        first = session["experts"][0]["id"]
        votes.create_account(svc, office, first, EXPERT_LOGIN, password)
        votes.open_vote(svc, office, drawn["id"], [e["id"] for e in session["experts"]])
        made.append({"login": EXPERT_LOGIN, "role": "expert", "org": ""})
    except HttpError:  # a policy that makes the demo pool too small: the session stays undrawn
        pass
    experts.create_session(svc, office, held["series"], held["level"], minimum, [held["id"]])
    return made


def policy_role(svc: Services) -> str:
    by: list[Any] = svc.bundle.committee["experts"]["by"]
    return str(by[0])
