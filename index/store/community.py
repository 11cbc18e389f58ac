"""The store interface with its community half: a server's settings, topics, the question log
and votes (`CommunityStore`, a `base.Store` that also keeps these), and the records it returns.

Both backends implement it in a mixin of their own (`sqlite_community`, `postgres_community`).
Settings are rows of text (`index.community` gives them their types); questions are kept only
when a server's curators turn the log on, and votes carry a keyed hash instead of a user id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from index.store.base import ArticleInfo, Store, StoredPassage, now

# SQL both backends run, with PostgreSQL's placeholders ($1, $2...; SQLite's are ?1, ?2...)
ARTICLE = (
    "a.id, a.collection, a.title, a.url, a.author, a.published, a.site, a.source, a.added_by,"
    " a.added_at, (SELECT count(*) FROM passages p2 WHERE p2.article_id = a.id)"
)
SET_SETTING = (
    "INSERT INTO server_settings (collection, key, value) VALUES ($1, $2, $3)"
    " ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value"
)
RECORD_VOTE = (
    "INSERT INTO votes (message_id, voter, collection, helpful, article_id, passage_start,"
    " voted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id, voter) DO UPDATE"
    " SET helpful = excluded.helpful, article_id = excluded.article_id,"
    " passage_start = excluded.passage_start, voted_at = excluded.voted_at"
)
UNANSWERED = (
    "SELECT min(question), count(*) AS n FROM questions WHERE collection = $1"
    " AND article_id IS NULL GROUP BY lower(question) ORDER BY n DESC, max(asked_at) DESC"
    " LIMIT $2"
)
ANSWERING = (
    f"SELECT {ARTICLE}, count(*) AS n FROM questions q JOIN articles a ON a.id = q.article_id"
    " WHERE q.collection = $1 GROUP BY a.id ORDER BY n DESC, a.id LIMIT $2"
)
FORGET_VOTES = "DELETE FROM votes WHERE collection = $1 AND voted_at < $2"
PASSAGE_AT = "SELECT id FROM passages WHERE collection = $1 AND article_id = $2 AND start = $3"


def vote_row(vote: Vote) -> tuple[object, ...]:
    """A vote's values in `RECORD_VOTE`'s order, stamped now."""
    return (vote.message_id, vote.voter, vote.collection, int(vote.helpful), vote.article_id,
            vote.passage_start, now())  # fmt: skip


@dataclass(frozen=True)
class Vote:
    """A vote on the passage an answer message showed."""

    collection: str
    message_id: int
    voter: str  # a keyed hash of the message and user ids
    helpful: bool
    article_id: int
    passage_start: int


@dataclass(frozen=True)
class PassageVotes:
    """How a passage was voted on, and the logged questions of the answers that showed it."""

    article: ArticleInfo
    passage_start: int
    unhelpful: int
    helpful: int
    questions: tuple[str, ...]
    excerpt: str = ""  # the passage's start (filled in by `index.community`)


@dataclass(frozen=True)
class Usage:
    """What `/article stats` shows: the logged questions that found nothing (with how often,
    most frequent first), the passages voted least helpful, the articles answering most
    often (with how often), and how many questions the log holds."""

    unanswered: list[tuple[str, int]]
    unhelpful: list[PassageVotes]
    answering: list[tuple[ArticleInfo, int]]
    logged: int


class CommunityStore(Store, Protocol):
    """Everything the library asks of a database: `Store`, and what a server's curators set
    and learn (see the module)."""

    async def server_settings(self, collection: str) -> dict[str, str]:
        """The settings stored for a collection (key -> value)."""
        ...

    async def set_server_settings(self, collection: str, values: Mapping[str, str | None]) -> None:
        """Store these settings at once (None removes one); other processes see them at their
        next look (a change other processes hear, like any write)."""
        ...

    async def set_article_topics(
        self, collection: str, article_id: int, topics: Sequence[str]
    ) -> ArticleInfo:
        """Replace an article's topics; NotFoundError if the collection has no such article."""
        ...

    async def article_topics(self, collection: str) -> dict[int, list[str]]:
        """Each article's topics (articles without any are left out), sorted."""
        ...

    async def topic_counts(self, collection: str) -> list[tuple[str, int]]:
        """Every topic of the collection's articles with how many carry it, by name."""
        ...

    async def topic_passages(self, collection: str, topics: Sequence[str]) -> list[int]:
        """The ids of the passages of the articles carrying any of `topics`."""
        ...

    async def set_feed_topics(self, feed_id: int, topics: Sequence[str]) -> None: ...

    async def feed_topics(self, feed_id: int) -> list[str]: ...

    async def passage_at(
        self, collection: str, article_id: int, start: int
    ) -> StoredPassage | None:
        """The passage of an article that starts at `start`; None if it is gone."""
        ...

    async def vote_key(self) -> bytes:
        """The library's secret key for hashing voters (made on first use, then kept)."""
        ...

    async def log_question(
        self,
        collection: str,
        question: str,
        message_id: int | None,
        article_id: int | None,
        asked_at: str,
        forget_before: str,
    ) -> None:
        """Keep a question asked at `asked_at` (the article of its first result, or None),
        and forget the collection's questions asked before `forget_before` (times as `now`
        gives them)."""
        ...

    async def erase_questions(self, collection: str, before: str | None = None) -> int:
        """Forget a collection's logged questions (asked before `before`, or all); how many."""
        ...

    async def forget_votes(self, collection: str, before: str) -> None:
        """Forget a collection's votes cast before `before`."""
        ...

    async def record_vote(self, vote: Vote) -> None:
        """Keep a vote, replacing the voter's earlier vote on the same answer message."""
        ...

    async def usage(self, collection: str, limit: int) -> Usage:
        """What curators are shown (`Usage`), each list at most `limit` long."""
        ...
