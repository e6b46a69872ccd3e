"""The comparable form of a unit name (UNIT-4, issue 13 finding 10).

Two registrations of one unit must not pass the duplicate check because one was typed with
full-width brackets around a word and the other with half-width ones, or with a space: names are compared
after NFKC (full-width letters, digits and brackets become half-width), with every kind of
bracket made one, white space and invisible characters removed, and case folded. The stored
name stays as the unit typed it; organisations.name_key holds this form.
"""

from __future__ import annotations

import unicodedata

from runtime.web.http import Services

_BRACKETS = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "「": "(",
        "」": ")",
        "『": "(",
        "』": ")",
        "〔": "(",
        "〕": ")",
        "〖": "(",
        "〗": ")",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
    }
)
_DROPPED = ("Zs", "Cc", "Cf")  # spaces of every width, control and format (zero-width) characters


def name_key(name: str) -> str:
    text = name
    for _ in range(4):  # until stable: folding case or dropping a space can make NFKC compose anew
        step = unicodedata.normalize("NFKC", text).translate(_BRACKETS).casefold()
        step = "".join(c for c in step if not c.isspace() and unicodedata.category(c) not in _DROPPED)
        if step == text:
            break
        text = step
    return text


def fill_missing_keys(svc: Services) -> None:
    """Organisations stored before name_key existed (or inserted by seeding) get theirs, so the
    duplicate check sees every unit. Runs inside the caller's transaction; a no-op once done."""
    while True:
        rows = svc.storage.all("SELECT id, name FROM organisations WHERE name_key IS NULL LIMIT 500")
        if not rows:
            return
        for row in rows:
            svc.storage.execute(
                "UPDATE organisations SET name_key = ? WHERE id = ?", (name_key(row["name"]), row["id"])
            )
