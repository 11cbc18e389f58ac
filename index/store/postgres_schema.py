"""Opening a PostgreSQL library: connecting (one clear line when it cannot), migrations under an
advisory lock, and the listener that hears other processes' changes.

Any number of processes may open the same database at the same moment: exactly one applies the
pending migrations (inside a transaction holding an advisory lock from the version check on)
and the others wait, then find nothing left to do. Every write transaction notifies `CHANNEL`
when it commits; each process listens on a connection of its own, and a lost connection is
reconnected in the background (until then every question reads the change log, so nothing is
missed).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from urllib.parse import urlsplit

import asyncpg

from index.errors import NotFoundError, StorageError
from index.store.migrations import numbered_scripts

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x63697465_0001  # advisory lock keys ("cite", 1 and 2)
WRITE_LOCK = 0x63697465_0002
CHANNEL = "citebot_changes"
BUSY_TIMEOUT = 10.0  # seconds a write waits for another process's write to finish
CONNECT_TIMEOUT = 10.0


def describe(url: str) -> str:
    """The URL as shown to people: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _server(url: str) -> str:
    """host:port (or the socket folder) of a URL, for messages."""
    parts = urlsplit(url)
    for param in parts.query.split("&"):
        if param.startswith("host="):
            return param.removeprefix("host=")
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


def connect_error(url: str, exc: BaseException) -> StorageError:
    """A failed connection as one line naming the server and the reason."""
    server = _server(url)
    database = urlsplit(url).path.lstrip("/") or "(default)"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StorageError(
            f"there is no database {database} on PostgreSQL at {server}: create it first"
            f" (createdb {database})"
        )
    if isinstance(
        exc, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidPasswordError
    ):
        return StorageError(f"PostgreSQL at {server} refused the login: {exc}")
    if isinstance(exc, TimeoutError):
        return StorageError(f"cannot reach PostgreSQL at {server}: timed out")
    if isinstance(exc, ConnectionRefusedError):
        return StorageError(f"cannot reach PostgreSQL at {server}: connection refused")
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return StorageError(f"cannot reach PostgreSQL at {server}: {reason.lower()}")
    return StorageError(f"cannot use PostgreSQL at {server}: {exc}")


async def connect_pool(url: str) -> asyncpg.Pool:
    try:
        return await asyncpg.create_pool(
            url, min_size=1, max_size=10, timeout=CONNECT_TIMEOUT, command_timeout=None
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise connect_error(url, exc) from exc


async def prepare(pool: asyncpg.Pool, url: str, *, create: bool) -> None:
    """Check the database is citebot's (or empty) and apply the pending migrations."""
    migrations = numbered_scripts("postgres")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        if await conn.fetchval("SELECT to_regclass('citebot_schema') IS NULL"):
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            )
            if tables:
                raise StorageError(
                    f"{describe(url)} holds another program's tables, not a citebot library"
                )
            if not create:
                raise NotFoundError(f"no library at {describe(url)}")
            await conn.execute("CREATE TABLE citebot_schema (version INTEGER NOT NULL)")
            await conn.execute("INSERT INTO citebot_schema VALUES (0)")
        version = int(await conn.fetchval("SELECT version FROM citebot_schema"))
        if version > len(migrations):
            raise StorageError(
                f"{describe(url)} was written by a newer citebot (schema {version});"
                " upgrade citebot"
            )
        for number, script in migrations[version:]:
            log.info("applying migration %04d to %s", number, describe(url))
            await conn.execute(script)
            await conn.execute("UPDATE citebot_schema SET version = $1", number)


class Listener:
    """Hears every committed write (NOTIFY on `CHANNEL`) on a connection of its own.

    `version` changes whenever a write was heard, and at every reconnection (writes may have
    been missed meanwhile); while disconnected it changes at every reading, so that each
    question reads the change log.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._heard = 0
        self._conn: asyncpg.Connection | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._closing = False
        self._unheard = itertools.count(1)

    @property
    def version(self) -> int:
        if self._conn is None:
            return -next(self._unheard)  # never equal to the last one read
        return self._heard

    async def start(self) -> None:
        conn = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT)
        await conn.add_listener(CHANNEL, self._notified)
        conn.add_termination_listener(self._lost)
        self._conn = conn
        self._heard += 1

    def _notified(self, *_: object) -> None:
        self._heard += 1

    def _lost(self, _: object) -> None:
        self._conn = None
        if not self._closing and self._reconnecting is None:
            log.warning("lost the connection that hears other processes' changes; reconnecting")
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.5
        while not self._closing:
            try:
                await self.start()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("PostgreSQL is unreachable (%s); trying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            else:
                log.info("hearing other processes' changes again")
                break
        self._reconnecting = None

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._conn is not None:
            await self._conn.close()
