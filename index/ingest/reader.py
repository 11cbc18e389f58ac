"""Reading documents in a separate process, with a time limit: `Reader`, and the child's loop.

Extraction of a large or pathological page (trafilatura on a 5 MB page, a PDF full of vector art)
can take seconds of pure CPU, which would hold the GIL, and so the event loop, and cannot be
interrupted in a thread. So documents are read by a child process
(``python -m index.ingest.reader``) that serves one request at a time over its stdin and stdout;
it is started on first use, reused while it behaves, and killed (then started afresh on the next
request) when a document takes longer than the time limit. The child is a fresh interpreter: it
inherits no threads, locks or open databases from the parent.

The same child analyses a large article (`Reader.run` with an `indexing.Preparation`): seconds of
pure Python there would, in a thread of ours, share the GIL with the event loop's thread, which
then waits its turn again and again.

The package `index.ingest` does not import this module, so that running it as the child does not
load it twice (runpy warns when a package has already imported the module it runs).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import sys
from typing import Any, BinaryIO, Protocol, TypeVar

from index.errors import InputError
from index.ingest.document import Document
from index.ingest.load import RawDocument

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 30.0
_HEADER = 8  # bytes of a frame's length
_PIECE = 1 << 20  # bytes of a frame written or read at a time

T = TypeVar("T", covariant=True)


class Job(Protocol[T]):
    """A request the child carries out: `RawDocument` (reading), `indexing.Preparation`."""

    def load(self) -> T: ...


class Reader:
    """A document-reading child process, owned by whoever created it (close it when done)."""

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        self.time_limit = time_limit
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def read(self, raw: RawDocument) -> Document:
        """`raw.load()` in the child; an InputError when it fails or takes too long."""
        document = await self.run(raw, raw.name)
        assert isinstance(document, Document)
        return document

    async def run(self, job: Job[Any], name: str, doing: str = "reading") -> Any:
        """`job.load()` in the child; an InputError when it fails or takes too long."""
        request = pickle.dumps(job)
        failed = f"could not read {name}" if doing == "reading" else f"{doing} {name} failed"
        async with self._lock:
            try:
                async with asyncio.timeout(self.time_limit):
                    status, payload = await self._exchange(request)
            except TimeoutError:
                await self._stop()
                raise InputError(
                    f"{doing} {name} took longer than {self.time_limit:g} s; "
                    "it may be too large or malformed"
                ) from None
            except (OSError, EOFError, asyncio.IncompleteReadError) as exc:
                await self._stop()
                log.error("the reader process failed on %s: %r", name, exc)
                raise InputError(f"{failed}: the reader failed unexpectedly") from exc
        if status == "ok":
            return payload
        if status == "error":
            raise InputError(str(payload))
        log.error("%s %s failed in the reader process: %s", doing, name, payload)
        raise InputError(f"{failed}: the reader failed unexpectedly")

    async def _exchange(self, request: bytes) -> tuple[str, Any]:
        """Send a request and read its reply, each a piece (`_PIECE`) at a time: a large
        article's frames (10-20 MB) copied whole in one call each held the GIL for several ms
        more of the event loop's turn."""
        process = await self._started()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(len(request).to_bytes(_HEADER, "big"))
        for start in range(0, len(request), _PIECE):
            process.stdin.write(request[start : start + _PIECE])
            await process.stdin.drain()
        size = int.from_bytes(await process.stdout.readexactly(_HEADER), "big")
        frame = bytearray(size)
        for start in range(0, size, _PIECE):
            end = min(start + _PIECE, size)
            frame[start:end] = await process.stdout.readexactly(end - start)
        reply: tuple[str, Any] = pickle.loads(frame)
        return reply

    async def _started(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "index.ingest",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                process_group=0,  # Ctrl-C at a terminal reaches its owner only, not the child
            )
        return self._process

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def close(self) -> None:
        """End the child process (it also ends by itself when our end of its stdin closes)."""
        async with self._lock:
            process, self._process = self._process, None
            if process is None or process.returncode is not None:
                return
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The child's loop: read a request, answer it, until the parent closes the pipe."""
    while (header := _read_exactly(requests, _HEADER)) is not None:
        request = _read_exactly(requests, int.from_bytes(header, "big"))
        if request is None:
            return
        job: Job[Any] = pickle.loads(request)
        reply: tuple[str, Any]
        try:
            reply = ("ok", job.load())
        except InputError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # the parent logs it; the user gets one line
            reply = ("crash", repr(exc))
        frame = pickle.dumps(reply)
        replies.write(len(frame).to_bytes(_HEADER, "big") + frame)
        replies.flush()


def main() -> None:
    """The child process: serve requests on stdin, replies on stdout."""
    # The child is a program of its own: its log goes to the parent's stderr, our errors only.
    # What the libraries log (trafilatura's "not valid HTML", pypdf's complaints) is about the
    # document, which the user hears of in one line from the parent.
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("index").setLevel(logging.ERROR)
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints may corrupt the replies
    serve(sys.stdin.buffer, protocol_out)
