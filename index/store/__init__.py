"""Storage: the interface the library uses (`base`) and its backends (`sqlite`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from index.store.base import Store
from index.store.sqlite import SQLiteStore


@asynccontextmanager
async def open_store(location: str | Path) -> AsyncIterator[Store]:
    """Open (creating and migrating if needed) the store at `location`, a database file."""
    async with SQLiteStore.open(location) as store:
        yield store


__all__ = ["SQLiteStore", "Store", "open_store"]
