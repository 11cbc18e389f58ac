"""The change log in SQLite: each write records its change inside its own transaction, and
other processes read the changes made since the last one they applied.

Numbers come from AUTOINCREMENT and writers are serialised by the database's write lock, so a
change's number is also its commit order: a reader that has applied change N has seen every
change before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from index.store.base import Change, int32_blob, ints_of_blob

KEEP = 10_000  # changes kept; a process further behind than that reloads instead

_IDS_PER_QUERY = 500  # well below SQLite's limit on a statement's parameters


async def record(
    db: aiosqlite.Connection,
    collection: str | None,
    removed: Sequence[int] = (),
    added: Sequence[int] = (),
    terms: Sequence[int] = (),
) -> None:
    """Record a change (inside the caller's transaction) and drop those older than `KEEP`."""
    cursor = await db.execute(
        "INSERT INTO changes (collection, removed, added, terms) VALUES (?, ?, ?, ?)",
        (collection, int32_blob(removed), int32_blob(added), int32_blob(terms)),
    )
    assert cursor.lastrowid is not None
    await db.execute("DELETE FROM changes WHERE seq <= ?", (cursor.lastrowid - KEEP,))


async def latest(db: aiosqlite.Connection) -> int:
    async with db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'") as cursor:
        row = await cursor.fetchone()
    return 0 if row is None else int(row[0])


async def since(db: aiosqlite.Connection, seq: int) -> list[Change] | None:
    """The changes after `seq`, oldest first, or None if the log no longer holds them all
    (numbers have no gaps, so a missing first one means it was dropped)."""
    async with db.execute(
        "SELECT seq, collection, removed, added, terms FROM changes WHERE seq > ? ORDER BY seq",
        (seq,),
    ) as cursor:
        rows = list(await cursor.fetchall())
    if (rows and rows[0][0] != seq + 1) or (not rows and await latest(db) < seq):
        return None  # dropped, or the database was replaced under this reader
    return [
        Change(s, c, ints_of_blob(r), ints_of_blob(a), ints_of_blob(t)) for s, c, r, a, t in rows
    ]


async def select_in(
    db: aiosqlite.Connection, sql: str, ids: Sequence[Any], params: Sequence[Any] = ()
) -> list[Any]:
    """Rows of `sql` (whose `{marks}` is the placeholder list) for every id, in chunks."""
    rows: list[Any] = []
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        async with db.execute(sql.format(marks=marks), (*params, *chunk)) as cursor:
            rows.extend(await cursor.fetchall())
    return rows
