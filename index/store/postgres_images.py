"""Saved index images in PostgreSQL (mixed into `PostgresStore`; see `base.Store.save_image`
and `index.images`): the parts are written a few per transaction, outside the library's write
lock, which only the last step (naming the image the collection's) takes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from index.store.base import ImagePart, now

PARTS_PER_WRITE = 4  # parts written per transaction (`images.PART_BYTES` each at most)

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn


class PostgresImages:
    """The index-image half of the PostgreSQL store."""

    _connection: Callable[[], AbstractAsyncContextManager[Conn]]
    _transaction: Callable[[], AbstractAsyncContextManager[Conn]]

    async def load_image(self, collection: str) -> AsyncGenerator[ImagePart, None]:
        async with self._connection() as conn, conn.transaction(isolation="repeatable_read"):
            async for row in conn.cursor(
                "SELECT i.seq, i.header, p.data FROM index_images i"
                " JOIN index_image_parts p ON p.image = i.image"
                " WHERE i.collection = $1 ORDER BY p.part",
                collection,
                prefetch=4,
            ):
                yield int(row[0]), str(row[1]), bytes(row[2])

    async def save_image(
        self, collection: str, seq: int, header: str, parts: Sequence[bytes | memoryview]
    ) -> bool:
        image = secrets.randbits(62)
        for start in range(0, len(parts), PARTS_PER_WRITE):
            rows = [
                (image, number, collection, part)
                for number, part in enumerate(parts[start : start + PARTS_PER_WRITE], start)
            ]
            async with self._connection() as conn, conn.transaction():
                await conn.executemany(
                    "INSERT INTO index_image_parts (image, part, collection, data)"
                    " VALUES ($1, $2, $3, $4)",
                    rows,
                )
        async with self._transaction() as conn:
            row = await conn.fetchrow(
                "SELECT (SELECT seq FROM index_images WHERE collection = $1),"
                " (SELECT count(*) FROM index_image_parts WHERE image = $2)",
                collection,
                image,
            )
            assert row is not None
            kept = row[1] == len(parts) and (row[0] is None or row[0] <= seq)
            if kept:
                await conn.execute(
                    "INSERT INTO index_images (collection, image, seq, header, parts, saved_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (collection) DO UPDATE SET"
                    " image = excluded.image, seq = excluded.seq, header = excluded.header,"
                    " parts = excluded.parts, saved_at = excluded.saved_at",
                    collection,
                    image,
                    seq,
                    header,
                    len(parts),
                    now(),
                )
            await conn.execute(  # older images' parts, this one's if not kept, and any left
                "DELETE FROM index_image_parts WHERE collection = $1 AND image IS DISTINCT FROM"
                " (SELECT image FROM index_images WHERE collection = $1)",
                collection,
            )
        return kept
