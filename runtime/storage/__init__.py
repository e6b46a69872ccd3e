"""Storage: one interface, one module per backend. SQLite (sqlite.py) is the embedded default."""

from runtime.storage.sqlite import Storage, dumps, loads

__all__ = ["Storage", "dumps", "loads"]
