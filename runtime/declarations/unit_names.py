"""Close names of permitted units (DEC-4): when a typed declaring unit matches none, the page
suggests the nearest registered names instead of a bare refusal (issue 16)."""

from __future__ import annotations

import difflib

from runtime.web.http import Services

MAX_PROBES = 8  # two-character pieces of the typed name asked of the database
MAX_CANDIDATES = 200
SUGGESTIONS = 3


def close_names(svc: Services, typed: str) -> list[str]:
    """Up to three permitted units' names that look like `typed`, best first."""
    text = "".join(c for c in typed if not c.isspace() and c not in "%_\\")[:64]
    pieces = list(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))
    if not pieces:
        return []
    step = max(1, len(pieces) // MAX_PROBES)
    probes = pieces[::step][:MAX_PROBES]
    where = " OR ".join("name LIKE ?" for _ in probes)
    rows = svc.storage.all(
        f"SELECT name FROM organisations WHERE permitted = 1 AND authority = 0 AND ({where}) LIMIT ?",
        (*[f"%{p}%" for p in probes], MAX_CANDIDATES),
    )
    names = [str(r["name"]) for r in rows]
    return difflib.get_close_matches(text, names, n=SUGGESTIONS, cutoff=0.5)
