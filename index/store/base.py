"""The store interface: everything the library asks of a database, whatever the backend.

SQL lives in the backends (`sqlite.py`); the library sees only this protocol and the records of
`records.py`. Writes that belong together are one transaction inside a backend's method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Protocol

from index.store.records import (
    ArticleInfo,
    FeedInfo,
    NewArticle,
    NewPassage,
    StoredArticle,
    StoredPassage,
)

PostingsBatch = tuple[list[int], list[bytes], list[bytes]]  # passage ids, term ids, term counts


class Store(Protocol):
    """A database of articles, their passages (with terms), the vocabulary and feeds."""

    path: Path

    async def get_meta(self, key: str) -> str | None: ...

    async def load_vocabulary(self) -> dict[str, int]: ...

    # --- articles ------------------------------------------------------------------------

    async def find_by_hash(self, collection: str, content_hash: str) -> ArticleInfo | None: ...

    async def find_by_url(self, collection: str, url: str) -> ArticleInfo | None: ...

    async def insert_article(
        self,
        article: NewArticle,
        passages: Sequence[NewPassage],
        new_terms: Sequence[tuple[int, str]],
    ) -> tuple[ArticleInfo, list[int]]:
        """Write an article, its passages and new terms at once; its passages' ids, in order."""
        ...

    async def replace_article(
        self,
        article_id: int,
        article: NewArticle,
        passages: Sequence[NewPassage],
        new_terms: Sequence[tuple[int, str]],
    ) -> tuple[ArticleInfo, list[int], list[int]]:
        """Replace an article's text and passages at once; its old and new passage ids."""
        ...

    async def delete_article(
        self, collection: str, article_id: int
    ) -> tuple[ArticleInfo, list[int]]:
        """Delete an article and its passages; it and the deleted passage ids."""
        ...

    async def get_article(self, collection: str, article_id: int) -> ArticleInfo: ...

    async def get_text(self, article_id: int) -> str: ...

    async def list_articles(self, collection: str) -> list[ArticleInfo]: ...

    # --- feeds ---------------------------------------------------------------------------

    async def add_feed(
        self, collection: str, url: str, title: str | None, added_by: str | None
    ) -> FeedInfo: ...

    async def list_feeds(self, collection: str | None = None) -> list[FeedInfo]: ...

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo: ...

    async def seen_entries(self, feed_id: int) -> set[str]: ...

    async def record_entry(
        self,
        feed_id: int,
        key: str,
        url: str | None,
        article_id: int | None,
        error: str | None,
    ) -> None: ...

    async def record_poll(self, feed_id: int, title: str | None, error: str | None) -> None: ...

    # --- passages ------------------------------------------------------------------------

    def load_postings(self, collection: str) -> AsyncIterator[PostingsBatch]:
        """Every passage of a collection, in batches (to keep start-up's memory peak low)."""
        ...

    async def get_passages(
        self, collection: str, ids: Sequence[int]
    ) -> dict[int, StoredPassage]: ...

    def iter_articles(self) -> AsyncIterator[StoredArticle]: ...

    async def replace_index(
        self,
        settings: dict[str, str],
        terms: Sequence[tuple[int, str]],
        passages: Sequence[tuple[int, str, Sequence[NewPassage]]],
    ) -> None:
        """Replace every passage and the whole vocabulary (a settings change), atomically."""
        ...
