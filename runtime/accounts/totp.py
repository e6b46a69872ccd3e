"""An optional second factor for organisation accounts: TOTP (RFC 6238; HOTP of RFC 4226,
HMAC-SHA1, 30-second steps, 6 digits), which every authenticator app understands.

accounts.totp_secret is NULL (off), "pending:<secret>" (shown, not yet confirmed) or the
base32 secret (on: login asks for the code). Wrong codes count like wrong passwords. Each
code works once: accounts.totp_last_step keeps the newest step used, and a code of that
step or an earlier one is refused (RFC 6238, section 5.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import struct
from datetime import datetime, timedelta
from urllib.parse import quote

from runtime.accounts.accounts import audit
from runtime.clock import iso
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services
from runtime.web.security import same

STEP_SECONDS = 30
DIGITS = 6
PENDING = "pending:"


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def hotp(secret: str, counter: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, moment: datetime) -> str:
    return hotp(secret, int(moment.timestamp()) // STEP_SECONDS)


def matched_step(secret: str, code: str, moment: datetime, window: int = 1) -> int | None:
    """The step whose code this is: this step or `window` steps either side (clock drift)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    step = int(moment.timestamp()) // STEP_SECONDS
    found = [step + d for d in range(-window, window + 1) if same(hotp(secret, step + d), code)]
    return found[-1] if found else None


def use_step(svc: Services, account_id: str, step: int) -> bool:
    """Spend a step's code: false when it (or a later one) was used already, so a code seen
    over someone's shoulder or replayed from a log does not log in a second time."""
    with svc.storage.transaction():
        changed = svc.storage.execute(
            "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
            (step, account_id, step),
        )
    return changed == 1


def uri(secret: str, login_name: str, issuer: str) -> str:
    label = quote(f"{issuer}:{login_name}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP_SECONDS}"


def status(account: Account) -> str:
    stored = account.get("totp_secret") or ""
    if not stored:
        return "off"
    return "pending" if stored.startswith(PENDING) else "on"


def _organisation_only(svc: Services, account: Account) -> None:
    if account["kind"] != "organisation":
        raise HttpError(403, "forbidden", svc.bundle.text("forbidden"))


def _bad_code(svc: Services, code: str = "totp_wrong") -> HttpError:
    message = svc.bundle.text(code)
    return HttpError(422, code, message, errors=[{"path": "/code", "code": code, "message": message, "rule": ""}])


def start(svc: Services, account: Account) -> dict[str, str]:
    """A fresh secret to put in the authenticator; on only after confirm()."""
    _organisation_only(svc, account)
    if status(account) == "on":
        raise HttpError(409, "conflict_state", svc.bundle.text("conflict_state"))
    secret = new_secret()
    with svc.storage.transaction():
        svc.storage.execute("UPDATE accounts SET totp_secret = ? WHERE id = ?", (PENDING + secret, account["id"]))
    link = uri(secret, account["login_name"], str(svc.bundle.platform.get("name", "")))
    return {"secret": secret, "uri": link, "qr": qr_image(link)}


def qr_image(link: str) -> str:
    """The otpauth link as a QR code, an inline SVG data URI (nothing is fetched from anywhere:
    the secret never leaves the page), so an authenticator app scans it (issue 13, finding 9)."""
    import segno  # only setup needs it

    return str(segno.make(link, error="m").svg_data_uri(scale=5, border=2))


def confirm(svc: Services, account: Account, code: str) -> None:
    _organisation_only(svc, account)
    if status(account) != "pending":
        raise HttpError(409, "totp_not_started", svc.bundle.text("totp_not_started"))
    secret = str(account["totp_secret"])[len(PENDING) :]
    step = matched_step(secret, code, svc.clock.now())
    if step is None:
        raise _bad_code(svc)
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET totp_secret = ?, totp_last_step = ? WHERE id = ?", (secret, step, account["id"])
        )
        audit(svc, account["id"], "totp_enabled", account["id"], {})


def disable(svc: Services, account: Account, code: str) -> None:
    _organisation_only(svc, account)
    if account["role"] in (svc.bundle.platform.get("totp_required_roles") or []):
        raise HttpError(409, "totp_required_by_policy", svc.bundle.text("totp_required_by_policy"))
    if status(account) == "on":
        step = matched_step(str(account["totp_secret"]), code, svc.clock.now())
        if step is None:
            raise _bad_code(svc)
        if not use_step(svc, account["id"], step):
            raise _bad_code(svc, "totp_reused")
    with svc.storage.transaction():
        svc.storage.execute("UPDATE accounts SET totp_secret = NULL WHERE id = ?", (account["id"],))
        audit(svc, account["id"], "totp_disabled", account["id"], {})


def check_login(svc: Services, account: Account, code: str, ip: str) -> None:
    """After a right password: nothing for accounts without TOTP; else the code must match.
    Wrong codes are counted per account, and too many lock the second step for a while."""
    if status(account) != "on":
        return
    now = svc.clock.now()
    lock_minutes = svc.policy("lock_minutes")
    since = iso(now - timedelta(minutes=lock_minutes))
    failures = svc.storage.all(
        "SELECT at FROM login_attempts WHERE account_id = ? AND outcome = 'bad_totp' AND at > ? ORDER BY at",
        (account["id"], since),
    )
    if len(failures) >= svc.policy("lock_after_failures"):
        retry = lock_minutes * 60 - int((now - datetime.fromisoformat(failures[-1]["at"])).total_seconds())
        retry = max(retry, 1)
        raise HttpError(
            423,
            "locked",
            svc.bundle.text("totp_locked", minutes=max(1, math.ceil(retry / 60))),
            headers={"Retry-After": str(retry)},
            extra={"retry_after": retry},
        )
    if not code.strip():
        raise HttpError(401, "totp_required", svc.bundle.text("totp_required"), extra={"totp_required": True})
    step = matched_step(str(account["totp_secret"]), code, now)
    if step is not None and not use_step(svc, account["id"], step):
        raise HttpError(401, "totp_reused", svc.bundle.text("totp_reused"), extra={"totp_required": True})
    if step is None:
        with svc.storage.transaction():
            svc.storage.insert(
                "login_attempts",
                {
                    "account_id": account["id"],
                    "account_text": account["login_name"],
                    "ip": ip,
                    "at": iso(now),
                    "outcome": "bad_totp",
                },
            )
        raise HttpError(401, "totp_wrong", svc.bundle.text("totp_wrong"), extra={"totp_required": True})
