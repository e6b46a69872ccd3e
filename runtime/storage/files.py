"""Uploaded files, kept by content hash behind a small interface (issue 14).

The default keeps them in a local directory (files/ab/<sha256> under the data dir). Several
app servers share it as a shared volume (NFS or a cluster filesystem mounted at the same
path): writes are create-once under a content hash, so two servers storing the same bytes at
once cannot corrupt each other. An S3-compatible object store would be another class with the
same three methods (key = the hash), chosen at create_app; nothing else in the runtime reads
file paths.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, Protocol


class Stored(NamedTuple):
    """One thing in the store: a file under its hash, or a `.part` left by an aborted write."""

    name: str
    modified: float  # seconds since the epoch: a put of bytes already there renews it
    partial: bool


class FileStore(Protocol):
    def put(self, sha256: str, content: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def listing(self) -> Iterator[Stored]: ...
    def remove(self, item: Stored) -> None: ...


class LocalFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")  # never a path from outside
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def put(self, sha256: str, content: bytes) -> None:
        target = self._path(sha256)
        if target.exists():
            os.utime(target)  # wanted again: clean-files keeps it for another grace period
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{sha256}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")  # unique per writer
        try:
            partial.write_bytes(content)
            partial.replace(target)  # atomic: a reader sees the whole file or none
        except OSError:
            partial.unlink(missing_ok=True)  # a full disk leaves no half file behind (issue 13)
            raise

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def listing(self) -> Iterator[Stored]:
        """Every file and leftover `.part` under the root (for clean-files)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for path in sorted(folder.iterdir()):
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                partial = path.name.endswith(".part")
                if partial or (path.name[:2] == folder.name and len(path.name) == 64):
                    yield Stored(path.name, modified, partial)

    def remove(self, item: Stored) -> None:
        if item.partial:
            if "/" in item.name or "\\" in item.name or not item.name.endswith(".part"):
                raise ValueError("not a partial file of this store")
            (self.root / item.name[:2] / item.name).unlink(missing_ok=True)
        else:
            self._path(item.name).unlink(missing_ok=True)
