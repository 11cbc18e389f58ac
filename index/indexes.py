"""What this process holds in memory: the vocabulary and each collection's BM25 index, kept in
step with the store's change log.

Every write, this process's or another's, is a change in the log. A question first makes the
store's cheap test (has another process written?); if so, or after a write of its own, the
library catches up: it reads the changes since the last one applied, adds the new terms to the
vocabulary, and applies each loaded collection's removed and added passages. The cost follows
the size of the change, not of the collection. Only a re-index (or a process so far behind that
the log no longer reaches back) reloads everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from index.bm25 import BM25Params
from index.images import ImageError, Restoring, encode
from index.loading import Loading
from index.postings import PassageIndex
from index.store.base import Change, PostingsBatch, Store
from index.vocabulary import Vocabulary

log = logging.getLogger(__name__)

IMAGE_FROM = 50_000  # passages: a collection this large is started from a saved image
STALE_CHANGES = 1_000  # an image is saved again once this many changes (any collection's) ...
STALE_SHARE = 8  # ... or passages changed of one in this many of its own came since it
SAVE_IDLE = 1.0  # seconds without questions before an image is saved ...
SAVE_WAIT = 60.0  # ... or this long after it is due, whatever comes

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


Image = tuple[int, str, Sequence[memoryview]]  # an image to save: its seq, header and parts


@dataclass(frozen=True)
class Saved:
    """What `Indexes.save_now` did: the passages of the image, and whether it was written
    (False: it could not be; a warning says why)."""

    passages: int
    written: bool


class Indexes:
    """The vocabulary and one `PassageIndex` per collection; a search never crosses
    collections. Loading a collection and catching up never run at once (one lock), so that no
    change slips between reading a collection and registering it."""

    def __init__(self, params: BM25Params, store: Store) -> None:
        self._params = params
        self._store = store
        self._lock = asyncio.Lock()
        self._loaded: dict[str, _Loaded] = {}
        self.vocabulary = Vocabulary()
        self._seen: int | None = None  # the last change applied; None: nothing loaded yet
        self._version: int | None = None  # the store's version when last caught up
        self._saving: set[asyncio.Task[None]] = set()  # images being saved
        self._used = time.monotonic()  # when a collection was last asked for
        self._closing = asyncio.Event()

    async def get(self, collection: str) -> _Loaded:
        """The collection's index, loaded from the store on first use."""
        self._used = time.monotonic()
        loaded = self._loaded.get(collection)
        if loaded is not None:
            return loaded
        async with self._lock:
            loaded = self._loaded.get(collection)
            if loaded is None:
                index, image = await self._load(collection)
                loaded = self._loaded[collection] = _Loaded(index)
                if image is not None:  # written once questions pause
                    task = asyncio.get_running_loop().create_task(self._save(collection, image))
                    self._saving.add(task)
                    task.add_done_callback(self._saving.discard)
        return loaded

    async def save_now(self, collection: str) -> Saved | None:
        """Bring the collection's saved image up to date now (after a bulk add), not at the next
        start: load it as `get` does and write the image that load finds due at once. None when
        none is: a collection under `IMAGE_FROM` passages (counted, not loaded), a fresh image
        (`_fresh`: not loaded either), a collection this process had loaded already (its save
        waits for a pause), a read-only library."""
        if self._store.read_only or collection in self._loaded:
            return None
        size = await self._store.count_passages(collection)
        if size < IMAGE_FROM or await self._fresh(collection, size):
            return None
        await self.check()  # so that the image's seq is the latest change
        async with self._lock:
            if collection in self._loaded:
                return None
            index, image = await self._load(collection)
            self._loaded[collection] = _Loaded(index)
        return None if image is None else Saved(len(index), await self._write(collection, image))

    async def _load(self, collection: str) -> tuple[PassageIndex, Image | None]:
        """A collection's index, from its saved image and the changes since where it can,
        else from its passages; and its image to save where that was slow (None: none due)."""
        restored = await self._restored(collection)
        index, stale = (await self._read(collection), True) if restored is None else restored
        source = "its passages" if restored is None else "its saved image and the changes since"
        log.info("loaded the collection %s: %d passages, from %s", collection, len(index), source)
        seq = self._seen  # what the index reflects at least (the load read all that came after)
        large = len(index) >= IMAGE_FROM or restored is not None  # (a shrunk one's is replaced)
        if not (stale and large and not self._store.read_only and seq is not None):
            return index, None
        # taken now, while no add has left a delta to merge in (a second copy of every
        # posting: at a million passages, a peak of 1.2 GB when taken at close)
        header, parts = await asyncio.to_thread(encode, index)
        return index, (seq, header, parts)

    async def _restored(self, collection: str) -> tuple[PassageIndex, bool] | None:
        """The collection's index from its image, brought up to date with the changes since,
        and whether it was stale (None: no image, or none usable)."""
        restoring, found = None, None
        try:
            async with contextlib.aclosing(self._store.load_image(collection)) as parts:
                async for seq, header, part in parts:
                    if restoring is None:  # the changes since first: no part read for nothing
                        if (found := await self._since(seq)) is None:
                            return None
                        restoring = Restoring(header)
                    await asyncio.to_thread(restoring.add, part)
            if restoring is None or found is None:
                return None
            index = await asyncio.to_thread(restoring.finish, self._params)
        except ImageError as exc:
            log.warning(
                "the saved index of %s is not usable (%s): reading it again", collection, exc
            )
            return None
        removed, added = net(found, collection)
        if removed or added:
            await asyncio.to_thread(
                _update, index, removed, await self._store.get_postings(collection, added)
            )
        return index, _stale(found, len(removed) + len(added), len(index))

    async def _fresh(self, collection: str, size: int) -> bool:
        """Whether the collection has an image a start would use and not save again, told by
        its first part and the changes since (a small import into a large collection: at a
        million passages, no 0.4 s load for nothing; a corrupt part is found at the start)."""
        async with contextlib.aclosing(self._store.load_image(collection)) as parts:
            async for seq, _, _ in parts:
                if (found := await self._since(seq)) is None:
                    return False
                removed, added = net(found, collection)
                return not _stale(found, len(removed) + len(added), size)
        return False

    async def _since(self, seq: int) -> list[Change] | None:
        """The changes after `seq`; None if the log no longer reaches back to it, or a
        re-index came since (every collection is then read again)."""
        found = await self._store.changes_since(seq)
        if found is None or any(change.collection is None for change in found):
            return None
        return found

    async def _save(self, collection: str, image: Image) -> None:
        """Write an image once questions pause. Its parts are views of the index's arrays,
        which are never changed in place (a merge makes new ones): what was taken is what is
        written."""
        await self._quiet()
        await self._write(collection, image)

    async def _write(self, collection: str, image: Image) -> bool:
        """Write an image now; whether it was (derived data: a failure is logged, nothing is
        lost; one more recent kept instead counts as written)."""
        try:
            kept = await self._store.save_image(collection, *image)
        except Exception as exc:  # often in a task of its own: nothing else would hear of it
            name = type(exc).__name__
            log.warning("could not save the index of %s: %s: %s", collection, name, exc)
            return False
        log.info("saved the index of %s%s", collection, "" if kept else ": a newer one is kept")
        return True

    async def _quiet(self) -> None:
        """Until no collection was asked for `SAVE_IDLE` seconds (`SAVE_WAIT` at most), or
        closing: a save shares the machine with the answers (beside one, a first start's
        questions at a million passages had a p99 of 13-24 ms, against 8-14 without)."""
        due = time.monotonic()  # the load that asks for the save may have taken seconds
        deadline = due + SAVE_WAIT
        while not self._closing.is_set():
            wait = min(max(self._used, due) + SAVE_IDLE, deadline) - time.monotonic()
            if wait <= 0:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._closing.wait()

    async def close(self, grace: float) -> None:
        """Save the images waiting for a pause now, for up to `grace` seconds, then drop them."""
        self._closing.set()
        if self._saving:
            log.info("saving the index of %d collections for faster starts", len(self._saving))
            _, late = await asyncio.wait(set(self._saving), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _read(self, collection: str) -> PassageIndex:
        """A collection's index read from its passages: each batch is grouped in a worker
        thread while the store reads the next (`loading`)."""
        loading = Loading(PassageIndex(self._params))
        grouping: asyncio.Future[None] | None = None
        try:
            async for batch in self._store.load_postings(collection):
                if grouping is not None:
                    await grouping
                grouping = asyncio.ensure_future(asyncio.to_thread(loading.add, *batch))
        finally:
            if grouping is not None:
                await grouping
        await asyncio.to_thread(loading.finish)
        return loading.index

    async def check(self) -> None:
        """Catch up if another process has written since the last catch-up (one cheap query)."""
        if await self._store.version() != self._version:
            await self.catch_up()

    async def catch_up(self) -> None:
        """Apply every change since the last one applied (this process's writes included)."""
        async with self._lock:
            version = await self._store.version()  # before reading: a later write shows
            found = None if self._seen is None else await self._since(self._seen)
            if found is None:
                await self._reload()
            elif found:
                await self._apply(found)
            self._version = version

    async def _reload(self) -> None:
        if self._seen is not None:
            log.info("reloading the index of %s: it was rebuilt", self._store.location)
        seen = await self._store.latest_change()  # before reading: nothing is missed
        # a copy, and its largest id found, in a worker thread (200,000 terms: 8 ms of the loop's)
        self.vocabulary = await asyncio.to_thread(Vocabulary, await self._store.load_vocabulary())
        self._loaded.clear()
        self._seen = seen

    async def _apply(self, found: Sequence[Change]) -> None:
        terms = [term_id for change in found for term_id in change.terms]
        if terms:
            self.vocabulary.commit(await self._store.get_terms(terms))
        for collection, loaded in list(self._loaded.items()):
            removed, added = net(found, collection)
            if removed or added:
                batch = await self._store.get_postings(collection, added)
                await loaded.run(_update, removed, batch)
        self._seen = found[-1].seq


def _stale(found: Sequence[Change], changed: int, size: int) -> bool:
    """Whether an image is saved again: `found` changes came since it, `changed` passages of
    the collection's `size` were added or removed."""
    return len(found) > STALE_CHANGES or changed * STALE_SHARE > size


def net(changes: Sequence[Change], collection: str) -> tuple[list[int], list[int]]:
    """The passages of `collection` that the changes removed and added, in all: a passage
    added and removed again within them is removed (an index read in between holds it;
    removing one it lacks is harmless), not added (passage ids are never reused)."""
    removed: set[int] = set()
    added: dict[int, None] = {}
    for change in changes:
        if change.collection != collection:
            continue
        for passage_id in change.removed:
            added.pop(passage_id, None)
            removed.add(passage_id)
        added.update(dict.fromkeys(change.added))
    return sorted(removed), sorted(added)


def _load(index: PassageIndex, batch: PostingsBatch) -> None:
    """Load a batch of stored passages (a catch-up's)."""
    ids, term_blobs, freqs = batch
    index.load(
        ids,
        [np.frombuffer(b, dtype="<i4") for b in term_blobs],
        [np.frombuffer(b, dtype="<i4") for b in freqs],
    )


def _update(index: PassageIndex, removed: Sequence[int], batch: PostingsBatch) -> None:
    """Remove passages, then load a batch; passages the index already holds (it was loaded
    after the change was made) are replaced, so applying a change twice is harmless."""
    index.remove([*removed, *batch[0]])
    _load(index, batch)
