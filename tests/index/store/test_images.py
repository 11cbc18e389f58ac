"""Saved index images in the store (`base.Store.load_image` and `save_image`), checked on each
backend: read back part for part from one snapshot, kept only when newer and whole, never a
mix of two images, other images' parts dropped, gone after a re-index, one per collection."""

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, overload

import numpy as np
import pytest

from index.store import Store, is_postgres, open_store
from index.store.base import ImagePart
from tests.helpers.confined import make_read_only, make_writable, python, run, without_override
from tests.helpers.databases import query
from tests.helpers.records import article, passage, passages

HEADER = '{"format": 1, "arrays": []}'


def _parts(tag: str, count: int) -> list[bytes]:
    """`count` parts that say whose they are (`tag`) and which they are."""
    return [f"{tag} part {n} ".encode() * (n + 1) for n in range(count)]


async def _loaded(store: Store, collection: str = "c") -> list[ImagePart]:
    return [part async for part in store.load_image(collection)]


async def _rows(location: str, sql: str) -> list[tuple[Any, ...]]:
    """`query` from a thread of its own (it runs an event loop of its own for PostgreSQL)."""
    return await asyncio.to_thread(query, location, sql)


async def _stored_parts(location: str) -> list[tuple[int, str, int]]:
    """Every row of `index_image_parts`: (image, collection, part)."""
    rows = await _rows(
        location, "SELECT image, collection, part FROM index_image_parts ORDER BY image, part"
    )
    return [(int(image), str(collection), int(part)) for image, collection, part in rows]


async def _images(location: str) -> dict[str, int]:
    """Each collection's image id, as `index_images` names it."""
    return {
        str(c): int(i)
        for c, i in await _rows(location, "SELECT collection, image FROM index_images")
    }


async def test_a_saved_image_loads_back_part_for_part_with_its_seq_and_header(
    location: str,
) -> None:
    async with open_store(location) as store:
        parts = [*_parts("one", 3), bytes(range(256)) * 4096]  # and 1 MiB of every byte value
        assert await store.save_image("c", 5, HEADER, parts)
        assert await _loaded(store) == [(5, HEADER, part) for part in parts]


async def test_a_collection_without_an_image_loads_nothing(location: str) -> None:
    async with open_store(location) as store:
        assert await _loaded(store) == []


async def test_an_image_of_no_parts_loads_nothing(location: str) -> None:
    """An image of no parts is kept (it is whole) but has no rows to read back."""
    async with open_store(location) as store:
        assert await store.save_image("c", 5, HEADER, [])
        assert await _loaded(store) == []
        assert await _images(location) != {}


async def test_an_older_image_is_not_kept(location: str) -> None:
    async with open_store(location) as store:
        assert await store.save_image("c", 5, HEADER, _parts("five", 2))
        assert not await store.save_image("c", 3, HEADER, _parts("three", 3))
        assert await _loaded(store) == [(5, HEADER, part) for part in _parts("five", 2)]


async def test_an_image_as_recent_as_the_stored_one_replaces_it(location: str) -> None:
    """The stored one may be the corrupt image the caller could not use."""
    async with open_store(location) as store:
        assert await store.save_image("c", 5, HEADER, _parts("first", 2))
        assert await store.save_image("c", 5, HEADER, _parts("second", 2))
        assert await _loaded(store) == [(5, HEADER, part) for part in _parts("second", 2)]


async def test_an_image_not_kept_leaves_no_parts_behind(location: str) -> None:
    async with open_store(location) as store:
        assert await store.save_image("c", 5, HEADER, _parts("five", 2))
        assert not await store.save_image("c", 3, HEADER, _parts("three", 3))
        image = (await _images(location))["c"]
        assert await _stored_parts(location) == [(image, "c", 0), (image, "c", 1)]


async def test_a_newer_image_replaces_the_older_and_its_parts_are_dropped(
    location: str,
) -> None:
    async with open_store(location) as store:
        assert await store.save_image("c", 3, HEADER, _parts("three", 3))
        older = (await _images(location))["c"]
        assert await store.save_image("c", 5, '{"newer": true}', _parts("five", 2))
        newer = (await _images(location))["c"]
        assert await _loaded(store) == [(5, '{"newer": true}', p) for p in _parts("five", 2)]
        assert newer != older
        assert await _stored_parts(location) == [(newer, "c", 0), (newer, "c", 1)]


