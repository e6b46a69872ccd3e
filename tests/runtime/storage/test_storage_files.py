"""Uploaded bytes live behind a small file-store interface keyed by SHA-256 (issue 14): the
local directory default stores once, reads back, and never turns a key into another path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from runtime.storage.files import LocalFiles


def test_a_stored_file_reads_back_and_a_second_store_of_the_same_bytes_changes_nothing(tmp_path: Path) -> None:
    files = LocalFiles(tmp_path / "files")
    content = b"%PDF-1.7 evidence"
    sha = hashlib.sha256(content).hexdigest()
    assert not files.exists(sha)
    files.put(sha, content)
    files.put(sha, content)
    assert files.exists(sha) and files.get(sha) == content
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [sha]  # no partial left


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab", "Z" * 64, "0" * 63 + "/"])
def test_a_key_that_is_not_a_sha256_digest_is_refused(tmp_path: Path, key: str) -> None:
    files = LocalFiles(tmp_path / "files")
    with pytest.raises(ValueError):
        files.get(key)
    with pytest.raises(ValueError):
        files.put(key, b"x")
