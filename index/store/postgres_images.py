"""Saved index images in PostgreSQL (mixed into `PostgresStore`; see `base.Store.save_image`
and `index.images`): the parts are written a few per transaction, outside the library's write
lock, which only the last step (naming the image the collection's) takes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from index.store.base import ImagePart, now
from index.store.sqlite_images import DROP_OTHERS, INSERT_PART, NAME, PARTS, STATE, kept

PARTS_PER_WRITE = 4  # parts written per transaction (`images.PART_BYTES` each at most)

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn


class PostgresImages:
    """The index-image half of the PostgreSQL store."""

    _connection: Callable[[], AbstractAsyncContextManager[Conn]]
    _transaction: Callable[[], AbstractAsyncContextManager[Conn]]

    async def load_image(self, collection: str) -> AsyncGenerator[ImagePart, None]:
        async with self._connection() as conn, conn.transaction(isolation="repeatable_read"):
            async for row in conn.cursor(PARTS, collection, prefetch=4):
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
                await conn.executemany(INSERT_PART, rows)
        async with self._transaction() as conn:
            row = await conn.fetchrow(STATE, collection, image)
            assert row is not None
            keep = kept(row[0], row[1], len(parts), seq)
            if keep:
                await conn.execute(NAME, collection, image, seq, header, len(parts), now())
            await conn.execute(DROP_OTHERS, collection)
        return keep
