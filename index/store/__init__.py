"""Storage: the interface the library uses (`base`) and its backends (`sqlite`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from index.store.base import Store
from index.store.sqlite import SQLiteStore


@asynccontextmanager
async def open_store(
    location: str | Path, *, create: bool = True, writable: bool = True
) -> AsyncIterator[Store]:
    """Open (migrating if needed) the store at `location`, a database file; a missing one is
    created if `create`, else a NotFoundError. A caller that only reads passes `writable=False`
    and gets a read-only store where the process may not write."""
    async with SQLiteStore.open(location, create=create, writable=writable) as store:
        yield store


__all__ = ["SQLiteStore", "Store", "open_store"]
