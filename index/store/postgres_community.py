"""A server's settings, topics, question log and votes in PostgreSQL (mixed into
`PostgresStore`; see `community.CommunityStore`). Settings and topics are written under the
library's write lock, so that other processes hear them; questions and votes are single
statements that need no lock."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

import asyncpg

from index.store.base import ArticleInfo, StoredPassage
from index.store.community import (
    ANSWERING,
    ARTICLE,
    FORGET_VOTES,
    PASSAGE_AT,
    RECORD_VOTE,
    SET_SETTING,
    UNANSWERED,
    PassageVotes,
    Usage,
    Vote,
    vote_row,
)
from index.store.sqlite_community import VOTE_KEY

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn


class PostgresCommunity:
    """The community half of the PostgreSQL store."""

    _fetch: Callable[..., Awaitable[list[asyncpg.Record]]]
    _transaction: Callable[[], AbstractAsyncContextManager[Conn]]
    get_article: Callable[[str, int], Awaitable[ArticleInfo]]
    get_passages: Callable[[str, Sequence[int]], Awaitable[dict[int, StoredPassage]]]

    async def server_settings(self, collection: str) -> dict[str, str]:
        rows = await self._fetch(
            "SELECT key, value FROM server_settings WHERE collection = $1", collection
        )
        return {row[0]: row[1] for row in rows}

    async def set_server_settings(self, collection: str, values: Mapping[str, str | None]) -> None:
        async with self._transaction() as conn:
            for key, value in values.items():
                if value is None:
                    await conn.execute(
                        "DELETE FROM server_settings WHERE collection = $1 AND key = $2",
                        collection,
                        key,
                    )
                else:
                    await conn.execute(SET_SETTING, collection, key, value)

    async def set_article_topics(
        self, collection: str, article_id: int, topics: Sequence[str]
    ) -> ArticleInfo:
        async with self._transaction() as conn:
            article = await self.get_article(collection, article_id)
            await conn.execute("DELETE FROM article_topics WHERE article_id = $1", article_id)
            await conn.executemany(
                "INSERT INTO article_topics (article_id, collection, topic) VALUES ($1, $2, $3)",
                [(article_id, collection, topic) for topic in dict.fromkeys(topics)],
            )
        return article

    async def article_topics(self, collection: str) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for row in await self._fetch(
            "SELECT article_id, topic FROM article_topics WHERE collection = $1"
            " ORDER BY article_id, topic",
            collection,
        ):
            found.setdefault(row[0], []).append(row[1])
        return found

    async def topic_counts(self, collection: str) -> list[tuple[str, int]]:
        rows = await self._fetch(
            "SELECT topic, count(*) FROM article_topics WHERE collection = $1"
            " GROUP BY topic ORDER BY topic",
            collection,
        )
        return [(row[0], row[1]) for row in rows]

    async def topic_passages(self, collection: str, topics: Sequence[str]) -> list[int]:
        rows = await self._fetch(
            "SELECT p.id FROM passages p WHERE p.article_id IN (SELECT article_id FROM"
            " article_topics WHERE collection = $1 AND topic = ANY($2)) ORDER BY p.id",
            collection,
            list(topics),
        )
        return [row[0] for row in rows]

    async def set_feed_topics(self, feed_id: int, topics: Sequence[str]) -> None:
        async with self._transaction() as conn:
            await conn.execute("DELETE FROM feed_topics WHERE feed_id = $1", feed_id)
            await conn.executemany(
                "INSERT INTO feed_topics (feed_id, topic) VALUES ($1, $2)",
                [(feed_id, topic) for topic in dict.fromkeys(topics)],
            )

    async def feed_topics(self, feed_id: int) -> list[str]:
        rows = await self._fetch(
            "SELECT topic FROM feed_topics WHERE feed_id = $1 ORDER BY topic", feed_id
        )
        return [row[0] for row in rows]

    async def passage_at(
        self, collection: str, article_id: int, start: int
    ) -> StoredPassage | None:
        rows = await self._fetch(PASSAGE_AT, collection, article_id, start)
        if not rows:
            return None
        return (await self.get_passages(collection, [rows[0][0]])).get(rows[0][0])

    async def vote_key(self) -> bytes:
        rows = await self._fetch("SELECT value FROM meta WHERE key = $1", VOTE_KEY)
        if not rows:
            async with self._transaction() as conn:
                await conn.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                    VOTE_KEY,
                    secrets.token_hex(32),
                )
            rows = await self._fetch("SELECT value FROM meta WHERE key = $1", VOTE_KEY)
        return bytes.fromhex(rows[0][0])

    async def log_question(
        self,
        collection: str,
        question: str,
        message_id: int | None,
        article_id: int | None,
        asked_at: str,
        forget_before: str,
    ) -> None:
        await self._fetch(
            "WITH kept AS (INSERT INTO questions (collection, question, message_id, article_id,"
            " asked_at) VALUES ($1, $2, $3, $4, $5)) DELETE FROM questions"
            " WHERE collection = $1 AND asked_at < $6",
            collection,
            question,
            message_id,
            article_id,
            asked_at,
            forget_before,
        )

    async def erase_questions(self, collection: str, before: str | None = None) -> int:
        rows = await self._fetch(
            "WITH gone AS (DELETE FROM questions WHERE collection = $1"
            " AND ($2::text IS NULL OR asked_at < $2) RETURNING 1) SELECT count(*) FROM gone",
            collection,
            before,
        )
        return int(rows[0][0])

    async def forget_votes(self, collection: str, before: str) -> None:
        await self._fetch(FORGET_VOTES, collection, before)

    async def record_vote(self, vote: Vote) -> None:
        await self._fetch(RECORD_VOTE, *vote_row(vote))

    async def usage(self, collection: str, limit: int) -> Usage:
        unanswered = await self._fetch(UNANSWERED, collection, limit)
        answering = await self._fetch(ANSWERING, collection, limit)
        voted = await self._fetch(
            f"SELECT {ARTICLE}, v.passage_start, sum(1 - v.helpful) AS bad, sum(v.helpful),"
            " array(SELECT DISTINCT q.question FROM questions q WHERE q.collection = $1 AND"
            " q.message_id = ANY(array_agg(v.message_id)) ORDER BY q.question)"
            " FROM votes v JOIN articles a ON a.id = v.article_id WHERE v.collection = $1"
            " GROUP BY a.id, v.passage_start HAVING sum(1 - v.helpful) > 0"
            " ORDER BY bad DESC, a.id, v.passage_start LIMIT $2",
            collection,
            limit,
        )
        logged = await self._fetch(
            "SELECT count(*) FROM questions WHERE collection = $1", collection
        )
        return Usage(
            [(row[0], row[1]) for row in unanswered],
            [
                PassageVotes(ArticleInfo(*row[:11]), row[11], row[12], row[13], tuple(row[14]))
                for row in voted
            ],
            [(ArticleInfo(*row[:11]), row[11]) for row in answering],
            int(logged[0][0]),
        )
