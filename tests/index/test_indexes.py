"""What a process holds in memory: loaded on first use, kept in step with the change log."""

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from index import indexes as indexes_module
from index.bm25 import BM25Params
from index.bulk import AddResult
from index.errors import CitebotError
from index.indexes import Indexes, Saved, net
from index.ingest import Document
from index.library import Library
from index.store import Store, is_postgres, open_store, postgres, sqlite_changes
from index.store.base import Change, ImagePart, NewArticle, PostingsBatch
from index.store.columns import NewPassage
from tests.helpers.databases import version_changes
from tests.helpers.records import passages


def _passage(term_ids: list[int]) -> NewPassage:
    ones = np.ones(len(term_ids), np.int32)
    return NewPassage(0, 5, [(0, 5)], np.array(term_ids, np.int32), ones)


async def _insert(
    store: Store, collection: str, text: str, term_ids: list[int], new: Sequence[str] = ()
) -> int:
    article = NewArticle(collection=collection, title=None, text=text, content_hash=text)
    written = await store.insert_article(article, passages(_passage(term_ids)), new)
    return written.passage_ids[0]


async def _ready(store: Store) -> Indexes:
    indexes = Indexes(BM25Params(), store)
    await indexes.catch_up()
    return indexes


async def _ids(indexes: Indexes, collection: str, term_id: int) -> list[int]:
    loaded = await indexes.get(collection)
    hits = await loaded.run(lambda index: index.search({term_id: 1}, 10))
    return sorted(hit.doc_id for hit in hits)


async def test_a_collection_is_loaded_from_the_store_on_first_use(location: str) -> None:
    """The first `get` reads the collection's stored terms; other collections stay out."""
    async with open_store(location) as store:
        mine = await _insert(store, "a", "ships", [1, 2])
        await _insert(store, "b", "boats", [1, 3])
        indexes = await _ready(store)
        loaded = await indexes.get("a")
        assert await _ids(indexes, "a", 1) == [mine]
        assert await indexes.get("a") is loaded
    assert len(loaded.index) == 1


async def test_another_connections_add_and_remove_reach_a_loaded_collection(
    location: str,
) -> None:
    """After another connection (as another process would) adds and removes, `check` finds
    the change and applies it: the new passage is searchable, the removed one gone."""
    async with open_store(location) as mine, open_store(location) as theirs:
        kept = await _insert(theirs, "a", "ships", [-1], ["ship"])
        indexes = await _ready(mine)
        assert await _ids(indexes, "a", 1) == [kept]
        before = await mine.version()
        added = await _insert(theirs, "a", "more ships", [1, -1], ["harbour"])
        await theirs.delete_article("a", 1)
        await version_changes(mine, before)
        await indexes.check()
        assert await _ids(indexes, "a", 1) == [added]
    assert indexes.vocabulary.get("harbour") == 2


async def test_a_check_with_nothing_written_reads_no_changes(location: str) -> None:
    """The test before each question is one cheap query while nobody else writes."""
    async with open_store(location) as store:
        before = await store.version()
        await _insert(store, "a", "ships", [-1], ["ship"])
        if is_postgres(location):  # its own write is heard too; SQLite's version ignores it
            await version_changes(store, before)
        indexes = await _ready(store)
        await indexes.get("a")
        with mock.patch.object(store, "changes_since", side_effect=AssertionError("read")):
            await indexes.check()
            await indexes.check()


async def test_applying_a_change_the_loaded_index_already_holds_is_harmless(
    location: str,
) -> None:
    """A collection loaded after a change was written, but before it was applied, holds its
    passage already: applying the change keeps one copy."""
    async with open_store(location) as mine, open_store(location) as theirs:
        indexes = await _ready(mine)
        added = await _insert(theirs, "a", "ships", [-1], ["ship"])
        loaded = await indexes.get("a")  # reads the new passage before any catch-up
        await indexes.catch_up()
        assert len(loaded.index) == 1
        assert await _ids(indexes, "a", 1) == [added]


