"""Saved index images in SQLite (mixed into `SQLiteStore`; see `base.Store.save_image` and
`index.images`). An image is written through a connection of its own, one part per
transaction: the store's connection stays free for questions and writes, and other writers
wait for one part at most, never for the whole image. It is read through one of its own too."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path

import aiosqlite

from index.store.base import ImagePart, now
from index.store.sqlite_access import connect


class SQLiteImages:
    """The index-image half of the SQLite store."""

    _db: aiosqlite.Connection
    path: Path

    async def load_image(self, collection: str) -> AsyncGenerator[ImagePart, None]:
        """Read through a connection of its own (where there is an image: opening one takes
        ~1.7 ms, the check 0.1): the snapshot its one statement holds meanwhile would keep the
        store's connection from writing once anything else had written (a BusyError at once)."""
        async with self._db.execute(
            "SELECT 1 FROM index_images WHERE collection = ?", (collection,)
        ) as cursor:
            if await cursor.fetchone() is None:
                return
        db, _ = await connect(self.path, create=False, writable=False)
        try:
            async with db.execute(  # one statement: one snapshot
                "SELECT i.seq, i.header, p.data FROM index_images i"
                " JOIN index_image_parts p ON p.image = i.image"
                " WHERE i.collection = ? ORDER BY p.part",
                (collection,),
            ) as cursor:
                while rows := await cursor.fetchmany(4):
                    for seq, header, data in rows:
                        yield int(seq), str(header), bytes(data)
        finally:
            await db.close()

    async def save_image(
        self, collection: str, seq: int, header: str, parts: Sequence[bytes | memoryview]
    ) -> bool:
        image = secrets.randbits(62)
        db, _ = await connect(self.path, create=False, writable=True)
        try:
            await db.execute("PRAGMA synchronous = NORMAL")
            for number, part in enumerate(parts):  # each its own transaction
                await db.execute(
                    "INSERT INTO index_image_parts (image, part, collection, data)"
                    " VALUES (?, ?, ?, ?)",
                    (image, number, collection, part),
                )
            await db.execute("BEGIN IMMEDIATE")
            try:
                kept = await _name(db, collection, image, seq, header, len(parts))
            except BaseException:
                await db.rollback()
                raise
            await db.commit()
        finally:
            await db.close()
        return kept


async def _name(
    db: aiosqlite.Connection, collection: str, image: int, seq: int, header: str, parts: int
) -> bool:
    """Make the image the collection's if all its parts are there and none more recent is;
    drop every other image's parts of the collection (inside the caller's transaction)."""
    async with db.execute(
        "SELECT (SELECT seq FROM index_images WHERE collection = ?),"
        " (SELECT count(*) FROM index_image_parts WHERE image = ?)",
        (collection, image),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    kept = row[1] == parts and (row[0] is None or row[0] <= seq)
    if kept:
        await db.execute(
            "INSERT INTO index_images (collection, image, seq, header, parts, saved_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET"
            " image = excluded.image, seq = excluded.seq, header = excluded.header,"
            " parts = excluded.parts, saved_at = excluded.saved_at",
            (collection, image, seq, header, parts, now()),
        )
    await db.execute(  # older images' parts, this one's if not kept, and any left behind
        "DELETE FROM index_image_parts WHERE collection = ? AND image IS NOT"
        " (SELECT image FROM index_images WHERE collection = ?)",
        (collection, collection),
    )
    return kept
