"""Connecting to an SQLite library: read-write, or read-only for a reader that may not write.

Whether this process may write a library is decided from real access checks (the file, its
folder, a read-only filesystem), not by catching errors, and a failure names that cause.

A reader without write access (a read-only file or folder, a read-only filesystem, another
user's library) gets a read-only connection. The library is in WAL mode, and SQLite (3.22 on)
reads such a database read-only (``mode=ro``) only when its ``-shm`` and ``-wal`` files exist
and are readable, or can be created (the folder is writable). Otherwise ``immutable=1`` reads
the database file alone: right only when no ``-wal`` holds changes not yet copied into it, so
such a library is refused with a clear line, and it assumes nobody writes meanwhile (no
``-shm`` means no process has the library open). Either way a write is refused with a
`StorageError` naming why, never a raw SQLite error.

SQLite's connection is made in a worker thread before aiosqlite takes it over: when aiosqlite
connects itself and fails, its thread outlives the event loop and prints "Event loop is closed".
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

from index.errors import NotFoundError, StorageError
from index.store.sqlite_schema import BUSY_TIMEOUT


class Connected(NamedTuple):
    """The connection, and whether it is read-only (the process may not write the library)."""

    db: aiosqlite.Connection
    read_only: bool


async def connect(path: Path, *, create: bool, writable: bool) -> Connected:
    """Connect to the library at `path`, creating its folder if `create` and it is missing
    (else "no library at PATH"). Read-write when this process may write it; read-only when it
    may not and the caller only reads (not `writable`); else a StorageError naming the cause."""
    exists = _check_readable(path)
    if not exists and not create:
        raise NotFoundError(f"no library at {path}")
    problem = cannot_write(path)
    if problem is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {path}: {exc.strerror}") from exc
        raw = await _connect(path)
        return Connected(await _adopt(raw), read_only=False)
    if writable or not exists:
        raise StorageError(problem)
    raw = await _connect(path, _read_only_uri(path), refusal=problem)
    return Connected(await _adopt(raw), read_only=True)


def cannot_write(path: Path) -> str | None:
    """Why this process cannot write the library at `path` (or create it, where none exists
    yet), as the line a user sees; None when it can."""
    if path.exists():
        folder = path.parent
        if _on_read_only_filesystem(folder):
            return f"cannot write to {path}: {folder} is on a read-only filesystem"
        if not os.access(path, os.W_OK):
            return f"cannot write to {path}: permission denied"
        if not _writable_folder(folder):  # SQLite keeps the -wal and -shm files there
            return f"cannot write to {path}: permission denied on its folder {folder}"
        return None
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create {path}: {folder} is not a folder"
    if _on_read_only_filesystem(folder):
        return f"cannot create {path}: {folder} is on a read-only filesystem"
    if not _writable_folder(folder):
        return f"cannot create {path}: permission denied on the folder {folder}"
    return None


def _check_readable(path: Path) -> bool:
    """Whether the library file exists; a StorageError if it is a folder or cannot be read."""
    try:
        exists = path.exists()
    except PermissionError as exc:  # a folder on the way may not be searched
        raise StorageError(f"cannot read {path}: permission denied") from exc
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    if exists and not os.access(path, os.R_OK):
        raise StorageError(f"cannot read {path}: permission denied")
    return exists


def _read_only_uri(path: Path) -> str:
    """The SQLite URI that reads `path` without writing anything (see the module's docstring)."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    uri = path.absolute().as_uri()
    if _writable_folder(path.parent) or (os.access(wal, os.R_OK) and os.access(shm, os.R_OK)):
        return f"{uri}?mode=ro"
    if wal.exists() and wal.stat().st_size:
        if not os.access(wal, os.R_OK):
            raise StorageError(f"cannot read {wal}: permission denied")
        raise StorageError(
            f"cannot read {path} without write access: {wal.name} holds changes not yet"
            f" saved into it and {shm.name} is missing or unreadable; open it once with"
            " write access"
        )
    return f"{uri}?mode=ro&immutable=1"


def _writable_folder(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK) and not _on_read_only_filesystem(folder)


def _on_read_only_filesystem(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): its access checks must do
        return False


class _ReadOnlyConnection(sqlite3.Connection):
    """A read-only connection: SQLite's refusal of a write becomes a StorageError saying why."""

    refusal = "the library was opened read-only"

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        with self._refusing():
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        with self._refusing():
            return super().executemany(sql, parameters)

    @contextmanager
    def _refusing(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY:
                raise StorageError(self.refusal) from exc
            raise


async def _connect(path: Path, uri: str | None = None, refusal: str = "") -> sqlite3.Connection:
    """SQLite's connection to the file at `path`, or a read-only one through `uri` whose writes
    are refused with `refusal`."""

    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(
            uri or path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT,
            check_same_thread=False,  # aiosqlite's thread uses it, one call at a time
            uri=uri is not None,
            factory=sqlite3.Connection if uri is None else _ReadOnlyConnection,
        )
        if isinstance(raw, _ReadOnlyConnection):
            raw.refusal = refusal
        return raw

    try:
        return await asyncio.to_thread(connect)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open {path}: {exc}") from exc


def reader_connection(path: Path, read_only: bool) -> sqlite3.Connection:
    """A second, read-only connection to the library at `path` (already opened, and so
    checked, by `connect`), for reads made on another thread (see `sqlite_reader`)."""
    uri = _read_only_uri(path) if read_only else f"{path.absolute().as_uri()}?mode=ro"
    try:
        return sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open {path}: {exc}") from exc


async def _adopt(raw: sqlite3.Connection) -> aiosqlite.Connection:
    """aiosqlite's connection over an open SQLite connection (taking it over cannot fail)."""
    return await aiosqlite.Connection(lambda: raw, iter_chunk_size=64)
