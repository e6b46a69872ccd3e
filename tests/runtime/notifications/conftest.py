"""The review-chain world (tests/runtime/chain_fixtures.py): a real app on a real database with
the authorities of platform.yaml; notification_helpers.py reads notices back."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from chain_fixtures import world

__all__ = ["world"]
