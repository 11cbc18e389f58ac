"""Reading documents in a separate process, with a time limit.

Extraction of a large or pathological page (trafilatura on a 5 MB page, a PDF full of vector
art) can take seconds of pure CPU, which would hold the GIL and so the event loop, and cannot be
interrupted in a thread. So each extraction runs in its own process forked from a forkserver that
has the parsing libraries imported already (a fork costs milliseconds); a process still running at
the time limit is killed, and the caller gets a one-line error.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
from typing import Any

from index.errors import InputError
from index.ingest import MAX_TEXT_BYTES, Document, load_bytes

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 30.0

_context: Any = None


def _get_context() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["index.ingest", "trafilatura", "pypdf"])
    return _context


def _work(
    conn: multiprocessing.connection.Connection,
    data: bytes,
    name: str,
    content_type: str | None,
    max_bytes: int,
) -> None:
    """In the child: read the document and send back ("ok", Document) or ("error", message)."""
    try:
        conn.send(("ok", load_bytes(data, name, content_type, max_bytes=max_bytes)))
    except InputError as exc:
        conn.send(("error", str(exc)))
    except BaseException as exc:  # the parent logs it; the user gets one line
        conn.send(("crash", repr(exc)))
    finally:
        conn.close()


async def _readable(conn: multiprocessing.connection.Connection) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), wake)
    try:
        await ready
    finally:
        loop.remove_reader(conn.fileno())


async def load_in_worker(
    data: bytes,
    name: str,
    content_type: str | None = None,
    *,
    max_bytes: int = MAX_TEXT_BYTES,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Document:
    """`ingest.load_bytes` in a child process, killed if it runs longer than `time_limit` s."""
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_work, args=(sender, data, name, content_type, max_bytes), daemon=True
    )
    try:
        await asyncio.to_thread(process.start)
        sender.close()
        try:
            await asyncio.wait_for(_readable(receiver), time_limit)
        except TimeoutError:
            raise InputError(
                f"reading {name} took longer than {time_limit:g} s; it may be too big or malformed"
            ) from None
        try:
            status, payload = await asyncio.to_thread(receiver.recv)
        except EOFError:
            status, payload = "crash", f"the reader process died (exit code {process.exitcode})"
    finally:
        if process.is_alive():
            process.kill()
        await asyncio.to_thread(process.join)
        receiver.close()
    if status == "ok":
        assert isinstance(payload, Document)
        return payload
    if status == "error":
        raise InputError(payload)
    log.error("reading %s failed: %s", name, payload)
    raise InputError(f"could not read {name}: the reader failed unexpectedly")
