"""The collections' in-memory BM25 indexes: loaded from the stored terms on first use, then
kept in step with every write this process commits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from index.bm25 import BM25Params
from index.postings import PassageIndex
from index.store.base import NewPassage, PostingsBatch, Store

T = TypeVar("T")


class _Loaded:
    """A collection's index, guarded by a thread lock (it is used from worker threads)."""

    def __init__(self, index: PassageIndex) -> None:
        self.index = index
        self.lock = threading.Lock()

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(index, *args)` in a worker thread, holding the lock."""
        return await asyncio.to_thread(self.call, fn, *args)

    def call(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(index, *args)` in this thread (never the event loop's), holding the lock."""
        with self.lock:
            return fn(self.index, *args)


class Indexes:
    """One `PassageIndex` per collection; a search never crosses collections.

    `lock` must be held while a write is committed and applied (the library's write lock), so
    that no write slips between loading a collection and registering it.
    """

    def __init__(self, params: BM25Params, store: Store, lock: asyncio.Lock) -> None:
        self._params = params
        self._store = store
        self._lock = lock
        self._loaded: dict[str, _Loaded] = {}

    async def get(self, collection: str) -> _Loaded:
        """The collection's index, loaded from the store on first use."""
        loaded = self._loaded.get(collection)
        if loaded is not None:
            return loaded
        async with self._lock:
            loaded = self._loaded.get(collection)
            if loaded is None:
                index = PassageIndex(self._params)
                async for batch in self._store.load_postings(collection):
                    await asyncio.to_thread(_load, index, batch)
                loaded = self._loaded[collection] = _Loaded(index)
        return loaded

    async def apply(
        self,
        collection: str,
        removed: Sequence[int],
        added: Sequence[int],
        passages: Sequence[NewPassage],
    ) -> None:
        """Apply a committed change to the collection's index, if it is loaded."""
        loaded = self._loaded.get(collection)
        if loaded is not None:
            await loaded.run(_apply, removed, added, passages)


def _load(index: PassageIndex, batch: PostingsBatch) -> None:
    """Load a batch of stored passages (batches keep the memory peak of start-up low)."""
    ids, term_blobs, freqs = batch
    index.load(
        ids,
        [np.frombuffer(b, dtype="<i4") for b in term_blobs],
        [np.frombuffer(b, dtype="<i4") for b in freqs],
    )


def _apply(
    index: PassageIndex,
    removed: Sequence[int],
    added: Sequence[int],
    passages: Sequence[NewPassage],
) -> None:
    index.remove(removed)
    for passage_id, passage in zip(added, passages, strict=True):
        index.add(passage_id, passage.term_ids, passage.term_freqs)
