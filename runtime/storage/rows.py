"""Typed rows of the tables that travel between packages, so that mypy checks column names.

They are TypedDicts, not classes: a row read by `Storage.one` is already a dict with these keys,
and `account_row` & co. only say so at the edge where the row is read (`SELECT *`). A table that
gains a column gains a key here; a column read that does not exist is a type error.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast


class Account(TypedDict):
    id: str
    kind: str  # person | organisation
    role: str
    login_name: str
    id_number: str | None
    name: str
    mobile: str | None
    org_id: str | None
    password_hash: str
    data: str  # JSON: the other registration fields
    failed_logins: int
    locked_until: str | None
    commitment_version: str | None
    commitment_at: str | None
    totp_secret: str | None
    totp_last_step: int | None
    created_at: str
    must_change_password: int  # an HR reset's temporary password: change it before anything else
    password_expires_at: str | None
    org_admin: int  # manages the organisation's named staff accounts (issue 13, finding 11)
    created_by: str | None


class Organisation(TypedDict):
    id: str
    name: str
    kinds: str  # JSON list of organisation kinds of platform.yaml
    region: str
    supervisor_id: str | None
    uscc: str | None
    authority: int
    permitted: int
    data: str
    created_at: str
    name_key: str | None  # the name normalised for the duplicate check (UNIT-4)


class Declaration(TypedDict):
    id: str
    person_id: str
    notice_id: str
    year: int
    schema_hash: str
    state: str
    holder_org_id: str | None
    unit_id: str | None
    series: str | None
    level: str | None
    chain: str  # JSON list of organisation ids, unit first
    reached: int
    state_since: str | None
    reopened: str | None
    certificate_no: str | None
    created_at: str
    updated_at: str
    version: int  # raised by every change: the ETag / If-Match of issue 13


def account_row(row: dict[str, Any]) -> Account:
    """A row of `SELECT * FROM accounts`."""
    return cast(Account, row)


def organisation_row(row: dict[str, Any]) -> Organisation:
    """A row of `SELECT * FROM organisations`."""
    return cast(Organisation, row)


def declaration_row(row: dict[str, Any]) -> Declaration:
    """A row of `SELECT * FROM declarations`."""
    return cast(Declaration, row)
