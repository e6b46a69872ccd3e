"""Demo declarations in every state of the workflow, made through the real services.

Used by `python -m runtime seed-demo` (make run) so that a person trying the
app sees every screen with data: a draft, one waiting at the unit, one
returned with a comment, one reported up to the committee, one approved with
a certificate and one not approved. The section content is the persona of
runtime/demo/demo_declaration.json completed against build/ (content.py); the steps
are walked on the compiled workflow (a new review step in the YAML is taken on the
way); nothing here is policy.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from runtime.clock import iso
from runtime.committee import workdays
from runtime.declarations import declarations, submission
from runtime.demo import content as content_of
from runtime.policy import versions
from runtime.review import review, workflow
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, Declaration, account_row
from runtime.web.http import HttpError, Services
from vocabulary.formats import is_id_card

# (login, name, the 17 leading digits of the ID number, what happens to the declaration)
APPLICANTS = (
    ("lisi", "demo-1", "37100219880315002", "submitted"),
    ("wangwu", "demo-2", "37100219850720003", "returned"),
    ("zhaoliu", "demo-3", "37100219900102004", "reported"),
    ("sunqi", "demo-4", "37100219870911005", "approved"),
    ("zhouba", "demo-5", "37100219920430006", "rejected"),
)


def _id_number(first17: str) -> str:
    return next(first17 + c for c in "0123456789X" if is_id_card(first17 + c))


def _person(svc: Services, login: str, name: str, id_number: str, password_hash: str, data: dict[str, Any]) -> Account:
    existing = svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (login,))
    if existing:
        return account_row(existing)
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        svc.storage.insert(
            "accounts",
            {
                "id": uuid.uuid4().hex,
                "kind": "person",
                "role": "applicant",
                "login_name": login,
                "id_number": id_number,
                "name": name,
                "mobile": None,
                "org_id": None,
                "password_hash": password_hash,
                "data": dumps(data),
                "commitment_version": "demo",
                "commitment_at": now,
                "created_at": now,
            },
        )
    found = svc.storage.one("SELECT * FROM accounts WHERE login_name = ?", (login,))
    assert found is not None
    return account_row(found)


def _org_account(svc: Services, org_id: str | None) -> Account | None:
    found = svc.storage.one("SELECT * FROM accounts WHERE org_id = ? ORDER BY created_at LIMIT 1", (org_id,))
    return account_row(found) if found else None


def seed_declarations(
    svc: Services,
    unit_id: str,
    names: dict[str, str],
    password_hash: str,
    people: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Declarations in each state for the unit; returns what was made (empty without an open notice)."""
    notices = workflow.open_notices(svc)
    if not notices:
        return []
    content = content_of.valid_declaration(svc.bundle, int(notices[0]["year"]), svc.clock.today(), {"unit": unit_id})
    made = []
    for login, name_key, first17, outcome in APPLICANTS:
        data = (people or {}).get(name_key) or {}
        person = _person(svc, login, names.get(name_key, login), _id_number(first17), password_hash, data)
        if declarations.mine(svc, person):  # seeded before: say so, do not add another
            made.append(f"{login}: {outcome}")
            continue
        declaration_id = declarations.create(svc, person)
        for section in svc.bundle.declaration_sections():
            document = dict(content.get(section.id) or {})
            declaration = declarations.load(svc, declaration_id, person)
            declarations.save_section(svc, declaration, person, section.id, document, keep_invalid=True)
        submission.submit(svc, declarations.load(svc, declaration_id, person), person)
        _advance(svc, declaration_id, outcome)
        made.append(f"{login}: {outcome}")
    return made


def _advance(svc: Services, declaration_id: str, outcome: str) -> None:
    """Walk the declaration's own workflow (build/workflow.json) towards the outcome: a step of
    the compiled workflow at a time, taken by an account of the holding organisation, so a new
    review step in the YAML is walked through with no edit here."""
    if outcome == "submitted":
        return
    if outcome == "returned":
        _return(svc, declaration_id)
        return
    passed = outcome != "rejected"
    avoid = _detours(svc, passed)
    target = _nearest_final(svc, review.RESULT[passed], avoid)
    for _ in range(MAX_STEPS):
        row = svc.storage.declaration(declaration_id)
        assert row is not None
        chain = loads(row["chain"], [])
        if outcome == "reported" and chain and row["holder_org_id"] == chain[-1]:
            return
        if row["state"] == target:
            return
        step = _next_step(svc, row, chain, avoid, target)
        if step is None:
            return
        account = _holder_account(svc, row["holder_org_id"], list(step["by"]))
        if account is None:
            return
        _guards_waited(svc, row, step)
        try:
            review.act(svc, account, declaration_id, step["id"])
        except HttpError:  # e.g. a calendar year neither chinese-calendar nor calendar.yaml knows
            return


