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

# SQL both backends run, with PostgreSQL's placeholders ($1, $2...; SQLite's are ?1, ?2...)
PARTS = (
    "SELECT i.seq, i.header, p.data FROM index_images i"
    " JOIN index_image_parts p ON p.image = i.image WHERE i.collection = $1 ORDER BY p.part"
)
INSERT_PART = (
    "INSERT INTO index_image_parts (image, part, collection, data) VALUES ($1, $2, $3, $4)"
)
STATE = (  # the collection's image's seq, and how many parts the new image has stored
    "SELECT (SELECT seq FROM index_images WHERE collection = $1),"
    " (SELECT count(*) FROM index_image_parts WHERE image = $2)"
)
NAME = (
    "INSERT INTO index_images (collection, image, seq, header, parts, saved_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (collection) DO UPDATE SET"
    " image = excluded.image, seq = excluded.seq, header = excluded.header,"
    " parts = excluded.parts, saved_at = excluded.saved_at"
)
DROP_OTHERS = (  # older images' parts, the new one's if not kept, and any left behind
    "DELETE FROM index_image_parts WHERE collection = $1 AND image IS DISTINCT FROM"
    " (SELECT image FROM index_images WHERE collection = $1)"
)


def kept(stored: int | None, written: int, parts: int, seq: int) -> bool:
    """Whether a new image becomes the collection's: all its parts are there, and the stored
    one (`stored`, its seq) is not more recent."""
    return written == parts and (stored is None or stored <= seq)


def _sqlite(sql: str) -> str:
    return sql.replace("$", "?")


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
            async with db.execute(_sqlite(PARTS), (collection,)) as cursor:  # one snapshot
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
                await db.execute(_sqlite(INSERT_PART), (image, number, collection, part))
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
    async with db.execute(_sqlite(STATE), (collection, image)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    keep = kept(row[0], row[1], parts, seq)
    if keep:
        await db.execute(_sqlite(NAME), (collection, image, seq, header, parts, now()))
    await db.execute(_sqlite(DROP_OTHERS), (collection,))
    return keep
