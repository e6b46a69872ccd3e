"""Named persons inside an organisation (issue 13, finding 11).

An organisation used to act through one shared account, so the audit could only say "the unit"
did it. Its admin (the account that registered it, `org_admin`) now creates an account per
person: login name, name, mobile and a role that platform.yaml `roles` allows for the
organisation's kinds. The person gets a one-time password by SMS to their own mobile (the admin
never sees it), must change it at the first login, and from then on every action, history and
audit entry carries that person's name and the organisation.
"""

from __future__ import annotations

import uuid
from typing import Any

from runtime.accounts import accounts, password_change
from runtime.clock import iso
from runtime.storage.rows import Account
from runtime.units.units import account_org, kinds
from runtime.web.http import HttpError, Services
from runtime.web.security import hash_password, token

# Roles that are never staff of an organisation: applicants, platform support, pool experts.
NOT_STAFF = ("applicant", "support", "expert")


def staff_roles(svc: Services, account: Account) -> list[str]:
    """The roles platform.yaml allows for the caller's organisation kinds."""
    org_kinds = set(kinds(account_org(svc, account)))
    roles = svc.bundle.platform.get("roles") or {}
    return [
        r for r, spec in roles.items() if r not in NOT_STAFF and org_kinds & set((spec or {}).get("org_kinds") or [])
    ]


def is_admin(svc: Services, account: Account) -> bool:
    """The marked admin; in an organisation with none marked (accounts made before admins
    existed), its first account."""
    if account.get("org_admin"):
        return True
    if account["kind"] != "organisation" or not account["org_id"] or account.get("created_by"):
        return False
    first = svc.storage.one(
        "SELECT id FROM accounts WHERE org_id = ? ORDER BY org_admin DESC, created_at, id LIMIT 1", (account["org_id"],)
    )
    return bool(first and first["id"] == account["id"])


def _admin(svc: Services, account: Account) -> None:
    account_org(svc, account)
    if not is_admin(svc, account):
        raise HttpError(403, "staff_only_admin", svc.bundle.text("staff_only_admin"))


def list_staff(svc: Services, account: Account) -> list[dict[str, Any]]:
    _admin(svc, account)
    rows = svc.storage.all(
        "SELECT id, login_name, name, mobile, role, org_admin, created_at FROM accounts"
        " WHERE org_id = ? AND kind = 'organisation' ORDER BY created_at, id",
        (account["org_id"],),
    )
    titles = svc.bundle.platform["roles"]
    return [
        {
            **r,
            "mobile": password_change.mask(r["mobile"] or ""),
            "org_admin": bool(r["org_admin"]),
            "role_title": (titles.get(r["role"]) or {}).get("title", r["role"]),
        }
        for r in rows
    ]


def _field_errors(svc: Services, form_id: str, values: dict[str, str]) -> list[Any]:
    """The errors a registration form finds in these fields alone (login name, mobile, name)."""
    form = svc.bundle.forms[form_id]
    found = form.validator.errors(values, svc.bundle.context(today=svc.clock.today()))
    return [e for e in found if e.severity == "error" and e.path.strip("/") in values]


def create_staff(svc: Services, account: Account, document: Any) -> dict[str, Any]:
    """A named account in the admin's organisation; its first password goes by SMS."""
    _admin(svc, account)
    if not isinstance(document, dict):
        raise HttpError(422, "invalid_document", svc.bundle.text("invalid_document"))
    values = {k: str(document.get(k) or "").strip() for k in ("login_name", "name", "mobile", "role")}
    errors: list[Any] = _field_errors(svc, "unit_registration", {"login_name": values["login_name"]})
    errors += _field_errors(svc, "unit_registration", {"mobile": values["mobile"]})
    errors += _field_errors(svc, "person_registration", {"name": values["name"]})
    if values["role"] not in staff_roles(svc, account):
        errors.append({"path": "/role", "code": "staff_role_invalid", "message": svc.bundle.text("staff_role_invalid")})
    if svc.storage.one("SELECT 1 AS x FROM accounts WHERE login_name = ?", (values["login_name"],)):
        errors.append(accounts.field_error(svc, "unit_registration", "login_name", "duplicate_login_name"))
    if errors:
        raise accounts.validation_error(svc, errors)
    account_id = uuid.uuid4().hex
    with svc.storage.transaction():
        svc.storage.insert(
            "accounts",
            {
                "id": account_id,
                "kind": "organisation",
                "role": values["role"],
                "login_name": values["login_name"],
                "id_number": None,
                "name": values["name"],
                "mobile": values["mobile"],
                "org_id": account["org_id"],
                "password_hash": hash_password(token()),  # replaced by the one-time password below
                "data": "{}",
                "created_at": iso(svc.clock.now()),
                "org_admin": 0,
                "created_by": account["id"],
            },
        )
    created = svc.storage.account(account_id)
    assert created is not None
    org = account_org(svc, account)
    password_change.send_temporary_password(svc, account, created, org["name"], "staff_created")
    return {"id": account_id, "login_name": values["login_name"], "name": values["name"], "role": values["role"]}
