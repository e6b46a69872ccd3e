"""The review-chain world (tests/runtime/chain_fixtures.py): a real app on a real SQLite file with
the authorities of platform.yaml."""

from chain_fixtures import world

__all__ = ["world"]
