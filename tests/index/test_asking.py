"""Answering from stored tokens: the same answers as analysing each candidate at question time."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from unittest import mock

import pytest

from index.analyzer import Analyzer
from index.asking import Asked, quoted, search
from index.ingest import Document, load_file
from index.library import Library
from index.settings import LibrarySettings
from index.web import FetchSettings
from tests.helpers.documents import LIGHTHOUSE, page
from tests.helpers.website import Site

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "china-russia-article.txt"


def _questions(text: str, n: int) -> list[str]:
    """Questions made of the article's own words (some repeated, some of other words)."""
    rng = random.Random(3)
    words = text.split()
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) + rng.choice(["?", ""])
        for _ in range(n)
    ] + ["What did Xi say about Russia?", "Ukraine war Putin Xi Xi", "zebra harbour"]


async def test_stored_tokens_quote_and_rank_as_analysing_does(location: str) -> None:
    """For 200 questions, the results read from stored tokens equal those of analysing every
    candidate passage again (the stored tokens dropped), and no passage is analysed."""
    text = SAMPLE.read_text(encoding="utf-8")
    async with Library.open(location) as library:
        await library.add("c", Document(title="China and Russia", text=text))
        loaded = await library._indexes.get("c")
        vocabulary, analyzer = library._indexes.vocabulary, library._analyzer
        settings = library.settings.rank
        for question in _questions(text, 200):
            tokens, found = search(analyzer, vocabulary, loaded, Asked(question), 10)
            rows = await library._store.get_passages("c", [h.doc_id for h in found.hits])
            assert all(row.stored_tokens is not None for row in rows.values())
            with mock.patch.object(Analyzer, "tokens", side_effect=AssertionError("analysed")):
                stored = quoted(found, rows, (tokens, vocabulary), analyzer, settings, 5)
            bare = {i: dataclasses.replace(r, stored_tokens=None) for i, r in rows.items()}
            analysed = quoted(found, bare, (tokens, vocabulary), analyzer, settings, 5)
            assert stored == analysed, question


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_passages_stored_before_tokens_are_analysed_when_quoted(location: str) -> None:
    """Passages without stored tokens (added before they were stored) get the same answers."""
    text = SAMPLE.read_text(encoding="utf-8")
    question = "What will the jobs on Mars be?"
    async with Library.open(location) as library:
        await library.add("c", Document(title="China and Russia", text=text))
        before = await library.ask("c", question)
        db = library._store._db  # type: ignore[attr-defined]
        await db.execute("UPDATE passages SET tokens = NULL")
        await db.commit()
        after = await library.ask("c", question)
    assert before.results and after.results == before.results


# --- words the library lacks (weighed by their rarity in English, `index.prior`) ---------------


async def _ask(location: str, question: str) -> list[str]:
    """The quotes answering `question` from the sample article alone, read as a file is (five
    passages; the headline of another article at its end is left out)."""
    async with Library.open(location) as library:
        await library.add("c", load_file(SAMPLE))
        return [r.quote for r in (await library.ask("c", question)).results]


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_a_common_word_the_library_lacks_does_not_hide_the_answer(location: str) -> None:
    """'say' is in no passage (they say 'said'); 'Denisov' still finds him."""
    quotes = await _ask(location, "What did Denisov say?")
    assert quotes and "Denisov" in quotes[0]


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_a_question_of_title_words_and_a_missing_verb_is_answered(location: str) -> None:
    """'Xi' and 'Putin' are in every passage (the title's words), 'talk' in none."""
    assert await _ask(location, "When did Xi and Putin talk?")


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_a_rare_word_the_library_lacks_still_hides_passages(location: str) -> None:
    """'Zanzibar' is rare in English and in no passage: 'Denisov' alone covers too little."""
    assert await _ask(location, "What did Denisov say about Zanzibar?") == []


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_the_search_reads_the_type_of_answer_the_question_asks_for(location: str) -> None:
    """A "when" question's candidates carry what it asks for, for choosing the quote."""
    async with Library.open(location) as library:
        await library.add("c", load_file(SAMPLE))
        loaded = await library._indexes.get("c")
        vocabulary, analyzer = library._indexes.vocabulary, library._analyzer
        _, found = search(analyzer, vocabulary, loaded, Asked("When did Xi speak?"), 10)
    assert found.asks is not None and found.asks.holds("on January 20")


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_heads_read_whole_when_quoted_answer_as_whole_rows_do(location: str) -> None:
    """For 200 questions, the candidates' heads (`SQLiteReader.heads`, their text and article
    read when quoted) give the results of their whole rows; fewer candidates are read whole
    than there are (those that may be among the best 3: 416 of 728 here)."""
    text = SAMPLE.read_text(encoding="utf-8")
    async with Library.open(location) as library:
        await library.add("c", Document(title="China and Russia", text=text))
        loaded = await library._indexes.get("c")
        vocabulary, analyzer = library._indexes.vocabulary, library._analyzer
        settings, reader = library.settings.rank, library._store.reader()
        assert reader is not None
        read_whole, candidates = 0, 0
        for question in _questions(text, 200):
            tokens, found = search(analyzer, vocabulary, loaded, Asked(question), 10)
            ids = [h.doc_id for h in found.hits]
            rows = reader.passages("c", ids)
            whole = quoted(found, rows, (tokens, vocabulary), analyzer, settings, 3)
            with mock.patch.object(reader, "whole", wraps=reader.whole) as counted:
                heads = reader.heads("c", ids)
                question_ = (tokens, vocabulary)
                got = quoted(found, heads, question_, analyzer, settings, 3, counted)
            assert got == whole, question
            read_whole, candidates = read_whole + counted.call_count, candidates + len(ids)
        assert 0 < read_whole < candidates


async def test_a_head_whose_article_was_refreshed_is_not_read_whole(
    site: Site, tmp_path: Path
) -> None:
    """A candidate's article refreshed (its text replaced in place) between reading its head
    and its text: no passage, rather than the new text cut at the old passage's spans."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    settings = LibrarySettings(fetch=FetchSettings(allow_private=True, total_timeout=10))
    async with Library.open(tmp_path / "lib.db", settings) as library:
        added = await library.add_url("c", url)
        reader = library._store.reader()
        assert reader is not None
        heads = reader.heads("c", list(range(1, added.article.passages + 1)))
        assert heads and all(reader.whole(h) is not None for h in heads.values())
        changed = ["The lantern gallery closed for repairs in 2024.", *LIGHTHOUSE[1:]]
        site.put("/lighthouse", page("The northern lighthouse", changed))
        assert (await library.refresh("c", added.article.id)).status == "updated"
        assert all(reader.whole(h) is None for h in heads.values())


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_a_head_whose_article_is_gone_is_not_read_whole(location: str) -> None:
    """A candidate's article removed between reading its head and its text: no passage."""
    text = SAMPLE.read_text(encoding="utf-8")
    async with Library.open(location) as library:
        added = await library.add("c", Document(title="China and Russia", text=text))
        reader = library._store.reader()
        assert reader is not None
        heads = reader.heads("c", [1, 2])
        assert heads and all(reader.whole(h) is not None for h in heads.values())
        await library.remove("c", added.article.id)
        assert all(reader.whole(h) is None for h in heads.values())