async def test_parts_left_by_an_unfinished_save_are_dropped_by_the_next(location: str) -> None:
    """A save that stopped after writing some parts (its process killed) left them under an
    image id nothing names: the next save of the collection drops them."""
    async with open_store(location) as store:
        blob = "'\\x0102'::bytea" if is_postgres(location) else "X'0102'"
        await _rows(
            location,
            "INSERT INTO index_image_parts (image, part, collection, data)"
            f" VALUES (12345, 0, 'c', {blob}), (12345, 1, 'c', {blob})",
        )
        assert await store.save_image("c", 5, HEADER, _parts("five", 1))
        image = (await _images(location))["c"]
        assert await _stored_parts(location) == [(image, "c", 0)]
        assert await _loaded(store) == [(5, HEADER, _parts("five", 1)[0])]


async def test_two_saves_at_once_leave_one_whole_image_never_a_mix(location: str) -> None:
    """Two processes save the same collection at the same time, each many parts: the image
    stored is one of theirs, every part of it and nothing else, whichever won."""
    written = {5: _parts("five", 12), 6: _parts("six", 9)}
    async with open_store(location) as one, open_store(location) as two:
        kept = await asyncio.gather(
            one.save_image("c", 5, HEADER, written[5]),
            two.save_image("c", 6, HEADER, written[6]),
        )
        loaded = await _loaded(one)
        image = (await _images(location))["c"]
        stored = await _stored_parts(location)
    assert any(kept)
    seq = loaded[0][0]
    assert kept[[5, 6].index(seq)]  # the save whose image is stored said it was kept
    assert loaded == [(seq, HEADER, part) for part in written[seq]]
    assert stored == [(image, "c", n) for n in range(len(written[seq]))]


class _Interrupted(Sequence[bytes]):
    """Parts that call `meanwhile` (once) when the part at `at` is first asked for: what
    another process does while this one is halfway through writing them."""

    def __init__(self, parts: list[bytes], at: int, meanwhile: Callable[[], None]) -> None:
        self._parts, self._at = parts, at
        self._meanwhile: Callable[[], None] | None = meanwhile

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        first = (index.start or 0) if isinstance(index, slice) else index
        if first == self._at and self._meanwhile is not None:
            self._meanwhile()
            self._meanwhile = None
        return self._parts[index]

    def __len__(self) -> int:
        return len(self._parts)


def _save_elsewhere(location: str, seq: int, parts: list[bytes]) -> None:
    """Save an image from another store, on a thread and event loop of its own (as another
    process would), and wait for it."""

    async def save() -> None:
        async with open_store(location) as store:
            assert await store.save_image("c", seq, HEADER, parts)

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, save()).result()


async def test_an_image_whose_parts_another_save_dropped_midway_is_not_kept(
    location: str,
) -> None:
    """Another process saves (an older image) while this one is halfway through its parts,
    and drops those written so far: this image, though newer, is not whole, so not kept."""
    newer = _parts("six", 10)
    parts = _Interrupted(newer, 4, lambda: _save_elsewhere(location, 5, _parts("five", 3)))
    async with open_store(location) as store:
        assert not await store.save_image("c", 6, HEADER, parts)
        assert await _loaded(store) == [(5, HEADER, part) for part in _parts("five", 3)]
        image = (await _images(location))["c"]
        assert await _stored_parts(location) == [(image, "c", n) for n in range(3)]


async def test_a_reader_keeps_its_snapshot_while_a_newer_image_is_saved(location: str) -> None:
    """A load begun before another process saves a newer image (and drops the parts of the
    one being read) reads the image it began with to the end."""
    async with open_store(location) as mine, open_store(location) as theirs:
        assert await mine.save_image("c", 3, HEADER, _parts("three", 6))
        reading = mine.load_image("c")
        first = await anext(reading)
        assert await theirs.save_image("c", 5, HEADER, _parts("five", 2))
        rest = [part async for part in reading]
        assert [first, *rest] == [(3, HEADER, part) for part in _parts("three", 6)]
        assert await _loaded(mine) == [(5, HEADER, part) for part in _parts("five", 2)]


