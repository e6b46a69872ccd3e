"""Attachments: type by magic bytes, size from the section schema, stored by SHA-256.

Files live under the data dir (outside any web root) at files/ab/<sha256>; the
name the user gave is metadata only, cleaned, and sent back only as a
Content-Disposition attachment name to those allowed to see the declaration.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from runtime.clock import iso
from runtime.storage.files import FileStore, LocalFiles
from runtime.storage.rows import Account, Declaration
from runtime.web.forms import upload_limits_text
from runtime.web.http import HttpError, Services

MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}
MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
MAX_NAME = 100


def sniff(content: bytes) -> str | None:
    for kind, signatures in MAGIC.items():
        if any(content.startswith(s) for s in signatures):
            return kind
    return None


def clean_filename(name: str, kind: str) -> str:
    """A display name without paths, control characters or a misleading extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = base.strip().strip(".") or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[: MAX_NAME - 5]}.{kind}"


def files_dir(svc: Services) -> Path:
    root: Path = svc.extras["data_dir"] / "files"
    return root


def limits_text(svc: Services, spec: dict[str, Any]) -> str:
    return upload_limits_text(svc, spec)


def refusal(svc: Services, status: int, code: str, spec: dict[str, Any] | None, **values: Any) -> HttpError:
    """An upload refused: the reason, then every limit of that kind of upload (issue 16), so the
    applicant knows what to send instead."""
    message = svc.bundle.text(code, **values)
    if spec is not None:
        message = message + svc.bundle.text("message_separator") + limits_text(svc, spec)
    return HttpError(status, code, message, extra={k: str(v) for k, v in values.items() if k == "limit"})


def file_store(svc: Services) -> FileStore:
    """Where uploaded bytes live: svc.extras["files"] when the app was given a store, else the
    data dir's files/ (runtime/storage/files.py says how several servers share it)."""
    found = svc.extras.get("files")
    if found is None:
        found = svc.extras["files"] = LocalFiles(files_dir(svc))
    store: FileStore = found
    return store


def store(
    svc: Services,
    declaration: Declaration,
    account: Account,
    *,
    section_id: str,
    kind: str,
    row: int | None,
    filename: str,
    content: bytes,
    spec: dict[str, Any],
) -> dict[str, Any]:
    if not content:
        raise refusal(svc, 422, "empty_file", spec)
    detected = sniff(content)
    if detected is None or detected not in spec["types"]:
        raise refusal(svc, 415, "unsupported_file_type", spec)
    if len(content) > int(spec["max_size_kb"]) * 1024:
        raise refusal(svc, 413, "file_too_large", spec, limit=spec["max_size_kb"])
    sha = hashlib.sha256(content).hexdigest()
    file_store(svc).put(sha, content)
    attachment = {
        "id": uuid.uuid4().hex,
        "declaration_id": declaration["id"],
        "section_id": section_id,
        "row": row,
        "kind": kind,
        "filename": clean_filename(filename, detected),
        "sha256": sha,
        "size": len(content),
        "media_type": MEDIA_TYPES[detected],
        "uploaded_by": account["id"],
        "created_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        count = svc.storage.one(
            "SELECT COUNT(*) AS n FROM attachments WHERE declaration_id = ? AND section_id = ? AND kind = ?"
            " AND (row IS ? OR row = ?)",
            (declaration["id"], section_id, kind, row, row),
        )
        if count and count["n"] >= int(spec["max_files"]):
            raise refusal(svc, 409, "too_many_files", spec, limit=spec["max_files"])
        svc.storage.insert("attachments", attachment)
    return attachment


def read(svc: Services, attachment: dict[str, Any]) -> bytes:
    return file_store(svc).get(attachment["sha256"])


def for_declaration(svc: Services, declaration_id: str) -> list[dict[str, Any]]:
    return svc.storage.all(
        "SELECT * FROM attachments WHERE declaration_id = ? ORDER BY created_at, id", (declaration_id,)
    )
