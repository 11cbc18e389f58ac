"""Several articles written in one transaction (`Store.insert_articles`), on each backend."""

import asyncio

import numpy as np
import pytest

from index.store import open_store
from tests.helpers.records import article, batch, passage, passages, postings


async def test_a_batch_is_one_change_in_the_log(location: str) -> None:
    """Three articles written at once are one change, adding all their passages."""
    async with open_store(location) as store:
        before = await store.latest_change()
        written = await store.insert_articles(
            [(article("a"), passages(passage())), (article("b"), passages(passage(), passage())),
             (article("c"), passages(passage(-2)))],
            ["x", "y"],
        )  # fmt: skip
        changes = await store.changes_since(before)
        assert changes is not None
        assert len(changes) == 1
        assert changes[0].added == [i for w in written for i in w.passage_ids]
        assert [len(w.passage_ids) for w in written] == [1, 2, 1]


async def test_new_terms_are_shared_by_the_articles_of_a_batch(location: str) -> None:
    """The provisional ids -1, -2 mean the same terms in every article of the batch."""
    async with open_store(location) as store:
        await store.insert_articles(
            [(article("a"), passages(passage(-1))), (article("b"), passages(passage(-2, -1)))],
            ["x", "y"],
        )
        vocabulary = await store.load_vocabulary()
        _, terms, _ = await postings(store, "c")
        stored = [sorted(np.frombuffer(t, "<i4").tolist()) for t in terms]
        assert stored == [[vocabulary["x"]], sorted([vocabulary["x"], vocabulary["y"]])]


async def test_the_same_content_twice_in_a_batch_is_written_once(location: str) -> None:
    """The second article of the same content is a duplicate of the first."""
    async with open_store(location) as store:
        first, second = await store.insert_articles(
            [(article("same"), passages(passage())), (article("same"), passages(passage()))], ["x"]
        )
        assert (first.duplicate, second.duplicate) == (False, True)
        assert second.article == first.article
        assert len((await postings(store, "c"))[0]) == 1


async def test_a_batch_of_stored_articles_writes_nothing(location: str) -> None:
    """Articles all already stored: no change, no new term."""
    async with open_store(location) as store:
        await store.insert_article(article("a"), passages(passage()), ["x"])
        before = await store.latest_change()
        (written,) = await store.insert_articles([(article("a"), passages(passage()))], ["y"])
        assert written.duplicate
        assert await store.latest_change() == before
        assert "y" not in await store.load_vocabulary()


async def test_a_failed_batch_leaves_nothing_behind(location: str) -> None:
    """If one article of a batch fails, none of the batch is stored."""
    async with open_store(location) as store:
        with pytest.raises(IndexError):  # names a second new term it does not give
            await store.insert_articles(
                [(article("a"), passages(passage())), (article("b"), passages(passage(-2)))], ["x"]
            )
        assert await store.list_articles("c") == []
        assert await postings(store, "c") == ([], [], [])


async def test_each_article_of_a_batch_is_given_its_own_passages(location: str) -> None:
    """Passage ids come back for the right article, in order, after a gap left by a deleted
    article and beside articles of another collection and a duplicate."""
    async with open_store(location) as store:
        first = await store.insert_articles(batch(3), ["x"])
        await store.delete_article("c", first[-1].article.id)
        mixed = [*batch(5, start=10), *batch(2, start=20, collection="d"), batch(1, 11)[0]]
        written = await store.insert_articles(mixed, ["x"])
        for w in written[:-1]:
            stored = await store.get_passages(w.article.collection, w.passage_ids)
            assert [stored[i].article.id for i in w.passage_ids] == [w.article.id] * len(
                w.passage_ids
            )
            assert w.passage_ids == sorted(w.passage_ids)
            assert len(w.passage_ids) == w.article.passages
            assert w.article == await store.get_article(w.article.collection, w.article.id)
        assert [len(w.passage_ids) for w in written] == [2, 3, 1, 2, 3, 3, 1, 0]
        assert written[-1].duplicate and written[-1].article == written[1].article
        assert min(written[0].passage_ids) > max(first[-1].passage_ids)
        ids = [w.article.id for w in written[:-1]]
        assert ids == sorted(ids)


async def test_batches_written_at_once_by_two_writers_store_each_content_once(
    location: str,
) -> None:
    """Two stores (connections of their own, as two processes have) write batches sharing
    articles at the same moment: each content is stored once, and the writer that finds it
    stored gets the other's article as a duplicate."""
    async with open_store(location) as one, open_store(location) as two:
        first, second = await asyncio.gather(
            one.insert_articles(batch(6), ["x"]), two.insert_articles(batch(6, start=3), ["x"])
        )
        stored = await one.list_articles("c")
    assert len(stored) == 9
    by_id = {a.id: a for a in stored}
    assert sum(not w.duplicate for w in (*first, *second)) == 9
    for w in (*first, *second):
        assert w.article == by_id[w.article.id]
