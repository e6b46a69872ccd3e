"""What the runtime may ask of a storage backend, whichever it is.

SQL is written once, portable, with SQLite's `?` placeholders; rows come back as dicts; every
user action is one `with storage.transaction():` that commits together or not at all, and
writers queue one after the other on both backends (so read-check-write inside an action is
safe). Columns keep SQLite's types on both: ISO text timestamps, INTEGER flags, JSON as TEXT.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from runtime.storage.rows import Account, Declaration, Organisation, account_row, declaration_row, organisation_row


class StorageUnavailable(RuntimeError):
    """The database cannot be reached or used now: one line for the operator, 503 for a request."""


class Database(Protocol):
    backend: str  # "sqlite" | "postgresql"

    def transaction(self) -> AbstractContextManager[Any]: ...
    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None: ...
    def all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]: ...
    def execute(self, sql: str, params: Any = ()) -> int: ...
    def insert(self, table: str, row: dict[str, Any]) -> None: ...
    def tables(self) -> list[str]: ...
    def script(self, sql: str) -> None: ...
    def close(self) -> None: ...
    def account(self, account_id: str) -> Account | None: ...
    def organisation(self, org_id: str) -> Organisation | None: ...
    def declaration(self, declaration_id: str) -> Declaration | None: ...


class TypedLookups:
    """The typed row lookups every backend offers, written once over `one`."""

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        raise NotImplementedError

    def account(self, account_id: str) -> Account | None:
        row = self.one("SELECT * FROM accounts WHERE id = ?", (account_id,))
        return None if row is None else account_row(row)

    def organisation(self, org_id: str) -> Organisation | None:
        row = self.one("SELECT * FROM organisations WHERE id = ?", (org_id,))
        return None if row is None else organisation_row(row)

    def declaration(self, declaration_id: str) -> Declaration | None:
        row = self.one("SELECT * FROM declarations WHERE id = ?", (declaration_id,))
        return None if row is None else declaration_row(row)
