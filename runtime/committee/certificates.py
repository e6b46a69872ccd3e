"""Certificates after issuance (CERT-1, COM-5): numbers nobody can guess in sequence, the
public verification link from the deployment's configured address, revocation, and a
throttle on the public check so it cannot be used to list every holder."""

from __future__ import annotations

import re
import secrets
from typing import Any

from runtime.accounts import accounts
from runtime.clock import iso, parse
from runtime.committee import policy, throttle
from runtime.declarations import declarations, queues
from runtime.documents import documents
from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.http import HttpError, Services

# Digits and capitals without 0/O, 1/I/L: read aloud or typed from paper without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BLOCK = "certificates"


def _text(svc: Services, code: str, **values: object) -> str:
    return svc.bundle.text(code, **values)


def new_number(svc: Services, year: int) -> str:
    """The policy's prefix for the year and a random part; unique (retried on a clash)."""
    spec = policy.section(svc, BLOCK)
    prefix = str(spec.get("number_prefix", "")).replace("{year}", f"{year:04d}")
    length = int(spec.get("random_length", 12))
    while True:
        number = prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
        if svc.storage.one("SELECT 1 AS x FROM declarations WHERE certificate_no = ?", (number,)) is None:
            return number


def verify_url(svc: Services, number: str) -> str:
    """The address printed and encoded in the QR code: the configured public base URL, never
    the Host a request came with. Without one configured, the path alone."""
    base = str(svc.bundle.platform.get("public_base_url") or "").rstrip("/")
    return base + documents.verify_path(svc, number)


def revocation(svc: Services, number: str) -> dict[str, Any] | None:
    return svc.storage.one("SELECT * FROM certificate_revocations WHERE certificate_no = ?", (number,))


def throttle_verify(svc: Services, address: str) -> None:
    """Refuse a public lookup past the policy's count per address and window (429)."""
    spec = policy.section(svc, BLOCK)
    wait = throttle.hit(svc, "verify", address, int(spec["verify_per_address"]), int(spec["verify_window_minutes"]))
    if wait:
        raise HttpError(
            429,
            "verify_throttled",
            _text(svc, "verify_throttled"),
            headers={"retry-after": str(wait)},
            extra={"retry_after": wait},
        )


def verify(svc: Services, number: str) -> dict[str, Any] | None:
    """What the public page shows: the facts of a genuine certificate and, when it was
    revoked, since when (local time); None for a number that is no issued certificate."""
    facts = documents.verify(svc, number)
    if facts is None:
        return None
    revoked = revocation(svc, number)
    revoked_at = ""
    if revoked:
        moment = parse(revoked["revoked_at"]).astimezone(svc.clock.zone)
        revoked_at = moment.strftime("%Y-%m-%d %H:%M")
    return {"facts": facts, "revoked": revoked is not None, "revoked_at": revoked_at}


def _issuing_org(declaration: Declaration) -> str:
    chain = loads(declaration["chain"], [])
    return str(chain[-1]) if chain else ""


def revoke(svc: Services, account: Account, number: Any, reason: Any) -> dict[str, Any]:
    """COM-5, INT-1: the issuing organisation revokes an issued certificate, with a reason
    (audited). 404 for a number the account may not know, 409 when already revoked."""
    if not isinstance(number, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", number):
        raise declarations.not_found(svc)
    found = svc.storage.one("SELECT * FROM declarations WHERE certificate_no = ?", (number,))
    row = declaration_row(found) if found else None
    if row is None or account["kind"] != "organisation" or not declarations.visible(row, account):
        raise declarations.not_found(svc)
    if not documents.issued(svc, row):
        raise declarations.not_found(svc)
    if account["role"] not in policy.roles(svc, BLOCK) or account["org_id"] != _issuing_org(row):
        raise HttpError(403, "forbidden", _text(svc, "forbidden"))
    limit = policy.number(svc, BLOCK, "reason_max_length")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > limit:
        message = _text(svc, "revoke_reason_required", limit=limit)
        raise HttpError(
            422,
            "revoke_reason_required",
            message,
            errors=[{"path": "/reason", "code": "revoke_reason_required", "message": message, "rule": "COM-5"}],
        )
    now = iso(svc.clock.now())
    with svc.storage.transaction():
        if revocation(svc, number) is not None:
            raise HttpError(409, "already_revoked", _text(svc, "already_revoked"))
        svc.storage.insert(
            "certificate_revocations",
            {
                "certificate_no": number,
                "declaration_id": row["id"],
                "reason": text,
                "revoked_by": account["id"],
                "org_id": account["org_id"],
                "revoked_at": now,
            },
        )
        accounts.audit(svc, account["id"], "revoke_certificate", row["id"], {"certificate_no": number, "reason": text})
    return {"certificate_no": number, "declaration_id": row["id"], "revoked_at": now, "reason": text}


def issued_by(
    svc: Services, account: Account, *, limit: str | int | None = None, cursor: str | None = None
) -> queues.Page:
    """One page of the certificates this organisation issued (the last of the chain), newest
    first, with the holder's name and any revocation: keyset pages over (state_since, id), as
    every list (issue 14); a certificate exists in the workflow's final states (documents.issued)."""
    if account["kind"] != "organisation":
        raise HttpError(403, "forbidden", _text(svc, "forbidden"))
    size = queues.page_limit(svc, limit)
    finals = [state for state, spec in workflow.definition(svc)["states"].items() if spec.get("final")]
    if not finals:
        return queues.Page([], None, size)
    ends_here, params = queues.chain_ends_at(account["org_id"])
    since = "COALESCE(d.state_since, '')"
    clauses = ["d.certificate_no IS NOT NULL", ends_here, f"d.state IN ({', '.join('?' for _ in finals)})"]
    params += finals
    after, values = queues.after_cursor(svc, cursor, since, "d.id")
    clauses, params = clauses + after, params + values
    rows = svc.storage.all(
        "SELECT d.*, a.name AS person_name, r.revoked_at, r.reason AS revoke_reason FROM declarations d"
        " JOIN accounts a ON a.id = d.person_id"
        " LEFT JOIN certificate_revocations r ON r.certificate_no = d.certificate_no"
        f" WHERE {' AND '.join(clauses)} ORDER BY {since} DESC, d.id DESC LIMIT ?",
        (*params, size + 1),
    )
    return queues.cut(rows, size, "state_since")
