"""Opening an SQLite library: checking whose file it is, WAL, and migrations under a lock.

Any number of processes may open the same library at the same moment, new or old: exactly one
applies the pending migrations (inside `BEGIN IMMEDIATE`, from the version check on) and the
others wait, then find nothing left to do. A read-only connection (`sqlite_access`) is only
checked: it cannot migrate, so an older schema is refused with a line asking for write access.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite

from index.errors import StorageError
from index.store.migrations import numbered_scripts

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 10.0  # seconds a statement waits for another process's write to finish
_NOT_A_DATABASE = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)  # else an I/O problem


async def prepare(db: aiosqlite.Connection, path: Path, *, read_only: bool = False) -> None:
    """Make the database at `path` ready: check it is citebot's, WAL, migrations applied; a
    `read_only` connection only checks, and a schema that needs migrating is a StorageError.

    Tried again for up to `BUSY_TIMEOUT` while another process holds the database: SQLite
    answers "locked" at once, without waiting, where waiting could deadlock (new processes
    switching a new file to WAL while another migrates it).
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return await _prepare(db, path, read_only)
        except StorageError as exc:
            if not isinstance(exc.__cause__, sqlite3.OperationalError):
                raise
            if "locked" not in str(exc.__cause__) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)


async def _prepare(db: aiosqlite.Connection, path: Path, read_only: bool) -> None:
    migrations = numbered_scripts("sqlite")
    try:
        version = await _check_version(db, path, len(migrations))
        if read_only:
            if version < len(migrations):
                raise StorageError(
                    f"{path} has an older schema ({version}; this citebot needs"
                    f" {len(migrations)}): open it once with write access to upgrade it"
                )
            await db.execute("PRAGMA foreign_keys = ON")
            return
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        # off while migrating, so that a migration may rebuild a table (SQLite's documented
        # way to change a column) without cascading deletes to the rows that refer to it
        await db.execute("PRAGMA foreign_keys = OFF")
        if version < len(migrations):
            await _migrate(db, path, migrations)
        await db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        if db.in_transaction:
            await db.rollback()
        raise StorageError(f"cannot use the database {path}: {exc}") from exc


async def _check_version(db: aiosqlite.Connection, path: Path, latest: int) -> int:
    """The schema version, refusing another program's SQLite file and a newer citebot's."""
    try:
        # one statement, so one snapshot: another process may be migrating meanwhile
        async with db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        version, tables = int(row[0]), int(row[1])
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _NOT_A_DATABASE:
            raise StorageError(f"{path} is not a citebot database ({exc})") from exc
        raise StorageError(f"cannot read {path}: {exc}") from exc
    if version == 0 and tables:
        raise StorageError(f"{path} is an SQLite file of another program, not citebot's")
    if version > latest:
        raise StorageError(
            f"{path} was written by a newer citebot (schema {version}); upgrade citebot"
        )
    return version


async def _migrate(db: aiosqlite.Connection, path: Path, migrations: list[tuple[int, str]]) -> None:
    """Apply the pending migrations in one transaction that holds the write lock from the
    version check on: of several processes opening the library at once, one migrates and
    the others wait, then find nothing left to do."""
    await db.execute("BEGIN IMMEDIATE")
    version = await _check_version(db, path, len(migrations))
    for number, script in migrations[version:]:
        log.info("applying migration %04d to %s", number, path)
        for statement in _statements(script):
            await db.execute(statement)
        await db.execute(f"PRAGMA user_version = {number}")
    await db.commit()


def _statements(script: str) -> list[str]:
    """A script's SQL statements, one by one (`executescript` would commit the transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise StorageError(f"a migration ends with an incomplete statement: {pending.strip()!r}")
    return statements
