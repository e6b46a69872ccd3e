"""Applicant and unit accounts: registration with confirmation, login with lockout, recovery.

Policy numbers (5 failures, 15 minutes, code length …) come from
platform.yaml `accounts`; messages from messages.yaml; fields from the
registration forms in build/. Field ids used here are the documented contract
(vocabulary.terms.CONTRACT_FIELDS).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from runtime.accounts import sms_limits
from runtime.clock import iso, parse
from runtime.storage import dumps, loads
from runtime.storage.rows import Account, account_row
from runtime.web.http import HttpError, Services
from runtime.web.security import (
    DUMMY_HASH,
    digest,
    token,
    verify_password,
)
from vocabulary.passwords import password_problems
from vocabulary.validation import Error

PASSWORD_FIELDS = ("password", "password_confirm")


def validation_error(svc: Services, errors: list[Error] | list[dict[str, Any]]) -> HttpError:
    items = [e.as_dict() if isinstance(e, Error) else e for e in errors]
    return HttpError(422, "validation_failed", svc.bundle.text("validation_failed"), errors=items)


def field_error(svc: Services, form_id: str, field: str, code: str, **values: object) -> dict[str, Any]:
    form = svc.bundle.forms[form_id]
    title = form.field_index.get(field, {}).get("title", field)
    return {
        "path": f"/{field}",
        "code": code,
        "message": svc.bundle.text(code, title=title, **values),
        "rule": form.field_index.get(field, {}).get("rule", form.compiled.get("rule", "")),
        "severity": "error",
    }


def check_password_policy(
    svc: Services, form_id: str, password: str, personal: Mapping[str, str | None] | None = None
) -> list[dict[str, Any]]:
    """Length, then strength by platform.yaml `passwords` (zxcvbn score, the person's own login
    name and ID number, published passwords: issue 13, finding 9)."""
    errors = []
    if len(password) < svc.policy("password_min_length"):
        errors.append(
            field_error(svc, form_id, "password", "password_too_short", limit=svc.policy("password_min_length"))
        )
    elif len(password) > svc.policy("password_max_length"):
        errors.append(
            field_error(svc, form_id, "password", "password_too_long", limit=svc.policy("password_max_length"))
        )
    else:
        policy = svc.bundle.platform.get("passwords") or {}
        for code in password_problems(password, policy, personal):
            errors.append(field_error(svc, form_id, "password", code))
    return errors


def personal_values(account: Account) -> dict[str, str | None]:
    """What a password of this account may not contain (policy `passwords.personal`)."""
    return {"login_name": account["login_name"], "id_number": account["id_number"]}


def validate_person(svc: Services, document: Any) -> dict[str, Any]:
    """Every error of a person registration, or the cleaned document (REG-1, REG-2)."""
    form = svc.bundle.forms["person_registration"]
    if not isinstance(document, dict):
        raise validation_error(svc, [field_error(svc, "person_registration", "", "invalid_document")])
    errors: list[Any] = [
        e for e in form.validator.errors(document, svc.bundle.context(today=svc.clock.today())) if e.severity == "error"
    ]
    password = document.get("password")
    if isinstance(password, str) and password and not any(e.path == "/password" for e in errors):
        personal = {
            "login_name": str(document.get("login_name") or ""),
            "id_number": str(document.get("id_number") or ""),
        }
        errors += check_password_policy(svc, "person_registration", password, personal)
    login_name = str(document.get("login_name") or "").strip()
    id_number = str(document.get("id_number") or "").strip().upper()
    if login_name and svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (login_name,)):
        errors.append(field_error(svc, "person_registration", "login_name", "duplicate_login_name"))
    if errors:  # a taken ID number is no error here: create_person tells its owner instead
        raise validation_error(svc, errors)
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in document.items()}
    cleaned["id_number"] = id_number
    return cleaned


def create_person(svc: Services, cleaned: dict[str, Any], password_hash: str) -> str:
    """Insert the confirmed applicant; name and ID number are frozen from now on (REG-3).

    An ID number that already has an account (REG-2) is not inserted, and the answer does not
    say so (issue 13: whether a person is registered is nobody else's business): the owner
    gets a text message instead, and the caller an id that leads nowhere."""
    account_id = uuid.uuid4().hex
    data = {
        k: v for k, v in cleaned.items() if k not in (*PASSWORD_FIELDS, "login_name", "id_number", "name", "mobile")
    }
    with svc.storage.transaction():  # checked again here: another registration may have been confirmed since
        taken = []
        if svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (cleaned["login_name"],)):
            taken.append(field_error(svc, "person_registration", "login_name", "duplicate_login_name"))
        if taken:
            raise validation_error(svc, taken)
        owner = svc.storage.one("SELECT * FROM accounts WHERE id_number = ?", (cleaned["id_number"],))
        if owner is not None:
            if owner["mobile"] and sms_limits.mobile_allows(svc, owner["mobile"]):
                sms_limits.send(svc, owner["mobile"], svc.bundle.text("sms_registration_attempt"))
            return account_id
        svc.storage.insert(
            "accounts",
            {
                "id": account_id,
                "kind": "person",
                "role": "applicant",
                "login_name": cleaned["login_name"],
                "id_number": cleaned["id_number"],
                "name": cleaned["name"],
                "mobile": cleaned.get("mobile"),
                "org_id": None,
                "password_hash": password_hash,
                "data": dumps(data),
                "created_at": iso(svc.clock.now()),
            },
        )
    return account_id


def hold_pending(svc: Services, kind: str, cleaned: dict[str, Any], password_hash: str) -> str:
    """Keep a validated registration until its owner confirms it (REG-3); no password in clear."""
    raw = token()
    kept = {k: v for k, v in cleaned.items() if k not in PASSWORD_FIELDS}
    expires = svc.clock.now() + timedelta(minutes=30)
    with svc.storage.transaction():
        svc.storage.execute("DELETE FROM pending WHERE expires_at < ?", (iso(svc.clock.now()),))
        svc.storage.insert(
            "pending",
            {
                "id_hash": digest(raw),
                "kind": kind,
                "data": dumps({"fields": kept, "password_hash": password_hash}),
                "expires_at": iso(expires),
            },
        )
    return raw


def take_pending(svc: Services, kind: str, raw: str) -> tuple[dict[str, Any], str] | None:
    with svc.storage.transaction():
        row = svc.storage.one("SELECT * FROM pending WHERE id_hash = ? AND kind = ?", (digest(raw), kind))
        if row is None:
            return None
        svc.storage.execute("DELETE FROM pending WHERE id_hash = ?", (row["id_hash"],))
    if parse(row["expires_at"]) < svc.clock.now():
        return None
    data = loads(row["data"], {})
    return data["fields"], data["password_hash"]


# -- login (REG-4, REG-5) ------------------------------------------------------------


@dataclass
class LoginRefused(Exception):
    code: str  # bad_credentials | locked
    retry_after: int = 0
    left: int = 0


def find_account(svc: Services, account_text: str) -> Account | None:
    text = account_text.strip()
    if not text or len(text) > 64:
        return None
    row = svc.storage.one("SELECT * FROM accounts WHERE login_name = ? OR id_number = ?", (text, text.upper()))
    return None if row is None else account_row(row)


def _seconds_left(svc: Services, until: str | None) -> int:
    if not until:
        return 0
    left = (parse(until) - svc.clock.now()).total_seconds()
    return max(0, math.ceil(left))


def address_failures(svc: Services, ip: str) -> int:
    """Wrong passwords (known or unknown account) from `ip` in the lock window. Only attempts
    that solved a captcha are counted, so a bogus request cannot raise it for others."""
    since = iso(svc.clock.now() - timedelta(minutes=svc.policy("lock_minutes")))
    row = svc.storage.one(
        "SELECT COUNT(*) AS n FROM login_attempts WHERE ip = ? AND at > ? AND outcome IN ('bad_password', 'unknown')",
        (ip, since),
    )
    return int(row["n"]) if row else 0


def _lapsed(svc: Services, account: Account) -> bool:
    """A temporary password (HR reset, new staff account) not changed in time works no more."""
    until = account.get("password_expires_at")
    return bool(until) and parse(str(until)) < svc.clock.now()


def login(svc: Services, account_text: str, password: str, ip: str) -> Account:
    """The account when the password is right; LoginRefused otherwise. Blocking (Argon2).

    Called only after a solved captcha. Failures count per account (the REG-5 lock) and per
    address (harder captchas, see runtime.captcha); an address is never refused. An unknown
    account answers exactly like a known one, attempts left and lock included, through a
    counter kept for the typed text (login_ghosts), so answers reveal nobody's account."""
    now = svc.clock.now()
    account = find_account(svc, account_text)
    if account is None:
        verify_password(DUMMY_HASH, password)  # same cost as a real check
        _ghost_failure(svc, account_text, ip)
    locked_for = _seconds_left(svc, account["locked_until"]) if account else 0
    if account is not None and locked_for > 0:
        _record(svc, account["id"], account_text, ip, "locked")
        raise LoginRefused("locked", retry_after=locked_for)
    if account is not None and verify_password(account["password_hash"], password) and not _lapsed(svc, account):
        with svc.storage.transaction():
            svc.storage.execute(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = ?", (account["id"],)
            )
        _record(svc, account["id"], account_text, ip, "ok")
        return account
    assert account is not None
    limit = svc.policy("lock_after_failures")
    with svc.storage.transaction():
        current = svc.storage.one("SELECT failed_logins, locked_until FROM accounts WHERE id = ?", (account["id"],))
        if current and _seconds_left(svc, current["locked_until"]) > 0:
            # a concurrent attempt locked it meanwhile: this one does not extend the lock
            raise LoginRefused("locked", retry_after=_seconds_left(svc, current["locked_until"]))
        failures = int(current["failed_logins"] if current else 0) + 1
        locked = _count_failure(svc, "accounts", "id", account["id"], failures, now)
    _record(svc, account["id"], account_text, ip, "bad_password")
    if locked:
        raise LoginRefused("locked", retry_after=svc.policy("lock_minutes") * 60)
    raise LoginRefused("bad_credentials", left=limit - failures)


def _count_failure(svc: Services, table: str, key: str, value: str, failures: int, now: Any) -> bool:
    """Store one more failure; at the limit, lock for lock_minutes with a fresh count. True if locked."""
    if failures >= svc.policy("lock_after_failures"):
        until = iso(now + timedelta(minutes=svc.policy("lock_minutes")))
        svc.storage.execute(f"UPDATE {table} SET failed_logins = 0, locked_until = ? WHERE {key} = ?", (until, value))
        return True
    svc.storage.execute(f"UPDATE {table} SET failed_logins = ? WHERE {key} = ?", (failures, value))
    return False


def _ghost_failure(svc: Services, account_text: str, ip: str) -> None:
    """The REG-5 counter and lock of a login text that names no account; raises like login()."""
    now = svc.clock.now()
    text = account_text.strip()[:64]
    with svc.storage.transaction():
        svc.storage.execute(
            "DELETE FROM login_ghosts WHERE touched_at < ?",
            (iso(now - timedelta(days=svc.policy("unknown_login_memory_days"))),),
        )
        row = svc.storage.one("SELECT * FROM login_ghosts WHERE account_text = ?", (text,))
        if row is None:
            svc.storage.insert(
                "login_ghosts", {"account_text": text, "failed_logins": 0, "locked_until": None, "touched_at": iso(now)}
            )
            row = {"failed_logins": 0, "locked_until": None}
        svc.storage.execute("UPDATE login_ghosts SET touched_at = ? WHERE account_text = ?", (iso(now), text))
        locked_for = _seconds_left(svc, row["locked_until"])
        _record(svc, None, account_text, ip, "locked" if locked_for > 0 else "unknown")
        failures = int(row["failed_logins"]) + 1
        locked = locked_for == 0 and _count_failure(svc, "login_ghosts", "account_text", text, failures, now)
    if locked_for > 0:  # raised outside the transaction, which would roll back the record
        raise LoginRefused("locked", retry_after=locked_for)
    if locked:
        raise LoginRefused("locked", retry_after=svc.policy("lock_minutes") * 60)
    raise LoginRefused("bad_credentials", left=svc.policy("lock_after_failures") - failures)


def record_bad_captcha(svc: Services, account_text: str, ip: str) -> None:
    """A refused captcha is logged, and counts for nothing: anyone can send one (REG-5)."""
    _record(svc, None, account_text, ip, "bad_captcha")


def _record(svc: Services, account_id: str | None, account_text: str, ip: str, outcome: str) -> None:
    with svc.storage.transaction():
        svc.storage.insert(
            "login_attempts",
            {
                "account_id": account_id,
                "account_text": account_text[:64],
                "ip": ip,
                "at": iso(svc.clock.now()),
                "outcome": outcome,
            },
        )


def refusal_error(svc: Services, refused: LoginRefused) -> HttpError:
    if refused.code == "locked":
        minutes = max(1, math.ceil(refused.retry_after / 60))
        return HttpError(
            423,
            "locked",
            svc.bundle.text("account_locked", minutes=minutes),
            headers={"Retry-After": str(refused.retry_after)},
            extra={"retry_after": refused.retry_after},
        )
    message = (
        svc.bundle.text("wrong_password", left=refused.left) if refused.left else svc.bundle.text("bad_credentials")
    )
    return HttpError(401, "bad_credentials", message)


def correct_name(svc: Services, actor: Account, person_id: str, name: str, reason: str) -> Account:
    """REG-3: the one way a confirmed name changes; old and new name go to the audit log."""
    person = (
        svc.storage.one("SELECT * FROM accounts WHERE id = ? AND kind = 'person'", (person_id,))
        if len(person_id) <= 64
        else None
    )
    if person is None:
        raise HttpError(404, "not_found", svc.bundle.text("not_found"))
    name = name.strip()
    form = svc.bundle.forms["person_registration"]
    document = {**loads(person["data"], {}), "id_number": person["id_number"], "name": name}
    errors = [
        e
        for e in form.validator.errors(document, svc.bundle.context(today=svc.clock.today()))
        if e.path == "/name" and e.severity == "error"
    ]
    if errors:
        raise validation_error(svc, errors)
    with svc.storage.transaction():
        svc.storage.execute("UPDATE accounts SET name = ? WHERE id = ?", (name, person["id"]))
        # the HR authority of the unit the person last declared with sees the correction
        unit = svc.storage.one(
            "SELECT o.region FROM declarations d JOIN organisations o ON o.id = d.unit_id"
            " WHERE d.person_id = ? ORDER BY d.created_at DESC LIMIT 1",
            (person["id"],),
        )
        audit(
            svc,
            actor["id"],
            "name_corrected",
            person["id"],
            {"old": person["name"], "new": name, "reason": reason[:200]},
            region=unit["region"] if unit else None,
        )
    fresh = svc.storage.account(person["id"])
    assert fresh is not None
    return fresh


def audit(
    svc: Services, actor_id: str | None, action: str, target: str, detail: dict[str, Any], region: str | None = None
) -> None:
    """One audit entry naming the person who acted and their organisation, as they were then
    (issue 13, finding 11), and the region it concerns (the HR audit page is scoped by it): the
    one given, else the actor's organisation's, else the target organisation's."""
    actor = svc.storage.account(actor_id) if actor_id else None
    org = svc.storage.organisation(actor["org_id"]) if actor and actor["org_id"] else None
    if region is None and org is not None and "support" not in loads(org["kinds"], []):
        region = org["region"]
    if region is None:
        target_org = svc.storage.organisation(target) if target and len(target) <= 64 else None
        region = target_org["region"] if target_org else (org["region"] if org else None)
    svc.storage.insert(
        "audit",
        {
            "actor_id": actor_id,
            "actor_name": person_label(actor) if actor else None,
            "actor_org_id": org["id"] if org else None,
            "region": region,
            "action": action,
            "target": target,
            "detail": dumps(detail),
            "at": iso(svc.clock.now()),
        },
    )


def person_label(account: Account) -> str:
    """The person behind an account: an applicant's or staff member's name; for the account
    that registered a unit (named after the unit), the contact person it gave."""
    contact = str(loads(account["data"], {}).get("contact") or "")
    if account["kind"] == "organisation" and contact and not account.get("created_by"):
        return contact
    return account["name"]


def public_account(svc: Services, account: Account) -> dict[str, Any]:
    """What GET /me shows: the registration fields, never the password."""
    data = loads(account["data"], {})
    return {
        "id": account["id"],
        "role": account["role"],
        "login_name": account["login_name"],
        "id_number": account["id_number"],
        "name": account["name"],
        "mobile": account["mobile"],
        "org_id": account["org_id"],
        "commitment_version": account["commitment_version"],
        "commitment_at": account["commitment_at"],
        **data,
    }
