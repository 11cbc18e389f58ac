"""Storage: the interface the library uses (`base`) and its backends: SQLite (a file, the
default) and PostgreSQL (a `postgresql://` URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from index.store.base import Store
from index.store.community import CommunityStore
from index.store.postgres import PostgresStore
from index.store.postgres_schema import is_postgres
from index.store.sqlite import SQLiteStore


@asynccontextmanager
async def open_store(
    location: str | Path, *, create: bool = True, writable: bool = True
) -> AsyncIterator[CommunityStore]:
    """Open (migrating if needed) the store at `location`: a `postgresql://` URL, or else a
    database file. A missing library is created if `create`, else a NotFoundError. A caller
    that only reads passes `writable=False` and gets a read-only SQLite store where the
    process may not write to the file."""
    if is_postgres(location):
        async with PostgresStore.open(str(location), create=create) as postgres:
            yield postgres
        return
    async with SQLiteStore.open(location, create=create, writable=writable) as sqlite:
        yield sqlite


__all__ = ["CommunityStore", "PostgresStore", "SQLiteStore", "Store", "is_postgres", "open_store"]
