"""Storage: the interface the library uses (`base.Store`) and its backends (`sqlite`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from index.store.base import PostingsBatch, Store
from index.store.records import (
    ArticleInfo,
    FeedInfo,
    NewArticle,
    NewPassage,
    StoredArticle,
    StoredPassage,
)
from index.store.sqlite import SQLiteStore


@asynccontextmanager
async def open_store(location: str | Path) -> AsyncIterator[Store]:
    """Open (creating and migrating if needed) the store at `location`, a database file."""
    async with SQLiteStore.open(location) as store:
        yield store


__all__ = [
    "ArticleInfo",
    "FeedInfo",
    "NewArticle",
    "NewPassage",
    "PostingsBatch",
    "SQLiteStore",
    "Store",
    "StoredArticle",
    "StoredPassage",
    "open_store",
]
