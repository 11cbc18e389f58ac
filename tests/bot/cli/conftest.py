"""Fixtures for the command line's tests."""

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the test's library lives."""
    return tmp_path / "lib.db"
