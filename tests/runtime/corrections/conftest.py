"""The review-chain world (tests/runtime/chain_fixtures.py), and the notification test helpers."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "notifications"))

from chain_fixtures import world

__all__ = ["world"]
