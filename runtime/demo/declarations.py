"""Demo declarations in every state of the workflow, made through the real services.

Used by `python -m runtime seed-demo` (make run) so that a person trying the
app sees every screen with data: a draft, one waiting at the unit, one
returned with a comment, one reported up to the committee, one approved with
a certificate and one not approved. The section content is the demo file
runtime/demo_declaration.json; nothing here is policy.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any

from runtime.clock import iso
from runtime.committee import workdays
from runtime.declarations import declarations, submission
from runtime.review import review, workflow
from runtime.storage import dumps
from runtime.storage.rows import Account, account_row
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


def _content() -> dict[str, Any]:
    text = resources.files("runtime.demo").joinpath("demo_declaration.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


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
    if not workflow.open_notices(svc):
        return []
    content = _content()
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
            if section.id == "header":
                document["unit"] = unit_id
            declaration = declarations.load(svc, declaration_id, person)
            declarations.save_section(svc, declaration, person, section.id, document, keep_invalid=True)
        submission.submit(svc, declarations.load(svc, declaration_id, person), person)
        _advance(svc, declaration_id, outcome)
        made.append(f"{login}: {outcome}")
    return made


def _advance(svc: Services, declaration_id: str, outcome: str) -> None:
    row = svc.storage.declaration(declaration_id)
    assert row is not None
    if outcome == "submitted":
        return
    unit_account = _org_account(svc, row["holder_org_id"])
    assert unit_account is not None
    if outcome == "returned":
        review.act(
            svc,
            unit_account,
            declaration_id,
            "return",
            comment=svc.bundle.text("demo_return_comment"),
            sections=["header"],
        )
        return
    review.act(svc, unit_account, declaration_id, "pass")
    review.report(svc, unit_account, row["series"], row["level"], [declaration_id])
    if outcome == "reported":
        return
    row = svc.storage.declaration(declaration_id)
    assert row is not None
    committee = _org_account(svc, row["holder_org_id"])
    assert committee is not None
    review.act(svc, committee, declaration_id, "pass")
    review.result(svc, committee, declaration_id, outcome == "approved")
    _publicity_over(svc, declaration_id, review.CONFIRM[outcome == "approved"])
    # a calendar year neither chinese-calendar nor calendar.yaml knows leaves it in publicity
    with contextlib.suppress(HttpError):
        review.act(svc, committee, declaration_id, review.CONFIRM[outcome == "approved"])


def _publicity_over(svc: Services, declaration_id: str, transition_id: str) -> None:
    """Demo data only: date the result's publicity back so that the working days the
    confirming step's guard asks for (PUB-2, PUB-3) have passed today."""
    step = workflow.transition(svc, transition_id) or {}
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
    svc.storage.execute("UPDATE declarations SET state_since = ? WHERE id = ?", (iso(since), declaration_id))
