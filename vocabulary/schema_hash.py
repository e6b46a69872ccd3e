"""The content hash of a schemas/ tree: the same bytes give the same hash on any machine.

Shared so the generator can stamp it into build/manifest.json and the runtime
can tell, without parsing any policy, that build/ no longer matches schemas/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
