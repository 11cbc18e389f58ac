"""The library end to end: real SQLite files, real articles, real questions."""

import asyncio
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import quotes
from index.errors import ClosingError, InputError, NotFoundError
from index.ingest import Document, load_file
from index.library import Library
from index.passages import PassageSettings
from index.settings import LibrarySettings
from index.store import is_postgres
from index.web import FetchSettings
from tests.helpers import confined
from tests.helpers.databases import query
from tests.helpers.documents import LIGHTHOUSE, page
from tests.helpers.postgres import PostgresServer
from tests.helpers.website import Site

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"


def _doc(text: str, title: str | None = "T") -> Document:
    return Document(title=title, text=text)


async def test_the_china_russia_sample_is_answered_with_its_quote(
    location: str, shared: Path
) -> None:
    """The pasted article answers the Xi question with 'cannot be broken'."""
    document = load_file(shared / "samples/china-russia-article.txt")
    async with Library.open(location) as library:
        await library.add("console", document)
        answer = await library.ask("console", XI_QUESTION)
    assert answer.results
    assert "cannot be broken" in answer.results[0].quote


async def test_page_furniture_of_the_sample_is_not_indexed(location: str, shared: Path) -> None:
    """'Related posts' headlines are not article text: jobs on Mars find nothing."""
    document = load_file(shared / "samples/china-russia-article.txt")
    async with Library.open(location) as library:
        await library.add("console", document)
        answer = await library.ask("console", "How many jobs will there be on Mars?")
    assert answer.results == []


async def test_every_quote_is_an_exact_substring_of_the_stored_article(
    location: str, shared: Path
) -> None:
    """Quotes and passages are verbatim slices of the stored text."""
    document = load_file(shared / "samples/china-russia-article.txt")
    async with Library.open(location) as library:
        added = await library.add("console", document)
        _, text = await library.get("console", added.article.id)
        answer = await library.ask("console", "Andrey Denisov ambassador Beijing", k=5)
    assert answer.results
    for result in answer.results:
        assert result.passage in text
        assert result.quote in result.passage
        assert len(result.quote.split()) <= 60
        for start, end in result.highlights:
            assert result.quote[start:end].strip()


async def test_collections_never_see_each_others_articles(location: str) -> None:
    """An article added to one collection is never an answer in another."""
    async with Library.open(location) as library:
        await library.add("guild-a", _doc("Penguins live in Antarctica and eat krill."))
        await library.add("guild-b", _doc("Camels live in deserts and store fat."))
        in_a = await library.ask("guild-a", "Where do penguins live?")
        in_b = await library.ask("guild-b", "Where do penguins live?")
    assert in_a.results[0].article.collection == "guild-a"
    assert all("Penguins" not in r.passage for r in in_b.results)
    assert in_b.unknown_words == ["penguins"]


async def test_adding_the_same_content_twice_is_reported(location: str) -> None:
    """The second add returns the first article, marked duplicate; nothing is stored twice."""
    async with Library.open(location) as library:
        first = await library.add("c", _doc("Same words here.\n\nAnd more."))
        second = await library.add("c", _doc("Same  words here.\nAnd more.", title="Other"))
        assert (first.status, second.status) == ("added", "duplicate")
        assert second.article.id == first.article.id
        assert len(await library.articles("c")) == 1


async def test_the_same_content_may_be_in_two_collections(location: str) -> None:
    """Duplicates are per collection: two servers can both add an article."""
    async with Library.open(location) as library:
        assert (await library.add("a", _doc("Shared text."))).status == "added"
        assert (await library.add("b", _doc("Shared text."))).status == "added"


async def test_tiny_collections_rank_an_obvious_match(location: str) -> None:
    """With one or two passages, the matching one is found (rank-bm25's IDF would be <= 0)."""
    async with Library.open(location) as library:
        await library.add("c", _doc("The lighthouse keeper lit the lamp every night."))
        one = await library.ask("c", "Who lit the lamp?")
        await library.add("c", _doc("Bakers bake bread before dawn."))
        two = await library.ask("c", "lighthouse lamp")
    assert one.results and one.results[0].score > 0
    assert "lighthouse" in two.results[0].passage


