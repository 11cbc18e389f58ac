"""Tests for importing the library (`index/__init__.py`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: import the library, then keep 10,000 new lists (what a process's first
# work leaves), and count the full collections that this ran.
_AFTER_IMPORT = """
import gc
import index
before = gc.get_stats()[2]["collections"]
kept = [[i] for i in range(10_000)]
print(gc.get_stats()[2]["collections"] - before)
"""


def test_importing_the_library_leaves_no_full_collection_owed() -> None:
    """The first full garbage collection after the imports, which follows all their objects,
    is run at import: the first work after it runs none (it ran one before)."""
    done = subprocess.run(
        [sys.executable, "-c", _AFTER_IMPORT], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "0"


def test_importing_the_library_loads_neither_aiohttp_nor_asyncpg() -> None:
    """What only reads a SQLite library loads no HTTP client and no PostgreSQL driver: they are
    imported when a link is fetched or a PostgreSQL library opened."""
    code = "import sys, index; print(sorted({'aiohttp', 'asyncpg'} & sys.modules.keys()))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
