"""Recovery of a forgotten login or password by an SMS code to the registered mobile (REG-6):
the same answers whether or not an account matches."""

from __future__ import annotations

from datetime import timedelta

from runtime.accounts import sms_limits
from runtime.accounts.accounts import (
    audit,
    check_password_policy,
    find_account,
    personal_values,
    validation_error,
)
from runtime.clock import iso, parse
from runtime.storage.rows import Account
from runtime.web.http import HttpError, Services
from runtime.web.security import (
    digest,
    digits,
    hash_password,
)

# -- recovery by SMS (REG-6) ---------------------------------------------------------


def send_recovery_code(svc: Services, account_text: str, mobile: str, ip: str) -> None:
    """Sends a code when account and mobile match; the answer, 429 included, is the same
    either way (no enumeration): the limits count requests, not sent codes."""
    sms_limits.admit(svc, ip, account_text, mobile)
    account = find_account(svc, account_text)
    if account is None or not account["mobile"] or account["mobile"] != mobile.strip():
        return
    now = svc.clock.now()
    code = digits(svc.policy("sms_code_length"))
    expires = now + timedelta(minutes=svc.policy("sms_code_minutes"))
    with svc.storage.transaction():
        svc.storage.execute("UPDATE sms_codes SET used = 1 WHERE account_id = ?", (account["id"],))
        svc.storage.insert(
            "sms_codes",
            {
                "account_id": account["id"],
                "mobile": account["mobile"],
                "code_hash": digest(code),
                "created_at": iso(now),
                "expires_at": iso(expires),
                "tries": 0,
                "used": 0,
            },
        )
        text = svc.bundle.text(
            "sms_recovery_text",
            code=code,
            minutes=svc.policy("sms_code_minutes"),
            login_name=account["login_name"],
        )
        sms_limits.send(svc, account["mobile"], text)


def reset_password(svc: Services, account_text: str, code: str, new_password: str) -> Account:
    account = find_account(svc, account_text)
    bad = HttpError(
        422,
        "bad_sms_code",
        svc.bundle.text("bad_sms_code"),
        errors=[
            {
                "path": "/code",
                "code": "bad_sms_code",
                "message": svc.bundle.text("bad_sms_code"),
                "rule": "REG-6",
            }
        ],
    )
    if account is None:
        raise bad
    policy_errors = check_password_policy(svc, "person_registration", new_password, personal_values(account))
    if policy_errors:
        for e in policy_errors:
            e["path"] = "/new_password"
        raise validation_error(svc, policy_errors)
    now = svc.clock.now()
    with svc.storage.transaction():
        row = svc.storage.one(
            "SELECT * FROM sms_codes WHERE account_id = ? AND used = 0 ORDER BY id DESC LIMIT 1",
            (account["id"],),
        )
        if row is None or parse(row["expires_at"]) < now or row["tries"] >= svc.policy("sms_code_max_tries"):
            raise bad
        if digest(code.strip()) != row["code_hash"]:
            svc.storage.execute("UPDATE sms_codes SET tries = tries + 1 WHERE id = ?", (row["id"],))
            ok = False
        else:
            svc.storage.execute("UPDATE sms_codes SET used = 1 WHERE id = ?", (row["id"],))
            ok = True
    if not ok:
        raise bad
    password_hash = hash_password(new_password)
    with svc.storage.transaction():
        svc.storage.execute(
            "UPDATE accounts SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
            (password_hash, account["id"]),
        )
        svc.storage.execute("DELETE FROM sessions WHERE account_id = ?", (account["id"],))
        svc.storage.execute("UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", (account["id"],))
        audit(svc, account["id"], "password_reset", account["id"], {"by": "sms"})
    return account
