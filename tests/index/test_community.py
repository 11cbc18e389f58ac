"""A server's settings, topics, question log and votes (index/community.py and both stores'
community halves), each test run on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from index import Document, InputError, Library, NotFoundError, topic_names
from index.community import ServerSettings, follow_up_counts
from index.store.base import now

GUILD = "guild:1"
OTTERS = "Otters hold hands while they sleep so that they do not drift apart on the sea."
MOLES = "Moles dig tunnels with their broad front paws and eat earthworms underground."


async def add(library: Library, text: str, collection: str = GUILD) -> int:
    return (await library.add(collection, Document(None, text))).article.id


async def test_settings_changed_in_one_process_are_seen_by_another(location: str) -> None:
    """Two libraries on one database (two processes' view): a change made through one is read
    by the other at its next look, though it had cached the old settings."""
    async with Library.open(location) as one, Library.open(location) as other:
        assert (await other.community.settings(GUILD)).answer_channels == frozenset()
        await one.community.answer_in(GUILD, 42, True)
        await one.community.ask_in(GUILD, 7, True)
        await one.community.bind_topics(GUILD, 42, ["Marketing", "sales"])
        await one.community.keep_questions(GUILD, True, 10)
        for _ in range(100):  # PostgreSQL delivers the notification a moment later
            seen = await other.community.settings(GUILD)
            if seen.answer_channels:
                break
        assert seen == ServerSettings(
            frozenset({42}), frozenset({7}), {42: ("marketing", "sales")}, True, 10
        )
        assert (await other.community.settings("guild:2")) == ServerSettings()


async def test_answer_channels_add_remove_and_clear(location: str) -> None:
    """Listing channels limits where mentions are answered; removing the last or clearing
    answers everywhere again."""
    async with Library.open(location) as library:
        community = library.community
        await community.answer_in(GUILD, 1, True)
        settings = await community.answer_in(GUILD, 2, True)
        assert settings.answers_in(1) and settings.answers_in(5, 2) and not settings.answers_in(3)
        settings = await community.answer_in(GUILD, 1, False)
        assert settings.answer_channels == {2}
        settings = await community.answer_in(GUILD, None, True)
        assert settings.answers_in(3)


def test_a_threads_own_topics_come_before_its_parents() -> None:
    """topics_in looks at the thread, then its channel; a channel without topics has none."""
    settings = ServerSettings(channel_topics={1: ("a",), 2: ("b",)})
    assert settings.topics_in(2, 1) == ("b",)
    assert settings.topics_in(3, 1) == ("a",)
    assert settings.topics_in(3, None) == ()


def test_topic_names_are_folded_and_checked() -> None:
    """Topics are case-folded, spaces collapsed, each once; odd or long ones are refused."""
    assert topic_names(" Marketing ,  Sales  Ops,marketing,") == ["marketing", "sales ops"]
    with pytest.raises(InputError, match="is not a topic"):
        topic_names("<script>")
    with pytest.raises(InputError, match="is not a topic"):
        topic_names("x" * 33)
    with pytest.raises(InputError, match="at most 10 topics"):
        topic_names(",".join(f"t{i}" for i in range(11)))


async def test_asking_within_a_topic_searches_only_its_articles(location: str) -> None:
    """With topics, only the passages of articles carrying one are candidates; the same
    question without topics finds the other article too."""
    async with Library.open(location) as library:
        otters = await add(library, OTTERS + " Otters also dig for clams.")
        moles = await add(library, MOLES)
        await library.community.set_topics(GUILD, moles, ["Gardens"])
        everywhere = await library.ask(GUILD, "Who digs?", 3)
        assert {r.article.id for r in everywhere.results} == {otters, moles}
        within = await library.ask(GUILD, "Who digs?", 3, topics=["gardens"])
        assert [r.article.id for r in within.results] == [moles]
        nowhere = await library.ask(GUILD, "Who digs?", 3, topics=["space"])
        assert nowhere.results == []
        assert await library.community.article_topics(GUILD) == {moles: ["gardens"]}
        assert await library.community.topics(GUILD) == [("gardens", 1)]


async def test_topics_of_an_unknown_article_are_refused(location: str) -> None:
    """Setting topics on an article the collection does not hold is a NotFoundError."""
    async with Library.open(location) as library:
        other = await add(library, OTTERS, "guild:2")
        with pytest.raises(NotFoundError):
            await library.community.set_topics(GUILD, other, ["sea"])


async def test_removing_an_article_removes_its_topics(location: str) -> None:
    """A removed article's topics go with it."""
    async with Library.open(location) as library:
        article = await add(library, OTTERS)
        await library.community.set_topics(GUILD, article, ["sea"])
        await library.remove(GUILD, article)
        assert await library.community.topics(GUILD) == []


def test_follow_up_counts_weigh_the_earlier_question_lower() -> None:
    """A follow-up's own terms count twice, the earlier question's others once each."""
    assert follow_up_counts(["date"], []) == Counter({"date": 1})
    assert follow_up_counts(["date", "deal"], ["sign", "deal", "russia", "russia"]) == Counter(
        {"date": 2, "deal": 2, "sign": 1, "russia": 1}
    )


async def test_a_follow_up_finds_what_needs_the_earlier_question(location: str) -> None:
    """ "When was it signed?" alone finds the treaty of another country; after "the deal with
    Russia" it finds the Russian deal's date."""
    async with Library.open(location) as library:
        await add(library, "The Norway treaty was signed in 1905 after long talks in Oslo.")
        russia = await add(
            library,
            "Kazakhstan negotiated a gas deal with Russia for many months. "
            "The agreement was signed in March 2019 in Astana.",
        )
        alone = await library.ask(GUILD, "When was it signed?", 1)
        assert alone.results and alone.results[0].article.id != russia
        after = await library.ask(
            GUILD, "When was it signed?", 1, earlier="Who made the gas deal with Russia?"
        )
        assert after.results[0].article.id == russia
        assert "March 2019" in after.results[0].quote


async def test_questions_are_kept_only_when_the_log_is_on(location: str) -> None:
    """Off (the default): nothing is stored. On: questions are kept, unanswered ones counted
    most frequent first, answering articles counted; erase forgets them all."""
    async with Library.open(location) as library:
        community = library.community
        article = await add(library, OTTERS)
        assert not await community.log_question(GUILD, "Where are penguins?", 1, None)
        assert (await community.usage(GUILD)).logged == 0
        await community.keep_questions(GUILD, True)
        for message, question, found in [
            (2, "Where are penguins?", None),
            (3, "where are PENGUINS?", None),
            (4, "What is a vole?", None),
            (5, "Do otters sleep?", article),
        ]:
            assert await community.log_question(GUILD, question, message, found)
        usage = await community.usage(GUILD)
        assert usage.logged == 4
        assert [n for _, n in usage.unanswered] == [2, 1]
        assert usage.unanswered[0][0].casefold() == "where are penguins?"
        assert [(a.id, n) for a, n in usage.answering] == [(article, 1)]
        assert await community.erase_questions(GUILD) == 4
        assert (await community.usage(GUILD)).logged == 0


async def test_questions_past_the_retention_are_forgotten(location: str) -> None:
    """A question older than the server's retention is gone at the next log or look."""
    async with Library.open(location) as library:
        community = library.community
        await community.keep_questions(GUILD, True, 30)
        store = library._store
        await store.log_question(GUILD, "old", 1, None, now(-31 * 86400), now(-40 * 86400))
        await store.log_question(GUILD, "recent", 2, None, now(-29 * 86400), now(-40 * 86400))
        usage = await community.usage(GUILD)
        assert [q for q, _ in usage.unanswered] == ["recent"]
        await community.keep_questions(GUILD, True, 1)
        assert (await community.usage(GUILD)).logged == 0


async def test_one_vote_per_user_and_answer_which_can_change(location: str) -> None:
    """Votes are counted per passage; a user's second vote on an answer replaces the first;
    the passages voted not helpful come with the logged questions that showed them; no user
    id is stored."""
    async with Library.open(location) as library:
        community = library.community
        article = await add(library, OTTERS)
        await community.keep_questions(GUILD, True)
        await community.log_question(GUILD, "Do otters drift?", 100, article)
        user = 987654321987654321
        await community.vote(GUILD, 100, user, True, article, 0)
        await community.vote(GUILD, 100, user, False, article, 0)  # changed their mind
        await community.vote(GUILD, 100, 5, False, article, 0)
        await community.vote(GUILD, 101, user, True, article, 0)  # another answer
        usage = await community.usage(GUILD)
        [passage] = usage.unhelpful
        assert (passage.article.id, passage.passage_start) == (article, 0)
        assert (passage.unhelpful, passage.helpful) == (2, 1)
        assert passage.questions == ("Do otters drift?",)
        assert passage.excerpt == "Otters hold hands while they sleep so that they do not drift"
        stored = await _all_votes(library)
        assert len(stored) == 3 and all(str(user) not in v and v != "5" for v in stored)


async def _all_votes(library: Library) -> list[str]:
    """Every stored voter, read straight from the database."""
    store = library._store
    fetch = getattr(store, "_fetch", None)
    if fetch is not None:
        return [row[0] for row in await fetch("SELECT voter FROM votes")]
    async with store._db.execute("SELECT voter FROM votes") as cursor:  # type: ignore[attr-defined]
        return [row[0] for row in await cursor.fetchall()]


async def test_the_passage_a_button_names_and_a_removed_one(location: str) -> None:
    """passage() finds a passage by its article and start, and None once it is removed."""
    async with Library.open(location) as library:
        article = await add(library, OTTERS)
        found = await library.community.passage(GUILD, article, 0)
        assert found is not None and found.passage.startswith("Otters hold hands")
        assert await library.community.passage(GUILD, article, 5) is None
        assert await library.community.has_article(GUILD, article)
        assert not await library.community.has_article("guild:2", article)
        await library.remove(GUILD, article)
        assert await library.community.passage(GUILD, article, 0) is None
        assert not await library.community.has_article(GUILD, article)


async def test_feed_topics_are_stored(location: str) -> None:
    """A feed's topics are kept for the articles it will bring (see test_following)."""
    async with Library.open(location) as library:
        store = library._store
        feed = await store.add_feed(GUILD, "https://example.com/feed", "Feed", None)
        await library.community.set_feed_topics(feed.id, ["News", "news", "World"])
        assert await store.feed_topics(feed.id) == ["news", "world"]


async def test_votes_past_the_retention_and_of_removed_articles_are_forgotten(
    location: str,
) -> None:
    """A vote older than the retention is gone at the next look; so are a removed article's."""
    async with Library.open(location) as library:
        community = library.community
        old, kept = await add(library, OTTERS), await add(library, MOLES)
        await community.vote(GUILD, 1, 1, False, old, 0)
        await community.vote(GUILD, 2, 1, False, kept, 0)
        await community.keep_questions(GUILD, False, 1)
        assert len(await _all_votes(library)) == 2
        await library._store.forget_votes(GUILD, now(60))  # as if a day had passed
        assert await _all_votes(library) == []
        await community.vote(GUILD, 3, 1, False, old, 0)
        await library.remove(GUILD, old)
        assert await _all_votes(library) == []
        assert (await community.usage(GUILD)).unhelpful == []
