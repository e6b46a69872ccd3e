"""Many applicants of one unit at once, for deadline-day journeys and benchmarks (issue 16).

`declare_many` makes each declaration the way the app does (accounts.validate_person and
create_person, declarations.create and save_section, submission.submit): nothing is frozen
here but the counting. The sections are the demo persona completed against build/ (what
`seed-demo` saves: runtime/demo/content.py) for the open notice's year, the rank comes from the
count, and sex and birth date from each generated ID number. Each declaration passes
submission.submit as a real one must, so a policy change in schemas/ that these values no
longer meet fails loudly here, not silently.

`clone_many` copies one such declaration N times in SQL (the chain rows follow by trigger): a
queue of 10,000 in seconds, for checking that a page stays bounded, not for the journey.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from runtime.accounts import accounts
from runtime.accounts.api import agree
from runtime.declarations import declarations, submission
from runtime.demo import content as content_of
from runtime.demo.seed import demo_data
from runtime.review import workflow
from runtime.storage.rows import account_row
from runtime.web.http import Services
from runtime.web.security import hash_password
from vocabulary.formats import is_id_card

PASSWORD = "Weihai#2026crowd"


def id_number(region: str, born: date, serial: int) -> str:
    """A valid 18-character ID number: region, birth date, a serial (odd: a man) and its check."""
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return next(first17 + c for c in "0123456789X" if is_id_card(first17 + c))


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    id_number: str
    declaration_id: str


def declare_many(
    svc: Services,
    unit_id: str,
    count: int,
    *,
    prefix: str = "crowd",
    per_birthday: int = 50,
    submit: bool = True,
) -> list[Person]:
    """`count` applicants of the unit, each with one complete declaration, submitted unless
    `submit` is false. Every `per_birthday` of them share a birth date, so part of an ID number
    finds a group."""
    template = declarations_content(svc, unit_id)
    base = dict(demo_data()["applicant"])
    region = str(base["id_number"])[:6]
    first_birthday = date.fromisoformat(str(base["data"]["birth_date"]))
    password_hash = hash_password(PASSWORD)
    made = []
    for n in range(count):
        born = first_birthday + timedelta(days=n // per_birthday)
        number = _unused(svc, region, born, 2 * n + 1)
        login = f"{prefix}{n:04d}"
        document = {
            **{k: v for k, v in base.items() if k not in ("login", "data")},
            **base["data"],
            "login_name": login,
            "id_number": number,
            "name": f"申报人{n:04d}",
            "birth_date": born.isoformat(),
            "mobile": f"139{n:08d}",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
        account_id = accounts.create_person(svc, accounts.validate_person(svc, document), password_hash)
        agree(svc, account_row(_account(svc, account_id)))  # DEC-1, as the commitment page records it
        person = account_row(_account(svc, account_id))
        declaration_id = declarations.create(svc, person)
        year = int(declarations.load(svc, declaration_id, person)["year"])
        for section_id, content in template.items():
            document = dict(content)
            if section_id == "header":
                document.update(year=year, rank=f"{n + 1}/{count}")
            declaration = declarations.load(svc, declaration_id, person)
            declarations.save_section(svc, declaration, person, section_id, document, keep_invalid=True)
        if submit:
            submission.submit(svc, declarations.load(svc, declaration_id, person), person)
        made.append(Person(login, _name(svc, account_id), number, declaration_id))
    return made


def _unused(svc: Services, region: str, born: date, serial: int) -> str:
    """An ID number nobody registered yet (another crowd of the same test may have the first)."""
    while True:
        number = id_number(region, born, serial)
        if svc.storage.one("SELECT 1 AS x FROM accounts WHERE id_number = ?", (number,)) is None:
            return number
        serial += 2  # the same sex


def _account(svc: Services, account_id: str) -> dict[str, Any]:
    found = svc.storage.one("SELECT * FROM accounts WHERE id = ?", (account_id,))
    assert found is not None, account_id
    return dict(found)


def _name(svc: Services, account_id: str) -> str:
    row = svc.storage.one("SELECT name FROM accounts WHERE id = ?", (account_id,))
    return str(row["name"]) if row else ""


def declarations_content(svc: Services, unit_id: str) -> dict[str, dict[str, Any]]:
    """A valid declaration of the unit as `seed-demo` makes it: the demo persona completed
    against build/ (runtime/demo/content.py), for the open notice's year."""
    year = int(workflow.open_notices(svc)[0]["year"])
    return content_of.valid_declaration(svc.bundle, year, svc.clock.today(), {"unit": unit_id})


def clone_many(svc: Services, declaration_id: str, count: int, *, prefix: str = "clone") -> None:
    """`count` copies of a declaration, each with its own applicant: the accounts in batches,
    the declarations and their sections by one INSERT ... SELECT each (fast on both backends)."""
    original = svc.storage.one("SELECT * FROM declarations WHERE id = ?", (declaration_id,))
    person = svc.storage.one("SELECT * FROM accounts WHERE id = ?", (original["person_id"],)) if original else None
    assert original is not None and person is not None
    region = str(person["id_number"])[:6]
    born = date(1980, 1, 1)
    columns = list(person)
    rows = [
        {
            **dict(person),
            "id": uuid.uuid4().hex,
            "login_name": f"{prefix}{n:06d}",
            "id_number": id_number(region, born + timedelta(days=n // 1000), n),
            "name": f"复本{n:06d}",
            "mobile": None,
        }
        for n in range(count)
    ]
    declared = [c for c in original if c not in ("id", "person_id")]
    others = [c for c in svc.storage.all("SELECT * FROM sections WHERE declaration_id = ?", (declaration_id,))[0]]
    # size: the database computes it from the data (migration 10), so it is never written
    others = [c for c in others if c not in ("declaration_id", "size")]
    clones = f"SELECT id FROM accounts WHERE login_name LIKE '{prefix}%'"
    with svc.storage.transaction():
        for start in range(0, count, 200):
            batch = rows[start : start + 200]
            marks = ",".join("(" + ",".join("?" for _ in columns) + ")" for _ in batch)
            values = tuple(row[c] for row in batch for c in columns)
            svc.storage.execute(f"INSERT INTO accounts ({', '.join(columns)}) VALUES {marks}", values)
        svc.storage.execute(
            f"INSERT INTO declarations (id, person_id, {', '.join(declared)})"
            f" SELECT 'd' || a.id, a.id, {', '.join('o.' + c for c in declared)}"
            f" FROM accounts a, declarations o WHERE o.id = ? AND a.id IN ({clones})",
            (declaration_id,),
        )
        svc.storage.execute(
            f"INSERT INTO sections (declaration_id, {', '.join(others)})"
            f" SELECT 'd' || a.id, {', '.join('s.' + c for c in others)}"
            f" FROM accounts a, sections s WHERE s.declaration_id = ? AND a.id IN ({clones})",
            (declaration_id,),
        )
