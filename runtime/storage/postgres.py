"""PostgreSQL backend: the same interface and semantics as the SQLite one, for a whole province.

psycopg 3 with a psycopg-pool connection pool. The runtime writes portable SQL with `?`
placeholders (SQLite's); they become `%s` here. Every user action is one transaction that first
takes one transaction-level advisory lock, so writers queue exactly as they do behind SQLite's
BEGIN IMMEDIATE: the read-check-write steps inside an action (a login name still free, a state
still the expected one) stay race-free without rewriting them for MVCC. Statements outside an
action run in autocommit on any pooled connection.

Lost connections (server restarted, network gone) surface as StorageUnavailable, which the app
answers with 503; the pool checks a connection before lending it, so the next request after a
restart works again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, cast

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from runtime.storage.interface import StorageUnavailable, TypedLookups
from runtime.storage.migrations import POSTGRES_MIGRATIONS, apply_migrations
from runtime.storage.sqlite import dumps

# The one advisory lock key every write transaction takes (any fixed number works; this one
# spells "zhicheng" in ASCII so it is recognisable in pg_locks).
WRITE_LOCK = 0x7A68696368656E67
MIGRATION_LOCK = WRITE_LOCK + 1

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\bIS\s+\?|\?|%", re.IGNORECASE)


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """SQLite placeholders to psycopg's: `?` → `%s`, every `%` → `%%`; `?` in quoted text untouched.
    SQLite's null-safe `x IS ?` is spelled `IS NOT DISTINCT FROM` here."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.endswith("?") and len(token) > 1:
            return "IS NOT DISTINCT FROM %s"
        if token == "?":
            return "%s"
        return token.replace("%", "%%")  # psycopg reads % even inside quoted text

    return _TOKEN.sub(one, sql)


def _params(params: Sequence[Any] | dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
    """SQLite stores True as 1; PostgreSQL's INTEGER columns refuse a boolean, so send 1/0."""
    if isinstance(params, dict):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return [int(v) if isinstance(v, bool) else v for v in params]


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PostgresStorage(TypedLookups):
    backend = "postgresql"

    def __init__(self, url: str, *, max_connections: int = 8, connect_timeout: float = 5.0) -> None:
        self.url = url
        self._local = threading.local()
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise StorageUnavailable(f"not a valid PostgreSQL URL {redact(url)}: {_first_line(exc)}") from None
        try:  # one plain connection first: its error says why (refused, no such database, password)
            psycopg.connect(url, connect_timeout=int(connect_timeout)).close()
        except psycopg.Error as exc:
            raise StorageUnavailable(f"cannot reach the database at {redact(url)}: {_first_line(exc)}") from None
        self.pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": int(connect_timeout)},
            check=psycopg_pool.ConnectionPool.check_connection,
            timeout=connect_timeout,
            # a lost server is retried for a few seconds, then the next request starts afresh
            reconnect_timeout=connect_timeout,
            open=False,
            name="zhicheng",
        )
        try:
            self.pool.open(wait=True, timeout=connect_timeout)
        except psycopg_pool.PoolTimeout as exc:
            self.pool.close()
            raise StorageUnavailable(f"cannot reach the database at {redact(url)}: {_first_line(exc)}") from None
        self.migrate()

    # -- schema ----------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the database to this program's schema version; N servers starting at once
        take turns on an advisory lock, and only the first one has anything to do."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            apply_migrations(_PostgresScript(conn), POSTGRES_MIGRATIONS)

    def script(self, sql: str) -> None:
        """Idempotent DDL of a capability's own tables, written for SQLite: its one dialect
        difference in such scripts, an AUTOINCREMENT key, becomes an identity column."""
        ddl = re.sub(r"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY", sql, flags=re.IGNORECASE)
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(ddl)

    def tables(self) -> list[str]:
        rows = self.all("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        return [r["name"] for r in rows]

    # -- connections -----------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        held: psycopg.Connection[dict[str, Any]] | None = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        try:
            with self.pool.connection() as conn:
                yield cast("psycopg.Connection[dict[str, Any]]", conn)  # dict_row, set on the pool
        except psycopg_pool.PoolTimeout as exc:
            raise StorageUnavailable(f"database unavailable: {_reason(exc)}") from None
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"database unavailable: {_reason(exc)}") from None

    @contextmanager
    def transaction(self) -> Iterator[PostgresStorage]:
        """One user action: everything inside commits together or not at all."""
        if getattr(self._local, "conn", None) is not None:  # nested: join the outer action
            yield self
            return
        with self._connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield self
            finally:
                self._local.conn = None

    def _run(self, sql: str, params: Sequence[Any] | dict[str, Any], fetch: str) -> Any:
        with self._connection() as conn:
            if params:
                cursor = conn.execute(translate(sql), _params(params))
            else:
                cursor = conn.execute(sql)
            if fetch == "one":
                return cursor.fetchone()
            if fetch == "all":
                return cursor.fetchall()
            return cursor.rowcount

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._run(sql, params, "one")
        return found

    def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._run(sql, params, "all")
        return found

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        count: int = self._run(sql, params, "count")
        return count

    def insert(self, table: str, row: dict[str, Any]) -> None:
        columns = list(row)
        values = [dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        self.execute(sql, values)

    def close(self) -> None:
        self.pool.close(timeout=2)


class _PostgresScript:
    """What apply_migrations needs from a connection: run a script, read one value."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self.conn = conn

    def script(self, sql: str) -> None:
        self.conn.execute(sql)

    def value(self, sql: str) -> Any:
        row = self.conn.execute(sql).fetchone()
        return None if row is None else next(iter(row.values()))

    def has_table(self, name: str) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s) AS found", (name,)).fetchone()
        return row is not None and row["found"] is not None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _reason(exc: BaseException) -> str:
    """The pool says 'couldn't get a connection'; the psycopg error behind it says why."""
    cause = exc.__cause__ or exc.__context__
    return _first_line(cause if isinstance(cause, psycopg.Error) else exc)
