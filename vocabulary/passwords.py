"""Password strength (issue 13, finding 9): one judge for the generator (a policy's examples are
checked at build time) and the runtime (registration, recovery, change, reset).

Strength is zxcvbn's estimate (score 0-4: keyboard walks, repeats, sequences, dates, common
passwords and words of its ~30k-entry lists), never a hand-kept list; on top of it a password
may not contain the person's own login name or ID number, nor be one the deployment has
published (the demo password of the README). The policy (minimum score, which personal values,
published passwords) is `passwords` in schemas/platform.yaml.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from zxcvbn import zxcvbn

__all__ = ["password_problems"]

# zxcvbn judges at most 72 characters (its own limit); a longer password is judged by its start.
_JUDGED_CHARS = 72
# Personal values shorter than this are too short to be a meaningful part of a password.
_MIN_PERSONAL = 3


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def password_problems(
    password: str, policy: Mapping[str, Any], personal: Mapping[str, str | None] | None = None
) -> list[str]:
    """The message codes of what is wrong with `password` under `policy` (empty: acceptable).

    `personal` maps a name of policy `personal` (login_name, id_number …) to the person's
    value; a password containing one of them (case and width folded) is refused whatever
    its score."""
    problems: list[str] = []
    folded = _fold(password)
    published: Iterable[str] = policy.get("published") or []
    if any(folded == _fold(str(p)) for p in published):
        problems.append("password_published")
    for name in policy.get("personal") or []:
        value = (personal or {}).get(str(name)) or ""
        if len(value.strip()) >= _MIN_PERSONAL and _fold(value.strip()) in folded:
            problems.append(f"password_contains_{name}")
    if not problems:
        hints = [v for v in (personal or {}).values() if v]
        score = int(zxcvbn(password[:_JUDGED_CHARS], user_inputs=hints)["score"])
        if score < int(policy.get("min_score", 0)):
            problems.append("password_weak")
    return problems
