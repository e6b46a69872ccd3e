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
from runtime.declarations import row_ids
from runtime.storage import loads
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


def upload_limit(svc: Services, key: str) -> int:
    return int((svc.bundle.platform.get("uploads") or {})[key])


def store(
    svc: Services,
    declaration: Declaration,
    account: Account,
    *,
    section_id: str,
    kind: str,
    row_id: str | None,
    filename: str,
    content: bytes,
    spec: dict[str, Any],
) -> dict[str, Any]:
    """Check and keep one file. `row_id` is a row the section holds now (receive_upload resolved
    it); inside the transaction it must still be there, so a save that deleted the row meanwhile
    wins and the file is refused rather than bound to nothing (issue 13, finding 5)."""
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
        "row": None,
        "row_id": row_id,
        "kind": kind,
        "filename": clean_filename(filename, detected),
        "sha256": sha,
        "size": len(content),
        "media_type": MEDIA_TYPES[detected],
        "uploaded_by": account["id"],
        "created_at": iso(svc.clock.now()),
    }
    with svc.storage.transaction():
        if row_id is not None and row_id not in current_row_ids(svc, declaration["id"], section_id):
            raise HttpError(422, "upload_row_unknown", svc.bundle.text("upload_row_unknown"))
        existing = svc.storage.all(
            "SELECT id, section_id, kind, row_id, sha256, size FROM attachments WHERE declaration_id = ?",
            (declaration["id"],),
        )
        slot = [a for a in existing if (a["section_id"], a["kind"], a["row_id"]) == (section_id, kind, row_id)]
        same = next((a for a in slot if a["sha256"] == sha), None)
        if same is not None:  # the same bytes again for the same row and kind: nothing new to keep
            raise HttpError(409, "duplicate_file", svc.bundle.text("duplicate_file"), extra={"existing": same["id"]})
        if len(slot) >= int(spec["max_files"]):
            raise refusal(svc, 409, "too_many_files", spec, limit=spec["max_files"])
        _within_quota(svc, existing, sha, len(content))
        svc.storage.insert("attachments", attachment)
    return attachment


def _within_quota(svc: Services, existing: list[dict[str, Any]], sha: str, size: int) -> None:
    """The declaration's quotas over distinct contents: a file attached twice (one certificate
    proving two rows) is stored once and counts once."""
    sizes = {a["sha256"]: int(a["size"]) for a in existing}
    if sha in sizes:
        return
    most_files = upload_limit(svc, "declaration_max_files")
    if len(sizes) >= most_files:
        raise HttpError(
            409,
            "declaration_files_full",
            svc.bundle.text("declaration_files_full", limit=most_files),
            extra={"limit": str(most_files)},
        )
    most_mb = upload_limit(svc, "declaration_max_mb")
    used = sum(sizes.values())
    if used + size > most_mb * 1024 * 1024:
        message = svc.bundle.text("declaration_bytes_full", limit=most_mb, used=_mb(used), size=_mb(size))
        extra = {"limit": str(most_mb), "used": _mb(used), "size": _mb(size)}
        raise HttpError(409, "declaration_bytes_full", message, extra=extra)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def current_row_ids(svc: Services, declaration_id: str, section_id: str) -> list[str]:
    return row_ids.ids(_section_data(svc, declaration_id, section_id))


def resolve_row(svc: Services, declaration_id: str, section_id: str, spec: dict[str, Any], given: Any) -> str | None:
    """The row an upload is for: `row_id` of a row the section holds now (API), or for clients
    that still count, a position (`row` from 0) taken as the id of the row there now. A per-row
    kind needs one; a section-wide kind takes none."""
    if not spec.get("per_row"):
        if given is not None:
            raise HttpError(422, "bad_request", svc.bundle.text("bad_request"))
        return None
    if given is None:
        raise HttpError(422, "upload_row_required", svc.bundle.text("upload_row_required"))
    held = current_row_ids(svc, declaration_id, section_id)
    if isinstance(given, int):
        if 0 <= given < len(held):
            return held[given]
    elif given in held:
        return str(given)
    raise HttpError(422, "upload_row_unknown", svc.bundle.text("upload_row_unknown"))