async def test_an_empty_collection_or_stop_word_question_is_no_match(location: str) -> None:
    """No articles, only stop words, or unknown words: an empty answer, not an error."""
    async with Library.open(location) as library:
        assert (await library.ask("empty", "anything at all")).results == []
        await library.add("c", _doc("Some article about owls."))
        assert (await library.ask("c", "what is it?")).results == []
        unknown = await library.ask("c", "zyxwv quux")
    assert unknown.results == []
    assert unknown.unknown_words == ["zyxwv", "quux"]


async def test_zero_width_characters_in_a_question_do_not_break_matching(location: str) -> None:
    """ "harb\u200bour" (and other invisible characters) finds what "harbour" finds."""
    async with Library.open(location) as library:
        await library.add("c", _doc("The harbour master rang the bell at the old harbour."))
        await library.add("c", _doc("Bakers bake bread before dawn."))
        plain = await library.ask("c", "harbour")
        hidden = await library.ask("c", "harb\u200bour \u2066bell\u2069\u00ad")
        assert hidden.results and plain.results
        assert hidden.results[0].passage == plain.results[0].passage
        assert hidden.unknown_words == []


async def test_a_document_from_any_source_is_stored_without_invisible_characters(
    location: str,
) -> None:
    """A Document built by hand (a JSONL line) with a lone surrogate, bidi and zero-width
    characters is added, stored without them and found by its words."""
    text = "The harbour\ud800 master \u202erang\u202c the bell at the old harb\u200bour."
    async with Library.open(location) as library:
        added = await library.add("c", Document(title="Bell\u2067 \udcff", text=text))
        info, stored = await library.get("c", added.article.id)
        answer = await library.ask("c", "old harbour bell")
    assert stored == "The harbour\ufffd master rang the bell at the old harbour."
    assert info.title == "Bell \ufffd"
    assert answer.results and answer.results[0].passage == stored


async def test_a_question_of_punctuation_only_is_no_match(location: str) -> None:
    """ "?" is asked like any question: no match (it raised ValueError: "Something went wrong")."""
    async with Library.open(location) as library:
        await library.add("c", _doc("The harbour master rang the bell."))
        answer = await library.ask("c", "?")
    assert answer.results == [] and answer.unknown_words == []


async def test_an_empty_question_is_an_input_error(location: str) -> None:
    """A blank question gets a one-line message."""
    async with Library.open(location) as library:
        with pytest.raises(InputError, match="empty"):
            await library.ask("c", "   ")