async def test_a_rebuilt_index_is_reloaded_whole(location: str) -> None:
    """A re-index (a change of no collection) drops what is loaded and reads the new
    vocabulary, whose ids all changed."""
    async with open_store(location) as mine, open_store(location) as theirs:
        await _insert(theirs, "a", "ships", [-1], ["ship"])
        indexes = await _ready(mine)
        before = await indexes.get("a")
        stored = await theirs.get_settings(["passages"])
        rebuilt = [(1, "a", passages(_passage([7])))]
        before = await mine.version()
        assert await theirs.replace_index(stored, {"passages": "x"}, [(7, "vessel")], rebuilt)
        await version_changes(mine, before)
        await indexes.check()
        assert indexes.vocabulary.get("vessel") == 7
        assert indexes.vocabulary.get("ship") is None
        assert await indexes.get("a") is not before
        assert len(await _ids(indexes, "a", 7)) == 1


async def test_a_process_behind_the_kept_log_reloads(location: str) -> None:
    """When the log no longer reaches back to the last change applied, everything is read
    again: nothing is missed."""
    async with open_store(location) as mine, open_store(location) as theirs:
        indexes = await _ready(mine)
        await indexes.get("a")
        before = await mine.version()
        with (
            mock.patch.object(sqlite_changes, "KEEP", 2),
            mock.patch.object(postgres, "KEEP", 2),
        ):
            for n in range(5):
                await _insert(theirs, "a", f"text {n}", [-1], [f"word{n}"])
        assert await mine.changes_since(0) is None
        await version_changes(mine, before)
        await indexes.check()
        assert len((await indexes.get("a")).index) == 5
        assert indexes.vocabulary.get("word4") is not None


def test_net_removes_a_passage_added_and_removed_within_the_changes() -> None:
    """Added then removed is removed, not added: an index loaded between the two holds it.
    Other collections' changes are not this one's."""
    changes = [
        Change(1, "a", removed=[1], added=[5, 6], terms=[]),
        Change(2, "b", removed=[2], added=[7], terms=[]),
        Change(3, "a", removed=[5], added=[8], terms=[]),
    ]
    assert net(changes, "a") == ([1, 5], [6, 8])
    assert net(changes, "b") == ([2], [7])
    assert net(changes, "c") == ([], [])


# --- saved images (`index.images`) ----------------------------------------------------------


def _counting_reads(store: Store) -> list[str]:
    """The collections `store` reads from their passages from now on (`load_postings`)."""
    read: list[str] = []
    load_postings = store.load_postings

    def counted(collection: str) -> AsyncIterator[PostingsBatch]:
        read.append(collection)
        return load_postings(collection)

    store.load_postings = counted  # type: ignore[method-assign]
    return read


def _counting_parts(store: Store) -> list[int]:
    """How many parts of an image each `load_image` of `store` yields from now on."""
    counts: list[int] = []
    load_image = store.load_image

    async def counted(collection: str) -> AsyncGenerator[ImagePart, None]:
        counts.append(0)
        async for part in load_image(collection):
            yield part
            counts[-1] += 1

    store.load_image = counted  # type: ignore[method-assign]
    return counts


async def _imaged(store: Store) -> int | None:
    """A collection "a" of one passage, read once and its image saved: the image's seq."""
    await _insert(store, "a", "t", [-1], ["ship"])
    indexes = await _ready(store)
    await indexes.get("a")
    await indexes.close(10)
    return await _saved(store, "a")


async def _saved(store: Store, collection: str) -> int | None:
    """The seq of the collection's saved image (None: it has none)."""
    async for seq, _, _ in store.load_image(collection):
        return seq
    return None


@pytest.fixture
def images_from_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexes_module, "IMAGE_FROM", 1)


@pytest.mark.usefixtures("images_from_one")
async def test_a_large_collection_is_saved_once_read_and_the_next_process_starts_from_it(
    location: str,
) -> None:
    """Read from its passages, the collection's image is saved (close waits for it); another
    connection (as a new process would) then reads none of its passages, and finds the same."""
    async with open_store(location) as store:
        ids = [await _insert(store, "a", f"t{n}", [-1, n + 2], ["ship"]) for n in range(3)]
        indexes = await _ready(store)
        assert await _ids(indexes, "a", 1) == ids
        await indexes.close(10)
        assert await _saved(store, "a") == await store.latest_change()
    async with open_store(location) as store:
        read = _counting_reads(store)
        indexes = await _ready(store)
        assert await _ids(indexes, "a", 1) == ids
        assert read == []


async def test_a_small_collection_is_not_saved(location: str) -> None:
    """Below `IMAGE_FROM` passages, reading the passages is as fast: no image is written."""
    async with open_store(location) as store:
        await _insert(store, "a", "ships", [-1], ["ship"])
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
        assert await _saved(store, "a") is None