def delete(svc: Services, declaration: Declaration, editable: list[str] | None, attachment_id: str) -> dict[str, Any]:
    """Remove one file of a declaration while its section is editable by this account (a return
    saying the proof does not match the achievement can then be fixed); `editable` are the
    sections this account may change now (the workflow says). Others' files are 404;
    the bytes go when nothing refers to them any more (clean-files)."""
    attachment = svc.storage.one(
        "SELECT * FROM attachments WHERE id = ? AND declaration_id = ?", (attachment_id, declaration["id"])
    )
    if attachment is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    if editable is None or attachment["section_id"] not in editable:
        raise HttpError(409, "not_editable", svc.bundle.text("not_editable"))
    with svc.storage.transaction():
        current = svc.storage.one("SELECT state FROM declarations WHERE id = ?", (declaration["id"],))
        if current is None or current["state"] != declaration["state"]:
            raise HttpError(409, "conflict_state", svc.bundle.text("conflict_state"))
        svc.storage.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
    return attachment


def drop_removed_rows(svc: Services, declaration_id: str, section_id: str, kept: list[str]) -> int:
    """Inside a section save: the files of rows the save removed go with them (their proof
    proves nothing any more, and must not reappear under another row)."""
    found = svc.storage.all(
        "SELECT id, row_id FROM attachments WHERE declaration_id = ? AND section_id = ? AND row_id IS NOT NULL",
        (declaration_id, section_id),
    )
    gone = [a["id"] for a in found if a["row_id"] not in set(kept)]
    for attachment_id in gone:
        svc.storage.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
    return len(gone)


def read(svc: Services, attachment: dict[str, Any]) -> bytes:
    return file_store(svc).get(attachment["sha256"])


def for_declaration(svc: Services, declaration_id: str) -> list[dict[str, Any]]:
    """The declaration's files, each with `row` (the position its row has now, from 0) and
    `row_label` (that row's first values), so pages, the API and the printed review form show a proof
    under its own row whatever was deleted or reordered (issue 13, finding 5). Files of a row
    that is gone (a save racing an upload) are left out."""
    found = svc.storage.all(
        "SELECT * FROM attachments WHERE declaration_id = ? ORDER BY created_at, id", (declaration_id,)
    )
    held: dict[str, dict[str, tuple[int, Any]]] = {}
    result = []
    for attachment in found:
        section_id = attachment["section_id"]
        if section_id not in held:
            document = _section_data(svc, declaration_id, section_id)
            rows: list[Any] = document.get("rows") or []
            held[section_id] = {rid: (i, rows[i]) for i, rid in enumerate(row_ids.ids(document))}
        row_id = attachment.get("row_id")
        if row_id is not None and row_id not in held[section_id]:
            continue
        index, row = held[section_id][row_id] if row_id is not None else (None, None)
        attachment["row"] = index
        attachment["row_label"] = _row_label(svc, section_id, row)
        result.append(attachment)
    result.sort(key=lambda a: -1 if a["row"] is None else int(a["row"]))  # stable: upload order within a row
    return result


def _section_data(svc: Services, declaration_id: str, section_id: str) -> dict[str, Any]:
    found = svc.storage.one(
        "SELECT data FROM sections WHERE declaration_id = ? AND section_id = ?", (declaration_id, section_id)
    )
    data = loads(found["data"], {}) if found else {}
    return data if isinstance(data, dict) else {}


def _row_label(svc: Services, section_id: str, row: Any) -> str:
    """A row as a reader recognises it: its first two values in the form's column order."""
    form = svc.bundle.sections.get("declaration", {}).get(section_id)
    if not isinstance(row, dict) or form is None or not form.rows:
        return ""
    values = [str(row[f["id"]]) for f in form.rows.get("fields") or [] if row.get(f["id"]) not in (None, "")]
    text = " ".join(values[:2])
    return text if len(text) <= 40 else text[:39] + "…"
