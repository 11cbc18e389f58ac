"""A server's settings, topics, question log and votes in SQLite (mixed into `SQLiteStore`,
whose connection and transactions they use; see `community.CommunityStore`)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiosqlite

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
from index.store.sqlite_changes import select_in

VOTE_KEY = "vote_key"  # the `meta` row holding the key voters are hashed with


def _sqlite(sql: str) -> str:
    """Shared SQL (`community`) with SQLite's numbered placeholders."""
    return sql.replace("$", "?")


class SQLiteCommunity:
    """The community half of the SQLite store."""

    _db: aiosqlite.Connection
    _transaction: Callable[[], AbstractAsyncContextManager[aiosqlite.Connection]]
    get_article: Callable[[str, int], Awaitable[ArticleInfo]]
    get_passages: Callable[[str, Sequence[int]], Awaitable[dict[int, StoredPassage]]]

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def server_settings(self, collection: str) -> dict[str, str]:
        rows = await self._rows(
            "SELECT key, value FROM server_settings WHERE collection = ?", (collection,)
        )
        return {key: value for key, value in rows}

    async def set_server_settings(self, collection: str, values: Mapping[str, str | None]) -> None:
        async with self._transaction() as db:
            for key, value in values.items():
                if value is None:
                    await db.execute(
                        "DELETE FROM server_settings WHERE collection = ? AND key = ?",
                        (collection, key),
                    )
                else:
                    await db.execute(_sqlite(SET_SETTING), (collection, key, value))

    async def set_article_topics(
        self, collection: str, article_id: int, topics: Sequence[str]
    ) -> ArticleInfo:
        async with self._transaction() as db:
            article = await self.get_article(collection, article_id)
            await db.execute("DELETE FROM article_topics WHERE article_id = ?", (article_id,))
            await db.executemany(
                "INSERT INTO article_topics (article_id, collection, topic) VALUES (?, ?, ?)",
                [(article_id, collection, topic) for topic in dict.fromkeys(topics)],
            )
        return article

    async def article_topics(self, collection: str) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for article_id, topic in await self._rows(
            "SELECT article_id, topic FROM article_topics WHERE collection = ?"
            " ORDER BY article_id, topic",
            (collection,),
        ):
            found.setdefault(article_id, []).append(topic)
        return found

    async def topic_counts(self, collection: str) -> list[tuple[str, int]]:
        rows = await self._rows(
            "SELECT topic, count(*) FROM article_topics WHERE collection = ?"
            " GROUP BY topic ORDER BY topic",
            (collection,),
        )
        return [(topic, count) for topic, count in rows]

    async def topic_passages(self, collection: str, topics: Sequence[str]) -> list[int]:
        if not topics:
            return []
        rows = await select_in(
            self._db,
            "SELECT p.id FROM passages p WHERE p.article_id IN (SELECT article_id FROM"
            " article_topics WHERE collection = ? AND topic IN ({marks})) ORDER BY p.id",
            list(topics),
            params=(collection,),
        )
        return [row[0] for row in rows]

    async def set_feed_topics(self, feed_id: int, topics: Sequence[str]) -> None:
        async with self._transaction() as db:
            await db.execute("DELETE FROM feed_topics WHERE feed_id = ?", (feed_id,))
            await db.executemany(
                "INSERT INTO feed_topics (feed_id, topic) VALUES (?, ?)",
                [(feed_id, topic) for topic in dict.fromkeys(topics)],
            )

    async def feed_topics(self, feed_id: int) -> list[str]:
        rows = await self._rows(
            "SELECT topic FROM feed_topics WHERE feed_id = ? ORDER BY topic", (feed_id,)
        )
        return [row[0] for row in rows]

    async def passage_at(
        self, collection: str, article_id: int, start: int
    ) -> StoredPassage | None:
        rows = await self._rows(_sqlite(PASSAGE_AT), (collection, article_id, start))
        if not rows:
            return None
        return (await self.get_passages(collection, [rows[0][0]])).get(rows[0][0])

    async def vote_key(self) -> bytes:
        rows = await self._rows("SELECT value FROM meta WHERE key = ?", (VOTE_KEY,))
        if not rows:
            async with self._transaction() as db:
                await db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (VOTE_KEY, secrets.token_hex(32)),
                )
            rows = await self._rows("SELECT value FROM meta WHERE key = ?", (VOTE_KEY,))
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
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO questions (collection, question, message_id, article_id, asked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (collection, question, message_id, article_id, asked_at),
            )
            await db.execute(
                "DELETE FROM questions WHERE collection = ? AND asked_at < ?",
                (collection, forget_before),
            )

    async def erase_questions(self, collection: str, before: str | None = None) -> int:
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM questions WHERE collection = ? AND (? IS NULL OR asked_at < ?)",
                (collection, before, before),
            )
            return cursor.rowcount

    async def forget_votes(self, collection: str, before: str) -> None:
        async with self._transaction() as db:
            await db.execute(_sqlite(FORGET_VOTES), (collection, before))

    async def record_vote(self, vote: Vote) -> None:
        async with self._transaction() as db:
            await db.execute(_sqlite(RECORD_VOTE), vote_row(vote))

    async def usage(self, collection: str, limit: int) -> Usage:
        unanswered = await self._rows(_sqlite(UNANSWERED), (collection, limit))
        answering = await self._rows(_sqlite(ANSWERING), (collection, limit))
        voted = await self._rows(
            f"SELECT {ARTICLE}, v.passage_start, sum(1 - v.helpful) AS bad, sum(v.helpful),"
            " group_concat(DISTINCT v.message_id) FROM votes v JOIN articles a"
            " ON a.id = v.article_id WHERE v.collection = ? GROUP BY a.id, v.passage_start"
            " HAVING bad > 0 ORDER BY bad DESC, a.id, v.passage_start LIMIT ?",
            (collection, limit),
        )
        unhelpful = []
        for row in voted:
            messages = [int(m) for m in str(row[14]).split(",")]
            asked = await select_in(
                self._db,
                "SELECT DISTINCT question FROM questions WHERE collection = ?"
                " AND message_id IN ({marks}) ORDER BY question",
                messages,
                params=(collection,),
            )
            questions = tuple(q for (q,) in asked)
            unhelpful.append(
                PassageVotes(ArticleInfo(*row[:11]), row[11], row[12], row[13], questions)
            )
        (logged,) = (
            await self._rows("SELECT count(*) FROM questions WHERE collection = ?", (collection,))
        )[0]
        return Usage(
            [(q, n) for q, n in unanswered],
            unhelpful,
            [(ArticleInfo(*row[:11]), row[11]) for row in answering],
            logged,
        )
