"""Shared fixtures; also makes the repository root importable under pytest's entry point."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from golden import compile_case  # noqa: E402

from generator.compiler import Result, compile_schemas  # noqa: E402
from generator.model import Model  # noqa: E402


@pytest.fixture(scope="session")
def compiled_case(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Result]:
    """compile_case(name), once per case for the whole session."""
    results: dict[str, Result] = {}

    def compiled(name: str) -> Result:
        if name not in results:
            results[name] = compile_case(name, tmp_path_factory.mktemp(name))
        return results[name]

    return compiled


@pytest.fixture(scope="session")
def repository() -> Result:
    """The repository's own schemas/, compiled once."""
    result = compile_schemas(ROOT / "schemas")
    assert result.ok, result.report.render()
    return result


@pytest.fixture(scope="session")
def model(repository: Result) -> Model:
    assert repository.model is not None
    return repository.model
