"""Saved index images in SQLite (mixed into `SQLiteStore`; see `base.Store.save_image` and
`index.images`). Each part is its own row, a few written per transaction: a writer holds the
database's write lock for one batch of parts at a time, not for the whole image."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager

import aiosqlite

from index.store.base import ImagePart, now

PARTS_PER_WRITE = 4  # parts written per transaction (`images.PART_BYTES` each at most)


class SQLiteImages:
    """The index-image half of the SQLite store."""

    _db: aiosqlite.Connection

    _transaction: Callable[[], AbstractAsyncContextManager[aiosqlite.Connection]]

    async def load_image(self, collection: str) -> AsyncIterator[ImagePart]:
        async with self._db.execute(  # one statement: one snapshot
            "SELECT i.seq, i.header, p.data FROM index_images i"
            " JOIN index_image_parts p ON p.image = i.image"
            " WHERE i.collection = ? ORDER BY p.part",
            (collection,),
        ) as cursor:
            while rows := await cursor.fetchmany(1):
                for seq, header, data in rows:
                    yield int(seq), str(header), bytes(data)

    async def save_image(
        self, collection: str, seq: int, header: str, parts: Sequence[bytes | memoryview]
    ) -> bool:
        image = secrets.randbits(62)
        for start in range(0, len(parts), PARTS_PER_WRITE):
            rows = [
                (image, number, collection, part)
                for number, part in enumerate(parts[start : start + PARTS_PER_WRITE], start)
            ]
            async with self._transaction() as db:
                await db.executemany(
                    "INSERT INTO index_image_parts (image, part, collection, data)"
                    " VALUES (?, ?, ?, ?)",
                    rows,
                )
        async with self._transaction() as db:
            async with db.execute(
                "SELECT (SELECT seq FROM index_images WHERE collection = ?),"
                " (SELECT count(*) FROM index_image_parts WHERE image = ?)",
                (collection, image),
            ) as cursor:
                row = await cursor.fetchone()
            assert row is not None
            kept = row[1] == len(parts) and (row[0] is None or row[0] < seq)
            if kept:
                await db.execute(
                    "INSERT INTO index_images (collection, image, seq, header, parts, saved_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET"
                    " image = excluded.image, seq = excluded.seq, header = excluded.header,"
                    " parts = excluded.parts, saved_at = excluded.saved_at",
                    (collection, image, seq, header, len(parts), now()),
                )
            await db.execute(  # older images' parts, this one's if not kept, and any left
                "DELETE FROM index_image_parts WHERE collection = ? AND image IS NOT"
                " (SELECT image FROM index_images WHERE collection = ?)",
                (collection, collection),
            )
        return kept