async def test_a_10000_character_question_gets_an_answer(location: str, shared: Path) -> None:
    """A huge question is answered sensibly, using its most specific words."""
    document = load_file(shared / "samples/china-russia-article.txt")
    question = (XI_QUESTION + " ") * (10_000 // (len(XI_QUESTION) + 1))
    async with Library.open(location) as library:
        await library.add("console", document)
        answer = await library.ask("console", question[:10_000])
    assert answer.results


async def test_removing_an_article_removes_it_from_answers(location: str) -> None:
    """After remove, its passages are gone from the index and the store."""
    async with Library.open(location) as library:
        added = await library.add("c", _doc("Owls hunt mice at night."))
        await library.add("c", _doc("Foxes hunt rabbits at dusk."))
        assert (await library.ask("c", "owls")).results
        await library.remove("c", added.article.id)
        assert (await library.ask("c", "owls")).results == []
        assert [a.title for a in await library.articles("c")] == ["T"]


async def test_an_unknown_article_id_is_not_found(location: str) -> None:
    """show/remove of a missing id is a one-line error."""
    async with Library.open(location) as library:
        with pytest.raises(NotFoundError, match="no article 42"):
            await library.remove("c", 42)
        with pytest.raises(NotFoundError):
            await library.get("c", 42)


async def test_reopening_loads_the_index_without_losing_anything(location: str) -> None:
    """Answers after a restart equal answers before it."""
    path = location
    texts = [f"Article {i} talks about topic{i} and shared things." for i in range(5)]
    async with Library.open(path) as library:
        for text in texts:
            await library.add("c", _doc(text))
        before = await library.ask("c", "topic3 shared", k=5)
    async with Library.open(path) as library:
        after = await library.ask("c", "topic3 shared", k=5)
    assert [(r.article.id, r.score) for r in after.results] == [
        (r.article.id, r.score) for r in before.results
    ]


async def test_changed_passage_settings_rebuild_the_index(location: str) -> None:
    """Opening with other stored settings re-splits every article instead of mismatching."""
    path = location
    text = " ".join(f"Sentence {i} mentions the harbour and ships." for i in range(60))
    async with Library.open(path) as library:
        await library.add("c", _doc(text))
        before = (await library.articles("c"))[0].passages
    small = LibrarySettings(passages=PassageSettings(target_words=40, max_words=60, min_words=20))
    async with Library.open(path, small) as library:
        after = (await library.articles("c"))[0].passages
        assert (await library.ask("c", "harbour ships")).results
    assert after > before


async def test_concurrent_adds_and_questions_are_consistent(location: str) -> None:
    """Many adds and asks at once: every article stored once, every answer well-formed."""
    async with Library.open(location) as library:
        adds = [library.add("c", _doc(f"Fact number {i} concerns item{i}.")) for i in range(20)]
        asks = [library.ask("c", f"item{i}") for i in range(20)]
        await asyncio.gather(*adds, *asks)
        assert len(await library.articles("c")) == 20
        answer = await library.ask("c", "item7")
    assert "item7" in answer.results[0].quote


async def test_a_cp1252_file_is_stored_and_answered(location: str, tmp_path: Path) -> None:
    """A Windows-encoded file keeps its accents and curly quotes."""
    path = tmp_path / "cafe.txt"
    path.write_bytes("Le café “Procope” opened in 1686 in Paris.".encode("cp1252"))
    async with Library.open(location) as library:
        await library.add("c", load_file(path))
        answer = await library.ask("c", "When did the café Procope open?")
    assert answer.results[0].quote == "Le café “Procope” opened in 1686 in Paris."


async def test_nothing_is_lost_when_a_later_add_fails(location: str) -> None:
    """A failing add leaves the articles already stored intact."""
    path = location
    async with Library.open(path) as library:
        await library.add("c", _doc("Kept article about rivers."))
        with pytest.raises(InputError):
            await library.add("c", _doc("   "))
        assert (await library.ask("c", "rivers")).results
    assert await asyncio.to_thread(query, path, "SELECT count(*) FROM articles") == [(1,)]


async def test_an_untitled_article_is_stored_and_indexed_without_a_title(location: str) -> None:
    """No placeholder is stored or indexed: "untitled" matches nothing, the title is None."""
    text = "The lighthouse keeper climbed the spiral stairs every evening at dusk."
    async with Library.open(location) as library:
        added = await library.add("c", Document(title=None, text=text))
        blank = await library.add("c", Document(title="  \n ", text=text + " Again."))
        answer = await library.ask("c", "untitled")
    assert added.article.title is None
    assert blank.article.title is None
    assert answer.results == []
    assert answer.unknown_words == ["untitled"]


async def test_closing_waits_for_a_write_in_progress_and_refuses_new_ones(
    location: str,
) -> None:
    """close() lets a running add finish, then any further write is a ClosingError."""
    release = asyncio.Event()

    async def slow_progress(step: str) -> None:
        if step == "indexing":
            await release.wait()

    async with Library.open(location) as library:
        adding = asyncio.create_task(
            library.add("c", _doc("A sentence about lighthouses."), progress=slow_progress)
        )
        await asyncio.sleep(0.05)
        closing = asyncio.create_task(library.close(grace=5))
        await asyncio.sleep(0.05)
        assert not closing.done()
        with pytest.raises(ClosingError):
            await library.add("c", _doc("Another sentence about ships."))
        release.set()
        added = await adding
        await closing
        assert added.status == "added"
        assert [a.id for a in await library.articles("c")] == [added.article.id]


async def test_closing_gives_up_waiting_after_the_grace_period(location: str) -> None:
    """A write that does not finish in time does not hold closing up for ever."""
    never = asyncio.Event()

    async def stuck(step: str) -> None:
        await never.wait()

    async with Library.open(location) as library:
        adding = asyncio.create_task(library.add("c", _doc("Stuck text."), progress=stuck))
        await asyncio.sleep(0.05)
        async with asyncio.timeout(2):
            await library.close(grace=0.1)
        adding.cancel()
        assert await library.articles("c") == []


_ADD_AT = """
import asyncio, sys, time
from index import Document, Library

async def main():
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
    async with Library.open(sys.argv[1]) as library:
        for text in sys.argv[3:]:
            await library.add("c", Document(title=None, text=text))

asyncio.run(main())
"""


def _add_at_once(path: str, texts: list[list[str]]) -> list[tuple[int, str]]:
    start = time.time() + 1.5  # after every interpreter has started
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _ADD_AT, str(path), str(start), *mine],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for mine in texts
    ]
    outcomes = [p.communicate(timeout=120) for p in processes]
    return [(p.returncode, err.decode()) for p, (_, err) in zip(processes, outcomes, strict=True)]


