"""Storage: one interface (interface.py), one module per backend. SQLite (sqlite.py) is the
embedded default; PostgreSQL (postgres.py) serves a province; a database URL chooses."""

from pathlib import Path

from runtime.storage.interface import Database, StorageUnavailable
from runtime.storage.migrations import SchemaTooNew
from runtime.storage.sqlite import Storage, dumps, loads

__all__ = ["Database", "SchemaTooNew", "Storage", "StorageUnavailable", "dumps", "loads", "open_storage"]


def open_storage(database: str | Path) -> Database:
    """A PostgreSQL URL (postgresql://…) or the path of an SQLite file."""
    text = str(database)
    if text.startswith(("postgresql://", "postgres://")):
        from runtime.storage.postgres import PostgresStorage

        return PostgresStorage(text)
    if "://" in text:
        scheme = text.split("://")[0]
        raise StorageUnavailable(f"unsupported database URL {scheme}://…: use postgresql:// or a file path")
    return Storage(Path(text))
