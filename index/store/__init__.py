"""Storage: the interface the library uses (`base`) and its backends: SQLite (a file, the
default) and PostgreSQL (a `postgresql://` URL; `index.store.postgres`, imported when one is
opened, so that a SQLite library never loads asyncpg)."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from index.store.base import Store
from index.store.community import CommunityStore
from index.store.sqlite import SQLiteStore


def is_postgres(location: object) -> bool:
    """Whether a --db value names a PostgreSQL database (a postgresql:// URL)."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


@asynccontextmanager
async def open_store(
    location: str | Path, *, create: bool = True, writable: bool = True
) -> AsyncIterator[CommunityStore]:
    """Open (migrating if needed) the store at `location`: a `postgresql://` URL, or else a
    database file. A missing library is created if `create`, else a NotFoundError. A caller
    that only reads passes `writable=False` and gets a read-only SQLite store where the
    process may not write to the file."""
    if is_postgres(location):  # asyncpg loaded in a thread: 40 ms the event loop does not wait
        postgres_module = await asyncio.to_thread(importlib.import_module, "index.store.postgres")
        async with postgres_module.PostgresStore.open(str(location), create=create) as postgres:
            yield postgres
        return
    async with SQLiteStore.open(location, create=create, writable=writable) as sqlite:
        yield sqlite


__all__ = ["CommunityStore", "SQLiteStore", "Store", "is_postgres", "open_store"]