async def test_a_store_loading_an_image_still_writes_after_another_write(
    location: str,
) -> None:
    """A load of an image in progress does not hold the store back: after a write through
    another connection (here its own save of another collection's image), the store still
    writes, and the load still reads its image to the end."""
    async with open_store(location) as store:
        assert await store.save_image("c", 3, HEADER, _parts("three", 6))
        reading = store.load_image("c")
        first = await anext(reading)
        assert await store.save_image("b", 1, HEADER, _parts("b", 1))
        written = await store.insert_article(article("one"), passages(passage()), ["t"])
        rest = [part async for part in reading]
        assert written.passage_ids != []
        assert [first, *rest] == [(3, HEADER, part) for part in _parts("three", 6)]


async def test_a_re_index_drops_every_image(location: str) -> None:
    """Images hold the old term ids: after `replace_index` no collection has one, and no part
    is left."""
    async with open_store(location) as store:
        first = (await store.insert_article(article("one"), passages(passage()), ["t"])).article
        assert await store.save_image("c", 1, HEADER, _parts("c", 2))
        assert await store.save_image("other", 1, HEADER, _parts("other", 1))
        old = await store.get_settings(["analyzer"])
        rebuilt = [(first.id, "c", passages(passage(1)))]
        assert await store.replace_index(old, {"analyzer": "x"}, [(1, "u")], rebuilt)
        assert await _loaded(store, "c") == []
        assert await _loaded(store, "other") == []
        assert await _stored_parts(location) == []


async def test_images_are_per_collection(location: str) -> None:
    """Saving one collection's image (newer than another's) leaves the other's whole."""
    async with open_store(location) as store:
        assert await store.save_image("a", 1, HEADER, _parts("a", 3))
        assert await store.save_image("b", 7, HEADER, _parts("b", 2))
        assert await store.save_image("b", 8, HEADER, _parts("b again", 2))
        assert await _loaded(store, "a") == [(1, HEADER, part) for part in _parts("a", 3)]
        assert await _loaded(store, "b") == [(8, HEADER, part) for part in _parts("b again", 2)]


async def test_memoryview_parts_are_stored_byte_for_byte(location: str) -> None:
    """`images.encode` gives views of an array's bytes, sliced: each is stored as its bytes."""
    whole = np.arange(100_000, dtype="<i4").data.cast("B")
    views = [whole[at : at + 65_536] for at in range(0, len(whole), 65_536)]
    async with open_store(location) as store:
        assert await store.save_image("c", 1, HEADER, views)
        loaded = await _loaded(store)
    assert [part for _, _, part in loaded] == [bytes(view) for view in views]
    assert b"".join(part for _, _, part in loaded) == whole.tobytes()


# Opens the library at argv[1] read-only and prints its image of "c": whether read-only, then
# the seq, header and part of each row.
_LOAD_READ_ONLY = """
import asyncio, sys
from index.store import SQLiteStore

async def main():
    async with SQLiteStore.open(sys.argv[1], create=False, writable=False) as store:
        print("read_only", store.read_only)
        async for seq, header, part in store.load_image("c"):
            print(seq, header, part.decode())

asyncio.run(main())
"""


@pytest.mark.usefixtures("permissions_apply")
async def test_a_read_only_sqlite_store_loads_an_image(tmp_path: Path) -> None:
    """A reader without write access (whose store is read-only) starts from the image too."""
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "lib.db"
    async with open_store(path) as store:
        assert await store.save_image("c", 4, "{}", [b"first", b"second"])
    try:
        make_read_only(*folder.iterdir(), folder)
        ran = await asyncio.to_thread(run, without_override(python(_LOAD_READ_ONLY, str(path))))
    finally:
        make_writable(folder)
    assert ran.err == ""
    assert ran.out.splitlines() == ["read_only True", "4 {} first", "4 {} second"]
