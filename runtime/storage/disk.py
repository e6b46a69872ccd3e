"""Disk failures (issue 13, finding 8): a full or read-only data directory is an operator's
problem, not a crash. Requests get 503 with a clear Chinese message (the transaction rolled
back, so nothing is half-written); start-up names the directory and the cause in one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

# errors of the disk or its mount, not of the program
DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EDQUOT, errno.ENOTDIR}
SQLITE_DISK_WORDS = ("disk", "full", "readonly", "read-only", "unable to open", "locked", "i/o")


class DataDirError(Exception):
    """The data directory cannot be used; str() is the one line an operator reads."""


def is_disk_failure(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return any(word in str(exc).lower() for word in SQLITE_DISK_WORDS)
    if isinstance(exc, OSError):
        return exc.errno in DISK_ERRNOS
    return False


def check_data_dir(data_dir: Path) -> None:
    """Create the directory and prove it takes a write, or DataDirError naming it and the cause."""
    probe = data_dir / f".write-test-{os.getpid()}"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with probe.open("wb") as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        raise DataDirError(f"data directory {data_dir.resolve()} is not usable: {exc.strerror or exc}") from None


def describe(data_dir: Path, exc: BaseException) -> str:
    """One line for a failure while opening the database at start-up."""
    cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"data directory {data_dir.resolve()} is not usable: {cause}"
