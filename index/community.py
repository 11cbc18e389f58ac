"""What a server's curators set and learn: its settings, topics, the question log and votes.

Settings live in the library's database, not in the environment, so that every process serving
the server sees the same: each process caches a server's settings and reads them again whenever
the store says another process has written (the cheap test made before each question), or after
changing them itself. Questions are kept only while a server's curators keep the log on, for
`retention_days` at most; votes, kept as long, carry a keyed hash of the message and user ids
(so that a voter can change their vote but cannot be named, nor followed from one answer to
another).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from index.errors import InputError, NotFoundError
from index.rank import Result
from index.store.base import ArticleInfo, now
from index.store.community import CommunityStore, Usage, Vote

RETENTION_DAYS = 30  # how long logged questions are kept, unless a server says otherwise
RETENTION_MAX = 365
TOPIC_LENGTH = 32
TOPICS_MAX = 10  # topics an article, a feed or a channel carries at most
_TOPIC = re.compile(r"^[\w][\w .&+-]*$")
DAY = 86400.0
EXCERPT_WORDS = 12  # words of a passage shown in the stats

# the keys of the stored settings
ANSWER_CHANNELS = "answer_channels"
ASK_CHANNELS = "ask_channels"
KEEP_QUESTIONS = "keep_questions"
RETENTION = "retention_days"
CHANNEL_TOPICS = "topics:"  # followed by the channel's id


def topic_names(text: str | Iterable[str]) -> list[str]:
    """Topics as stored: case-folded, spaces collapsed, each once (from a comma-separated text
    or a list); an InputError names a topic that is too long or holds odd characters."""
    items = text.split(",") if isinstance(text, str) else list(text)
    topics = list(dict.fromkeys(" ".join(t.split()).casefold() for t in items if t.strip()))
    for topic in topics:
        if len(topic) > TOPIC_LENGTH or not _TOPIC.match(topic):
            raise InputError(
                f"{topic[:TOPIC_LENGTH]!r} is not a topic: use at most {TOPIC_LENGTH} letters,"
                " digits, spaces and - . & +"
            )
    if len(topics) > TOPICS_MAX:
        raise InputError(f"at most {TOPICS_MAX} topics, not {len(topics)}")
    return topics


FOLLOW_UP = 2  # a follow-up's own terms count this many times as much as the earlier question's


def follow_up_counts(terms: Sequence[str], earlier: Sequence[str]) -> Counter[str]:
    """How often each term counts in a question's search: its own terms, and for a follow-up
    also the earlier question's other terms, once each, at half the weight of its own (so
    that "and when was that?" after "Who signed the deal with Russia?" finds the deal)."""
    counts = Counter(terms)
    if not earlier:
        return counts
    weighted = Counter({term: n * FOLLOW_UP for term, n in counts.items()})
    weighted.update(dict.fromkeys((t for t in earlier if t not in counts), 1))
    return weighted


def _ids(value: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (value or "").split() if part.isdigit())


def _id_text(ids: Iterable[int]) -> str | None:
    return " ".join(map(str, sorted(set(ids)))) or None


@dataclass(frozen=True)
class ServerSettings:
    """A server's settings. No answer channels: mentions are answered everywhere."""

    answer_channels: frozenset[int] = frozenset()
    ask_channels: frozenset[int] = frozenset()
    channel_topics: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    keep_questions: bool = False
    retention_days: int = RETENTION_DAYS

    @classmethod
    def parse(cls, stored: Mapping[str, str]) -> ServerSettings:
        days = stored.get(RETENTION, "")
        return cls(
            answer_channels=_ids(stored.get(ANSWER_CHANNELS)),
            ask_channels=_ids(stored.get(ASK_CHANNELS)),
            channel_topics={
                int(key.removeprefix(CHANNEL_TOPICS)): tuple(value.split(","))
                for key, value in stored.items()
                if key.startswith(CHANNEL_TOPICS) and key.removeprefix(CHANNEL_TOPICS).isdigit()
            },
            keep_questions=stored.get(KEEP_QUESTIONS) == "1",
            retention_days=int(days) if days.isdigit() else RETENTION_DAYS,
        )

    def answers_in(self, *channels: int | None) -> bool:
        """Whether mentions are answered in a channel (or thread: give its id and its parent's)."""
        return not self.answer_channels or any(c in self.answer_channels for c in channels)

    def asks_in(self, *channels: int | None) -> bool:
        """Whether every message in this channel (or thread, and parent) is a question."""
        return any(c in self.ask_channels for c in channels)

    def topics_in(self, *channels: int | None) -> tuple[str, ...]:
        """The topics a channel is bound to (a thread's own, else its parent's); () for all."""
        for channel in channels:
            if channel is not None and channel in self.channel_topics:
                return self.channel_topics[channel]
        return ()


