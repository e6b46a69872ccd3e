"""Changing a password while logged in, and what a reset by an HR authority leaves behind
(issue 13, finding 9).

A logged-in person changes the password with the current one (a stolen session alone cannot
take the account over; wrong current passwords count like wrong logins). A password set by an
HR reset must be changed before anything else (`must_change_password`) and lapses after
`hr_reset_code_hours`. Accounts of a role in `totp_required_roles` must set up a second factor
before anything else. `gate` says which of these holds an account back; the page middleware
and the API's require_account both ask it.
"""

from __future__ import annotations

from datetime import timedelta

from runtime.accounts import sms_limits
from runtime.accounts.accounts import audit, check_password_policy, personal_values, validation_error
from runtime.clock import iso
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services
from runtime.web.security import hash_password, token, verify_password

# Paths an account held back by `gate` may still use: the step it must take, and leaving.
PAGE_PATHS = ("/password", "/me/totp", "/logout", "/login")
API_PATHS = ("/api/v1/me/password", "/api/v1/me/totp", "/api/v1/me/totp/confirm", "/api/v1/logout")


def totp_required(svc: Services, account: Account) -> bool:
    return account["role"] in (svc.bundle.platform.get("totp_required_roles") or [])


def gate(svc: Services, account: Account) -> str | None:
    """The message code of the step this account must take first, or None."""
    if account.get("must_change_password"):
        return "password_change_required"
    stored = account.get("totp_secret") or ""
    if totp_required(svc, account) and (not stored or stored.startswith("pending:")):
        return "totp_setup_required"
    return None


def gate_page(code: str) -> str:
    return "/password" if code == "password_change_required" else "/me/totp"


def _recent_wrong(svc: Services, account_id: str) -> int:
    since = iso(svc.clock.now() - timedelta(minutes=svc.policy("lock_minutes")))
    row = svc.storage.one(
        "SELECT COUNT(*) AS n FROM login_attempts WHERE account_id = ? AND outcome = 'bad_current' AND at > ?",
        (account_id, since),
    )
    return int(row["n"]) if row else 0


def change_password(
    svc: Services, account: Account, current: str, new: str, confirm: str, keep_session: str | None = None
) -> None:
    """Blocking (Argon2). Every error at once (422); too many wrong current passwords: 429.
    Other sessions and every API token end (a thief's included); `keep_session` (the digest of
    the page session that asked) stays."""
    if _recent_wrong(svc, account["id"]) >= svc.policy("lock_after_failures"):
        raise HttpError(429, "too_many_attempts", svc.bundle.text("too_many_attempts"))
    errors = []
    right = verify_password(account["password_hash"], current)
    if not right:
        errors.append(_error(svc, "/current_password", "current_password_wrong"))
        with svc.storage.transaction():
            svc.storage.insert(
                "login_attempts",
                {
                    "account_id": account["id"],
                    "account_text": account["login_name"],
                    "ip": "-",
                    "at": iso(svc.clock.now()),
                    "outcome": "bad_current",
                },
            )
    if new != confirm:
        errors.append(_error(svc, "/new_password_confirm", "password_confirm_differs"))
    for found in check_password_policy(svc, "person_registration", new, personal_values(account)):
        errors.append({**found, "path": "/new_password"})
    if right and new and verify_password(account["password_hash"], new):
        errors.append(_error(svc, "/new_password", "password_unchanged"))
    if errors:
        raise validation_error(svc, errors)
    password_hash = hash_password(new)
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET password_hash = ?, must_change_password = 0, password_expires_at = NULL,"
            " failed_logins = 0, locked_until = NULL WHERE id = ?",
            (password_hash, account["id"]),
        )
        svc.storage.execute(
            "DELETE FROM sessions WHERE account_id = ? AND id_hash != ?", (account["id"], keep_session or "")
        )
        svc.storage.execute("UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", (account["id"],))
        audit(
            svc, account["id"], "password_changed", account["id"], {"forced": bool(account.get("must_change_password"))}
        )


def _error(svc: Services, path: str, code: str) -> dict[str, str]:
    return {"path": path, "code": code, "message": svc.bundle.text(code), "rule": "REG-6"}


def send_temporary_password(svc: Services, actor: Account, target: Account, sender: str, action: str) -> str:
    """A one-time password by SMS to the target's registered mobile, never shown to whoever
    asked (an HR reset, UNIT-5; a new staff account): it must be changed at the next login and
    lapses after `hr_reset_code_hours`. TOTP stays as it was: a reset is no way around the
    second factor. Every session and token of the target ends. Returns the masked mobile."""
    mobile = (target["mobile"] or "").strip()
    if not mobile:
        raise HttpError(409, "hr_reset_no_mobile", svc.bundle.text("hr_reset_no_mobile"))
    code = token(9)  # 12 characters of 64: guessed no faster than the lock allows
    hours = svc.policy("hr_reset_code_hours")
    until = svc.clock.now() + timedelta(hours=hours)
    password_hash = hash_password(code)
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET password_hash = ?, must_change_password = 1, password_expires_at = ?,"
            " failed_logins = 0, locked_until = NULL WHERE id = ?",
            (password_hash, iso(until), target["id"]),
        )
        svc.storage.execute("DELETE FROM sessions WHERE account_id = ?", (target["id"],))
        svc.storage.execute("UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", (target["id"],))
        text = svc.bundle.text(
            "sms_hr_reset_text", authority=sender, login_name=target["login_name"], code=code, hours=hours
        )
        sms_limits.send(svc, mobile, text)
        audit(svc, actor["id"], action, target["id"], {"by": "sms", "org": target["org_id"], "mobile": mask(mobile)})
    return mask(mobile)


def mask(mobile: str) -> str:
    return mobile[:3] + "*" * max(0, len(mobile) - 7) + mobile[-4:] if len(mobile) > 7 else "*" * len(mobile)
