"""Shared by every runtime test package: the clock frozen inside the notice window. The shared
helpers live in runtime_support.py, importable from every package's tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from runtime_support import frozen_clock

from runtime.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return frozen_clock()