@pytest.mark.usefixtures("images_from_one")
async def test_changes_made_since_the_image_are_applied_when_starting_from_it(
    location: str,
) -> None:
    """Passages added and removed after the image was saved are found and gone in an index
    started from it, exactly as in one read from the passages."""
    async with open_store(location) as store:
        old = [await _insert(store, "a", f"t{n}", [-1], ["ship"]) for n in range(3)]
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
        new = await _insert(store, "a", "t9", [1])
        await store.delete_article("a", (await store.list_articles("a"))[0].id)
    async with open_store(location) as store:
        read = _counting_reads(store)
        indexes = await _ready(store)
        assert await _ids(indexes, "a", 1) == [*old[1:], new]
        assert read == []
        assert len((await indexes.get("a")).index) == 3


@pytest.mark.usefixtures("images_from_one")
async def test_an_image_the_change_log_no_longer_reaches_is_not_used_and_is_saved_again(
    location: str,
) -> None:
    """With the changes since the image dropped from the log, what changed is unknown: the
    collection is read from its passages, and a new image saved."""
    async with open_store(location) as store:
        first = await _imaged(store)
        with mock.patch.object(sqlite_changes, "KEEP", 2), mock.patch.object(postgres, "KEEP", 2):
            for n in range(4):
                await _insert(store, "b", f"other {n}", [1])
        await store.delete_article("a", (await store.list_articles("a"))[0].id)
        await _insert(store, "a", "t2", [1])
    async with open_store(location) as store:
        read, parts = _counting_reads(store), _counting_parts(store)
        indexes = await _ready(store)
        assert len(await _ids(indexes, "a", 1)) == 1
        assert read == ["a"]
        assert parts == [0]  # the first part told the image's seq: no other was read
        await indexes.close(10)
        assert (await _saved(store, "a") or 0) > (first or 0)