class Community:
    """A library's server settings, topics, question log and votes (see the module)."""

    def __init__(self, store: CommunityStore) -> None:
        self._store = store
        self._cache: dict[str, tuple[int, ServerSettings]] = {}
        self._key: bytes | None = None

    # --- settings ----------------------------------------------------------------------------

    async def settings(self, collection: str) -> ServerSettings:
        """The collection's settings, as stored now (cached until anyone writes)."""
        version = await self._store.version()  # before reading: a later write shows
        cached = self._cache.get(collection)
        if cached is not None and cached[0] == version:
            return cached[1]
        found = ServerSettings.parse(await self._store.server_settings(collection))
        self._cache[collection] = (version, found)
        return found

    async def _change(self, collection: str, values: Mapping[str, str | None]) -> ServerSettings:
        await self._store.set_server_settings(collection, values)
        self._cache.pop(collection, None)
        return await self.settings(collection)

    async def answer_in(
        self, collection: str, channel_id: int | None, answer: bool
    ) -> ServerSettings:
        """Add a channel to those where mentions are answered, or take it out; None with
        `answer` clears the list (answer everywhere)."""
        current = (await self.settings(collection)).answer_channels
        if channel_id is None:
            return await self._change(collection, {ANSWER_CHANNELS: None})
        channels = current | {channel_id} if answer else current - {channel_id}
        return await self._change(collection, {ANSWER_CHANNELS: _id_text(channels)})

    async def ask_in(self, collection: str, channel_id: int, ask: bool) -> ServerSettings:
        """Make a channel an ask channel (every message a question), or not."""
        current = (await self.settings(collection)).ask_channels
        channels = current | {channel_id} if ask else current - {channel_id}
        return await self._change(collection, {ASK_CHANNELS: _id_text(channels)})

    async def bind_topics(
        self, collection: str, channel_id: int, topics: Sequence[str]
    ) -> ServerSettings:
        """Bind a channel to topics (questions there search only their articles); () unbinds."""
        value = ",".join(topic_names(topics)) or None
        return await self._change(collection, {f"{CHANNEL_TOPICS}{channel_id}": value})

    async def keep_questions(
        self, collection: str, keep: bool, days: int = RETENTION_DAYS
    ) -> ServerSettings:
        """Turn the question log on (kept `days` days) or off."""
        if not 1 <= days <= RETENTION_MAX:
            raise InputError(f"questions are kept from 1 to {RETENTION_MAX} days, not {days}")
        return await self._change(
            collection, {KEEP_QUESTIONS: "1" if keep else None, RETENTION: str(days)}
        )

    # --- topics ------------------------------------------------------------------------------

    async def set_topics(
        self, collection: str, article_id: int, topics: Sequence[str]
    ) -> ArticleInfo:
        """Replace an article's topics (validated as `topic_names` does)."""
        return await self._store.set_article_topics(collection, article_id, topic_names(topics))

    async def article_topics(self, collection: str) -> dict[int, list[str]]:
        return await self._store.article_topics(collection)

    async def topics(self, collection: str) -> list[tuple[str, int]]:
        """Every topic of the collection, with how many articles carry it."""
        return await self._store.topic_counts(collection)

    async def set_feed_topics(self, feed_id: int, topics: Sequence[str]) -> None:
        """The topics a feed's new articles will carry."""
        await self._store.set_feed_topics(feed_id, topic_names(topics))

    # --- the passage a button names ----------------------------------------------------------

    async def passage(self, collection: str, article_id: int, start: int) -> Result | None:
        """The passage of an article starting at `start`, as a result without a quote; None
        when the article (or that passage of it) is gone."""
        row = await self._store.passage_at(collection, article_id, start)
        if row is None:
            return None
        return Result(1, 0.0, row.article, row.text, 0, 0, (), heading=row.heading,
                      passage_start=row.start)  # fmt: skip

    async def has_article(self, collection: str, article_id: int) -> bool:
        """Whether the collection still holds the article."""
        try:
            await self._store.get_article(collection, article_id)
        except NotFoundError:
            return False
        return True

    # --- the question log and votes ----------------------------------------------------------

    async def log_question(
        self, collection: str, question: str, message_id: int | None, article_id: int | None
    ) -> bool:
        """Keep a question and what answered it, if the server keeps questions; whether kept."""
        settings = await self.settings(collection)
        if not settings.keep_questions:
            return False
        forget = now(-settings.retention_days * DAY)
        await self._store.log_question(collection, question, message_id, article_id, now(), forget)
        return True

    async def erase_questions(self, collection: str) -> int:
        """Forget every logged question of the collection; how many there were."""
        return await self._store.erase_questions(collection)

    async def vote(
        self,
        collection: str,
        message_id: int,
        user_id: int,
        helpful: bool,
        article_id: int,
        start: int,
    ) -> None:
        """A user's vote on the passage an answer showed (replacing their earlier vote on it)."""
        if self._key is None:
            self._key = await self._store.vote_key()
        voter = hmac.new(self._key, f"{message_id}:{user_id}".encode(), hashlib.sha256)
        vote = Vote(collection, message_id, voter.hexdigest()[:32], helpful, article_id, start)
        await self._store.record_vote(vote)

    async def usage(self, collection: str, limit: int = 5) -> Usage:
        """What curators are shown: unanswered questions, unhelpful passages, the articles
        answering most (questions and votes past the retention are forgotten first)."""
        forget = now(-(await self.settings(collection)).retention_days * DAY)
        await self._store.erase_questions(collection, before=forget)
        await self._store.forget_votes(collection, forget)
        usage = await self._store.usage(collection, limit)
        for n, voted in enumerate(usage.unhelpful):
            row = await self._store.passage_at(collection, voted.article.id, voted.passage_start)
            excerpt = " ".join((row.text if row else "").split()[:EXCERPT_WORDS])
            usage.unhelpful[n] = replace(voted, excerpt=excerpt)
        return usage
