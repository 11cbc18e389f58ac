"""The collections' in-memory indexes: loaded from the store on first use, kept in step."""

import asyncio
from pathlib import Path

import numpy as np

from index.bm25 import BM25Params
from index.indexes import Indexes
from index.store import SQLiteStore
from index.store.base import NewArticle, NewPassage


def _passage(term_ids: list[int]) -> NewPassage:
    ones = np.ones(len(term_ids), np.int32)
    return NewPassage(0, 5, [(0, 5)], np.array(term_ids, np.int32), ones)


async def _insert(store: SQLiteStore, collection: str, text: str, term_ids: list[int]) -> int:
    article = NewArticle(collection=collection, title=None, text=text, content_hash=text)
    written = await store.insert_article(article, [_passage(term_ids)], [])
    return written.passage_ids[0]


async def test_a_collection_is_loaded_from_the_store_on_first_use(tmp_path: Path) -> None:
    """The first `get` reads the collection's stored terms; other collections stay out."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        mine = await _insert(store, "a", "ships", [1, 2])
        await _insert(store, "b", "boats", [1, 3])
        indexes = Indexes(BM25Params(), store, asyncio.Lock())
        loaded = await indexes.get("a")
        hits = await loaded.run(lambda index: index.search({1: 1}, 5))
    assert len(loaded.index) == 1
    assert [hit.doc_id for hit in hits] == [mine]
    assert await indexes.get("a") is loaded


async def test_changes_reach_a_loaded_collection_and_wait_for_an_unloaded_one(
    tmp_path: Path,
) -> None:
    """`apply` updates a loaded index; an unloaded one reads the change when first used."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        indexes = Indexes(BM25Params(), store, asyncio.Lock())
        loaded = await indexes.get("a")
        first = await _insert(store, "a", "ships", [1])
        await indexes.apply("a", [], [first], [_passage([1])])
        second = await _insert(store, "b", "boats", [1])
        await indexes.apply("b", [], [second], [_passage([1])])  # not loaded: nothing to do
        await indexes.apply("a", [first], [], [])
        later = await indexes.get("b")
    assert len(loaded.index) == 0
    assert len(later.index) == 1