@pytest.mark.usefixtures("images_from_one")
async def test_an_image_is_saved_again_once_many_changes_came_since(
    location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started from an image with more than `STALE_CHANGES` changes since, the collection
    is saved again, so that the next start applies few."""
    monkeypatch.setattr(indexes_module, "STALE_CHANGES", 2)
    async with open_store(location) as store:
        first = await _imaged(store)
        for n in range(3):
            await _insert(store, "b", f"other {n}", [1])
    async with open_store(location) as store:
        read = _counting_reads(store)
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
        assert read == []
        assert await _saved(store, "a") == await store.latest_change() != first


@pytest.mark.usefixtures("images_from_one")
async def test_a_corrupt_image_is_read_from_the_passages_instead_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A part overwritten with other bytes: one warning, the passages are read, the answers
    are right, and a good image replaces the bad one."""
    path = tmp_path / "lib.db"
    async with open_store(path) as store:
        ids = [await _insert(store, "a", f"t{n}", [-1], ["ship"]) for n in range(3)]
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE index_image_parts SET data = zeroblob(length(data)) WHERE part = 0")
    async with open_store(path) as store:
        read = _counting_reads(store)
        indexes = await _ready(store)
        assert await _ids(indexes, "a", 1) == ids
        assert read == ["a"]
        await indexes.close(10)
    assert "the saved index of a is not usable" in caplog.text
    async with open_store(path) as store:
        read = _counting_reads(store)
        assert await _ids(await _ready(store), "a", 1) == ids
        assert read == []


@pytest.mark.usefixtures("images_from_one")
async def test_a_read_only_library_never_saves_an_image(location: str) -> None:
    """A process that may not write reads the passages and leaves the store as it was."""
    async with open_store(location) as store:
        await _insert(store, "a", "t", [-1], ["ship"])
        store.read_only = True
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
        assert await _saved(store, "a") is None


_PROCESS = """
import asyncio, logging, sys
import index.indexes
from index.ingest import Document
from index.library import Library

index.indexes.IMAGE_FROM = 1
logging.basicConfig(level=logging.INFO, format="%(message)s")

async def main(path, do, text):
    async with Library.open(path) as library:
        if do == "add":
            await library.add("c", Document(title=text, text=text))
        elif do == "delete":
            await library.remove("c", (await library.articles("c"))[0].id)
        else:
            answer = await library.ask("c", text, k=10)
            print(sorted(result.article.title for result in answer.results))

asyncio.run(main(*sys.argv[1:]))
"""


def _process(location: str, do: str, text: str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROCESS, location, do, text],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip(), done.stderr


def test_a_process_starts_from_the_image_another_saved_with_a_third_ones_changes(
    location: str,
) -> None:
    """Real processes: one reads the collection and saves its image on the way out; another
    removes an article and adds one; a third starts from the image, with both changes."""
    for n in range(3):
        _process(location, "add", f"Harbour light number {n} shines over the quay.")
    _, log = _process(location, "ask", "harbour light")
    assert "from its passages" in log and "saved the index of c" in log
    _process(location, "delete", "")
    _process(location, "add", "Lanterns and the harbour light guide the boats home.")
    found, log = _process(location, "ask", "harbour light lanterns")
    assert "from its saved image" in log
    assert found == str(
        sorted(
            [
                "Harbour light number 1 shines over the quay.",
                "Harbour light number 2 shines over the quay.",
                "Lanterns and the harbour light guide the boats home.",
            ]
        )
    )


async def _saved_within(store: Store, collection: str, seconds: float) -> int | None:
    async with asyncio.timeout(seconds):
        while (seq := await _saved(store, collection)) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return seq


@pytest.mark.usefixtures("images_from_one")
async def test_an_image_waits_for_questions_to_pause_and_close_saves_it_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While questions keep coming (here: no pause in an hour), nothing is saved; closing
    saves at once."""
    monkeypatch.setattr(indexes_module, "SAVE_IDLE", 3600.0)
    monkeypatch.setattr(indexes_module, "SAVE_WAIT", 3600.0)
    async with open_store(tmp_path / "lib.db") as store:
        await _insert(store, "a", "t", [-1], ["ship"])
        indexes = await _ready(store)
        await indexes.get("a")
        await asyncio.sleep(0.3)
        assert await _saved(store, "a") is None
        await indexes.close(10)
        assert await _saved(store, "a") is not None


@pytest.mark.usefixtures("images_from_one")
@pytest.mark.parametrize(("idle", "wait"), [(0.05, 3600.0), (3600.0, 0.05)], ids=["pause", "due"])
async def test_an_image_is_saved_after_a_pause_or_once_overdue_without_closing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idle: float, wait: float
) -> None:
    monkeypatch.setattr(indexes_module, "SAVE_IDLE", idle)
    monkeypatch.setattr(indexes_module, "SAVE_WAIT", wait)
    async with open_store(tmp_path / "lib.db") as store:
        await _insert(store, "a", "t", [-1], ["ship"])
        indexes = await _ready(store)
        await indexes.get("a")
        assert await _saved_within(store, "a", 30) == await store.latest_change()
        await indexes.close(10)


@pytest.mark.usefixtures("images_from_one")
async def test_a_slow_load_is_not_a_pause_the_save_waits_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load longer than `SAVE_IDLE` (a million passages: seconds) is followed by questions:
    the save it asks for waits `SAVE_IDLE` from the load's end, not from the question that
    began it (it ran beside a first start's questions)."""
    monkeypatch.setattr(indexes_module, "SAVE_IDLE", 1.0)
    read = Indexes._read

    async def slow(self: Indexes, collection: str) -> object:
        await asyncio.sleep(1.2)
        return await read(self, collection)

    monkeypatch.setattr(Indexes, "_read", slow)
    async with open_store(tmp_path / "lib.db") as store:
        await _insert(store, "a", "t", [-1], ["ship"])
        saves = _counting_saves(store)
        indexes = await _ready(store)
        await indexes.get("a")
        await asyncio.sleep(0.2)
        assert saves == []
        await indexes.close(10)
        assert saves == ["a"]


async def test_the_image_of_a_collection_that_shrank_below_the_line_is_replaced(
    location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most of a large collection removed: its next start replaces the large image with the
    small collection's (else the stale one would be read, and kept, at every start)."""
    monkeypatch.setattr(indexes_module, "IMAGE_FROM", 3)
    async with open_store(location) as store:
        for n in range(4):
            await _insert(store, "a", f"t{n}", [-1], ["ship"])
        indexes = await _ready(store)
        await indexes.get("a")
        await indexes.close(10)
        for article in (await store.list_articles("a"))[:3]:
            await store.delete_article("a", article.id)
        before = await _parts(store, "a")
    async with open_store(location) as store:
        indexes = await _ready(store)
        assert len((await indexes.get("a")).index) == 1
        await indexes.close(10)
        assert await _saved(store, "a") == await store.latest_change()
        assert sum(map(len, await _parts(store, "a"))) < sum(map(len, before))


async def _parts(store: Store, collection: str) -> list[bytes]:
    return [part async for _, _, part in store.load_image(collection)]


# --- saved at once after a bulk add (`Indexes.save_now`, `Library.save_index`) ------------------


def _documents(first: int, count: int) -> list[Document | CitebotError]:
    return [Document(title=f"T{n}", text=f"Harbour light number {n}.") for n in range(first, count)]


async def _bulk(library: Library, first: int, count: int) -> None:
    async for outcome in library.add_many("c", _documents(first, count)):
        assert isinstance(outcome, AddResult) and outcome.status == "added"


@pytest.mark.usefixtures("images_from_one")
async def test_a_bulk_added_collection_is_saved_at_once_and_the_next_start_reads_no_passage(
    location: str,
) -> None:
    """Saved before the library closes (no pause waited for), up to the latest change; a new
    library answers from the image without reading a passage."""
    async with Library.open(location) as library:
        await _bulk(library, 0, 3)
        assert await library.save_index("c") == Saved(3, True)
        assert await _saved(library._store, "c") == await library._store.latest_change()
    async with Library.open(location) as library:
        read = _counting_reads(library._store)
        answer = await library.ask("c", "harbour light", k=10)
    assert len(answer.results) == 3
    assert read == []


async def test_a_small_collection_is_neither_loaded_nor_saved_after_a_bulk_add(
    location: str,
) -> None:
    """Under `IMAGE_FROM` passages the collection is only counted: nothing read, no image."""
    async with Library.open(location) as library:
        await _bulk(library, 0, 3)
        read, parts = _counting_reads(library._store), _counting_parts(library._store)
        assert await library.save_index("c") is None
        assert (read, parts) == ([], [])
        assert await _saved(library._store, "c") is None


@pytest.mark.usefixtures("images_from_one")
async def test_an_image_made_stale_by_an_import_is_replaced_at_once(location: str) -> None:
    """An import of more than an eighth of the collection (`STALE_SHARE`) since its image:
    loaded from that image, and a new one written up to the import's last change."""
    async with Library.open(location) as library:
        await _bulk(library, 0, 2)
        await library.save_index("c")
        first = await _saved(library._store, "c")
    async with Library.open(location) as library:
        await _bulk(library, 2, 6)
        read = _counting_reads(library._store)
        assert await library.save_index("c") == Saved(6, True)
        assert read == []
        latest = await library._store.latest_change()
        assert await _saved(library._store, "c") == latest != first


@pytest.mark.usefixtures("images_from_one")
async def test_a_fresh_image_is_neither_loaded_nor_written_again(location: str) -> None:
    """A small import into a collection whose image stays fresh: its first part (the seq) and
    the changes since tell; no other part, no passage read."""
    async with Library.open(location) as library:
        await _bulk(library, 0, 9)
        await library.save_index("c")
        await _bulk(library, 9, 10)
    async with open_store(location) as store:
        saves, read, parts = _counting_saves(store), _counting_reads(store), _counting_parts(store)
        indexes = await _ready(store)
        assert await indexes.save_now("c") is None
        assert (saves, read, parts) == ([], [], [0])  # (the first part only, as above)


@pytest.mark.usefixtures("images_from_one")
async def test_an_image_that_cannot_be_written_is_said_and_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_store(tmp_path / "lib.db") as store:
        await _insert(store, "a", "t", [-1], ["ship"])
        indexes = await _ready(store)
        with mock.patch.object(store, "save_image", side_effect=OSError("disk full")):
            assert await indexes.save_now("a") == Saved(1, False)
    assert "could not save the index of a: OSError: disk full" in caplog.text


def _counting_saves(store: Store) -> list[str]:
    """The collections `store` saves an image of from now on."""
    saves: list[str] = []
    save_image = store.save_image

    async def counted(collection: str, *args: object) -> bool:
        saves.append(collection)
        return await save_image(collection, *args)  # type: ignore[arg-type]

    store.save_image = counted  # type: ignore[method-assign]
    return saves