@pytest.mark.parametrize("existing", [False, True], ids=["new library", "existing library"])
def test_processes_adding_new_words_at_once_all_succeed(location: str, existing: bool) -> None:
    """Four processes add articles sharing new words at the same moment: every add is stored."""
    path = location
    if existing:
        _add_at_once(path, [["An old article about harbours and their lights."]])
    per_process = [
        [
            f"Keeper {p} saw the lighthouse{n} beam over quay{p} and the shared reef{n}."
            for n in range(3)
        ]
        for p in range(4)
    ]
    assert _add_at_once(path, per_process) == [(0, "")] * 4

    async def check() -> tuple[int, list[int]]:
        async with Library.open(path) as library:
            answer = await library.ask("c", "reef2 quay3 lighthouse1", k=10)
            return len(await library.articles("c")), [r.article.id for r in answer.results]

    count, found = asyncio.run(check())
    assert count == 12 + existing
    assert found


def test_processes_adding_the_same_article_at_once_store_it_once(location: str) -> None:
    """Four processes add the same text at the same moment: all succeed, one article stored."""
    path = location
    same = "The keeper of the northern light kept a log of every passing ship."
    assert _add_at_once(path, [[same]] * 4) == [(0, "")] * 4

    async def count() -> int:
        async with Library.open(path) as library:
            return len(await library.articles("c"))

    assert asyncio.run(count()) == 1


_ADD_ALL = """
import asyncio, sys
from index import Document, Library

async def main():
    async with Library.open(sys.argv[1]) as library:
        for n in range(int(sys.argv[2])):
            words = " ".join(f"word{n}x{i}" for i in range(400))
            await library.add("c", Document(title=f"Article {n}", text=f"{words}."))
    print("done", flush=True)

asyncio.run(main())
"""

_ORPHAN_PASSAGES = "SELECT count(*) FROM passages WHERE article_id NOT IN (SELECT id FROM articles)"
_ARTICLES_WITHOUT_PASSAGES = (
    "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM passages)"
)


