#!/usr/bin/env python3
"""Fetch axe-core (the accessibility checker the browser tests inject) into .cache/, once.

The npm registry's tarball of one pinned version, checked against its published sha512
integrity, unpacked to .cache/axe-core-<version>/axe.min.js. Standard library only, so a
fresh machine needs nothing but Python and access to registry.npmjs.org. Prints the path.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch() -> Path:
    if TARGET.is_file():
        return TARGET
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if digest != INTEGRITY:
        raise SystemExit(f"axe-core {VERSION}: integrity mismatch ({digest})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise SystemExit(f"axe-core {VERSION}: no axe.min.js in the package")
        source = member.read()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".tmp")
    partial.write_bytes(source)
    partial.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(fetch())
    sys.exit(0)