MAX_STEPS = 40  # a walk that long has lost its way: the declaration stays where it is


def _return(svc: Services, declaration_id: str) -> None:
    """The holder sends it back to the applicant with a comment, reopening the first section."""
    row = svc.storage.declaration(declaration_id)
    assert row is not None
    scoped = versions.scoped(svc, row)
    for step in workflow.definition(scoped).get("transitions") or []:
        if row["state"] not in step["from"] or not step.get("reopen_sections"):
            continue
        account = _holder_account(svc, row["holder_org_id"], list(step["by"]))
        if account is not None:
            first = scoped.bundle.declaration_sections()[0].id
            comment = scoped.bundle.text("demo_return_comment")
            review.act(svc, account, declaration_id, step["id"], comment=comment, sections=[first])
            return


def _detours(svc: Services, passed: bool) -> set[str]:
    """Steps a demo walk never takes: returns, corrections (they need a reason) and the other result."""
    avoid = {review.RESULT[not passed]}
    for step in workflow.definition(svc).get("transitions") or []:
        if step.get("reopen_sections") or "comment_given" in (step.get("guards") or []):
            avoid.add(step["id"])
    return avoid


def _distances(svc: Services, avoid: set[str], target: str) -> dict[str, int]:
    """Steps from each state to `target`, over the workflow's transitions not avoided."""
    steps = [t for t in workflow.definition(svc).get("transitions") or [] if t["id"] not in avoid]
    distance = {target: 0}
    frontier = [target]
    while frontier:
        following = []
        for state in frontier:
            for step in steps:
                for source in step["from"]:
                    if step["to"] == state and source not in distance:
                        distance[source] = distance[state] + 1
                        following.append(source)
        frontier = following
    return distance


def _nearest_final(svc: Services, result_step: str, avoid: set[str]) -> str:
    """The final state closest after the result step: where an approved (or rejected) walk ends."""
    states = workflow.definition(svc)["states"]
    start = (workflow.transition(svc, result_step) or {}).get("to", "")
    finals = [s for s, d in states.items() if d.get("final")]
    reach = {final: _distances(svc, avoid, final).get(start) for final in finals}
    return str(min((d, final) for final, d in reach.items() if d is not None)[1])


def _next_step(
    svc: Services, row: Declaration, chain: list[str], avoid: set[str], target: str
) -> dict[str, Any] | None:
    """Of the steps the holder may take now (standing guards passing), the one nearest the target."""
    scoped = versions.scoped(svc, row)  # its own version's workflow (VER-4)
    distance = _distances(scoped, avoid, target)
    best: tuple[int, int, dict[str, Any]] | None = None
    for order, step in enumerate(workflow.definition(scoped).get("transitions") or []):
        if step["id"] in avoid or row["state"] not in step["from"] or step["to"] not in distance:
            continue
        standing = [g for g in step.get("guards") or [] if g in workflow.STANDING_GUARDS]
        if any(workflow.standing_guard_failure(scoped, g, row, chain) for g in standing):
            continue
        if best is None or (distance[step["to"]], order) < best[:2]:
            best = (distance[step["to"]], order, step)
    return best[2] if best else None


def _holder_account(svc: Services, org_id: str | None, roles: list[str]) -> Account | None:
    for row in svc.storage.all("SELECT * FROM accounts WHERE org_id = ? ORDER BY created_at", (org_id,)):
        if row["role"] in roles:
            return account_row(row)
    return None


def _guards_waited(svc: Services, row: Declaration, step: dict[str, Any]) -> None:
    """Demo data only: date the state back so that the working days a step's guard asks for
    (PUB-2, PUB-3) have passed today."""
    needed = [int(g.split(":")[1]) for g in step.get("guards") or [] if g.startswith("working_days:")]
    if not needed:
        return
    today = svc.clock.today()
    start = today
    try:
        while workdays.between(svc, start, today) < max(needed):
            start -= timedelta(days=1)
    except HttpError:
        return
    since = datetime.combine(start, time(9), tzinfo=svc.clock.zone)
    svc.storage.execute("UPDATE declarations SET state_since = ? WHERE id = ?", (iso(since), row["id"]))