def test_a_writer_killed_at_any_moment_leaves_no_half_article(location: str) -> None:
    """kill -9 of an adding process, 20 times at random moments: whole articles only; a re-run
    adds exactly the missing ones. The library exists first: a kill before a new library's
    migrations commit leaves no tables at all, which is another test's subject."""
    path, articles = location, 30
    rng = random.Random(7)
    created = [sys.executable, "-c", _ADD_ALL, str(path), "0"]
    assert subprocess.run(created, capture_output=True, text=True, check=True).stdout == "done\n"
    for _ in range(20):
        process = subprocess.Popen(
            [sys.executable, "-c", _ADD_ALL, str(path), str(articles)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if not is_postgres(location):
            assert query(location, "PRAGMA integrity_check") == [("ok",)]
        assert query(location, _ORPHAN_PASSAGES) == [(0,)]
        assert query(location, _ARTICLES_WITHOUT_PASSAGES) == [(0,)]
    done = subprocess.run(
        [sys.executable, "-c", _ADD_ALL, str(path), str(articles)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stdout == "done\n", done.stderr
    titles = [row[0] for row in query(location, "SELECT title FROM articles ORDER BY title")]
    assert titles == sorted(f"Article {n}" for n in range(articles))


_WRITE = """
import asyncio, sys
from index import Document, FetchSettings, Library, LibrarySettings

async def main():
    command, *args = sys.argv[2:]
    settings = LibrarySettings(fetch=FetchSettings(allow_private=True))
    async with Library.open(sys.argv[1], settings) as library:
        if command == "add":
            await library.add("c", Document(title=args[0], text=args[1]))
        elif command == "add_url":
            await library.add_url("c", args[0])
        elif command == "refresh":
            await library.refresh("c", int(args[0]))
        else:
            await library.remove("c", int(args[0]))

asyncio.run(main())
"""


# Opens the library at argv[1] to read, with passages of another size than it was indexed with.
_READ_WITH_OTHER_SETTINGS = """
import asyncio, sys
from index import Library, LibrarySettings, PassageSettings, StorageError

async def main():
    other = LibrarySettings(passages=PassageSettings(target_words=40, max_words=60, min_words=20))
    try:
        async with Library.open(sys.argv[1], other, create=False, writable=False):
            print("opened")
    except StorageError as exc:
        print(exc)

asyncio.run(main())
"""


async def _in_another_process(path: str, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _WRITE, str(path), *args, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()


async def _titles(library: Library, question: str) -> list[str | None]:
    answer = await library.ask("c", question, k=5)
    return [result.article.title for result in answer.results]


async def test_a_long_lived_library_sees_other_processes_writes_at_its_next_question(
    location: str, site: Site
) -> None:
    """Another process adds, refreshes and removes while this library stays open (its index
    and vocabulary loaded): each question sees the library as it is now."""
    path = location
    url = site.put("/light", page("Northern light", LIGHTHOUSE))
    async with Library.open(path, LibrarySettings(fetch=FetchSettings(allow_private=True))) as lib:
        await lib.add("c", _doc("Herons stand still in shallow water for hours.", "Herons"))
        assert await _titles(lib, "herons water") == ["Herons"]
        await _in_another_process(path, "add", "Quays", "Zanzibar quays unload cloves at dawn.")
        assert await _titles(lib, "When do Zanzibar quays unload cloves?") == ["Quays"]
        await _in_another_process(path, "add_url", url)
        assert await _titles(lib, "Who was the first keeper?") == ["Northern light"]
        rewritten = [*LIGHTHOUSE[:1], "Its keeper today is a robot named Orrin.", *LIGHTHOUSE[2:]]
        site.put("/light", page("Northern light", rewritten))
        await _in_another_process(path, "refresh", "3")
        assert "Orrin" in (await lib.ask("c", "Which robot keeps it?")).results[0].quote
        assert (await lib.ask("c", "Thomas Reid")).results == []
        await _in_another_process(path, "remove", "2")
        assert await _titles(lib, "When do Zanzibar quays unload cloves?") == []
        assert [a.id for a in await lib.articles("c")] == [1, 3]
        assert (
            await lib.add("c", _doc("Orrin oils the Zanzibar lamp nightly.", "Oil"))
        ).status == "added"
        assert await _titles(lib, "Who oils the Zanzibar lamp?") == ["Oil"]


@pytest.mark.usefixtures("permissions_apply")
async def test_a_library_read_without_write_access_is_not_reindexed(tmp_path: Path) -> None:
    """Other analysis settings and no write access: one line, and the index stays as it was."""
    folder = tmp_path / "lib"
    async with Library.open(folder / "lib.db") as library:
        await library.add("console", _doc("The keeper climbed the stairs every evening."))
    before = (folder / "lib.db").read_bytes()
    confined.make_read_only(folder / "lib.db", folder)
    try:
        ran = confined.run(
            confined.without_override(
                confined.python(_READ_WITH_OTHER_SETTINGS, str(folder / "lib.db"))
            )
        )
    finally:
        confined.make_writable(folder)
    assert (ran.out, ran.err) == (
        f"{folder / 'lib.db'} was indexed with other settings: open it once with write access"
        " to re-index it\n",
        "",
    )
    assert (folder / "lib.db").read_bytes() == before


async def _answers(location: str, shared: Path) -> list[list[tuple[str | None, str, float]]]:
    """Six SQuAD articles and the sample, then 150 of their questions: every result's
    article, quote and score."""
    squad = shared / "eval/squad-dev-a"
    with (squad / "articles.jsonl").open() as f:
        articles = [json.loads(line) for line in f][:6]
    with (squad / "questions.jsonl").open() as f:
        ids = {a["id"] for a in articles}
        questions = [q["question"] for q in map(json.loads, f) if q["article_id"] in ids][:150]
    async with Library.open(location) as library:
        await library.add("c", load_file(shared / "samples/china-russia-article.txt"))
        for article in articles:
            await library.add("c", Document(title=article["title"], text=article["text"]))
        answers = [await library.ask("c", q, k=3) for q in [XI_QUESTION, *questions]]
    return [[(r.article.title, r.quote, round(r.score, 9)) for r in a.results] for a in answers]


async def test_the_seed_questions_are_answered_the_same_on_both_backends(
    tmp_path: Path, shared: Path, postgres: PostgresServer
) -> None:
    """The same articles and questions through SQLite and through PostgreSQL: the same
    results, quotes and scores, in the same order."""
    on_sqlite = await _answers(str(tmp_path / "lib.db"), shared)
    on_postgres = await _answers(postgres.new_database(), shared)
    assert sum(map(len, on_sqlite)) > 300
    assert on_postgres == on_sqlite


SAMPLE_QUESTIONS = [
    XI_QUESTION,
    "Who is Russia's ambassador to China?",
    "What did Joe Biden say about intellectual property and human rights?",
    "Will the two countries have to work together against whatever US throws at them?",
    "Are China and Russia being challenged by the US?",
    "Did both countries fly nuclear capable bombers in East seas?",
    "What did the Russian Presidential office say?",
    "Is there an investment deal between China and the EU?",
    "What areas of cooperation like 5G and Big Data are planned?",
    "How did the countries contain the COVID-19 pandemic?",
    "What is the Nord Stream 2 pipeline?",
    "Will the U.S. take a more rational position?",
    "When is the inauguration of Joe Biden?",
    "What did Xi Jinping tell Putin in the phone conversation?",
    "Can external factors affect bilateral relations?",
    "Did the selling of military hardware to India raise eyebrows in China?",
]


def _sentence_edges(text: str) -> tuple[set[int], set[int]]:
    """Where sentencex says the sentences of each paragraph begin and end (never cut)."""
    import sentencex

    starts, ends = set(), set()
    offset = 0
    for paragraph in text.split("\n"):
        for b in sentencex.get_sentence_boundaries("en", paragraph):
            sentence = paragraph[b["start_index"] : b["end_index"]]
            lead = len(sentence) - len(sentence.lstrip())
            starts.add(offset + b["start_index"] + lead)
            ends.add(offset + b["start_index"] + len(sentence.rstrip()))
        offset += len(paragraph) + 1
    return starts, ends


async def test_no_quote_of_the_sample_cuts_a_sentence_without_saying_so(
    tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen questions on the sample article: each top quote begins where a sentence begins
    unless `quote_cut` says it begins inside one, and the same for its end (on main, three
    began or ended inside a sentence unmarked, one with "US and they will have to..."). Its
    sentences are short enough to be quoted whole: here a quote is completed within its
    sentence only up to the word limit, so that some quotes cut theirs."""
    monkeypatch.setattr(quotes, "SENTENCE_WORDS", quotes.MAX_QUOTE_WORDS)
    document = load_file(shared / "samples/china-russia-article.txt")
    starts, ends = _sentence_edges(document.text)
    async with Library.open(tmp_path / "lib.db") as library:
        await library.add("c", document)
        answers = [await library.ask("c", q, k=1) for q in SAMPLE_QUESTIONS]
    cut = 0
    for answer in answers:
        result = answer.results[0]
        start = result.passage_start + result.quote_start
        end = start + len(result.quote)
        assert (start not in starts) == result.quote_cut[0], answer.question
        assert (end not in ends) == result.quote_cut[1], answer.question
        cut += any(result.quote_cut)
    assert not answers[3].results[0].quote.startswith("US and they")
    assert cut >= 1
