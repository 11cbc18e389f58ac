"""The thread that answers questions: the CPU work of asking, one piece at a time, oldest
question first.

The event loop's thread gives up the GIL at every system call it makes (waiting for events,
reading the pipe that wakes it) and must win it back each time. A thread busy with Python code
keeps it for up to the switch interval (5 ms) before handing it over, and with several busy
threads the loop may wait a turn behind each: sent to the default executor, a burst of questions
keeps up to six threads busy at once, and the loop stalled for 40 to 130 ms
(benchmarks/burst.py).

Here the work runs on one dedicated thread, and only one piece at a time is handed to it; the
others wait on the event loop, not in an executor's queue. Between two pieces the thread is
idle, so the loop takes the result and hands over the next without competing; while a piece
runs, the loop waits at most one switch interval for its turn. The waiting pieces are served by
the start time of their question, so a question under way is finished before later ones begin.

The hand-off: a piece goes to the thread through a queue, and the loop first waits for it on a
lock, at most `SYNC_WAIT` (the GIL given up meanwhile, so the thread runs at once); a piece done
by then is taken back without the loop's self-pipe, a future and a turn of the loop, which
cost more than the pieces they carried (a hop 45-120 us at 100k against a millisecond's
answer). A piece that takes longer is awaited as a future that the thread sets on the loop. The
loop waits on a lock once a turn of it (a piece that comes after another waited in the same turn,
as questions asked one after another, lets the loop turn first), so that it is never held more
than `SYNC_WAIT` in a turn; and only while no other piece waits for the thread: in a burst,
every piece is awaited as a future, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

SYNC_WAIT = 0.002  # the longest the loop waits for a piece on a lock, once a turn (s)


class _Piece(Generic[T]):
    """A piece of work and how its result goes back: on `ready` (released when done, while
    the loop waits on it), else on `future` (set by the loop once it stopped waiting)."""

    def __init__(self, fn: Callable[..., T], args: tuple[object, ...]) -> None:
        self.fn, self.args = fn, args
        self.result: Any = None
        self.failed = False
        self.done = False
        self.ready = threading.Lock()
        self.ready.acquire()
        self.guard = threading.Lock()  # `done` and `future`, set by two threads
        self.future: asyncio.Future[T] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def value(self) -> T:
        if self.failed:
            raise self.result
        return self.result  # type: ignore[no-any-return]


class Compute:
    """One worker thread (started on first use) fed one piece of work at a time."""

    def __init__(self, name: str = "citebot-compute") -> None:
        self._name = name
        self._pieces: queue.SimpleQueue[_Piece[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._waited = False  # the loop waited on a lock in this turn of it
        self._busy = False
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap
        self._arrivals = itertools.count()  # ties of `order` go first come, first served

    async def run(self, order: float, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on the worker thread, once the waiting pieces of smaller `order` (the
        start time of their question) have run."""
        await self._turn(order)
        try:
            if self._closed:
                raise RuntimeError("cannot run new pieces after shutdown")
            if self._thread is None:
                # a daemon: an idle thread never holds up the interpreter's exit
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            # the loop waits on a lock only while no other piece waits for the thread (not in
            # a burst), once a turn of it: if it waited in this turn already, it turns first
            alone = not self._waiting
            if alone and self._waited:
                await asyncio.sleep(0)
                alone = not self._waiting
            piece = _Piece(fn, args)
            self._pieces.put(piece)
            loop = asyncio.get_running_loop()
            if alone and not self._waited:
                self._waited = True
                loop.call_soon(self._new_turn)
                if piece.ready.acquire(timeout=SYNC_WAIT):
                    return piece.value()
            with piece.guard:
                if not piece.done:
                    piece.loop, piece.future = loop, loop.create_future()
            if piece.future is None:  # done meanwhile: `ready` is released at once
                piece.ready.acquire()
                return piece.value()
            return await piece.future
        finally:
            self._next()

    def _new_turn(self) -> None:
        self._waited = False

    def _work(self) -> None:
        """The thread: each piece run (unless its caller was cancelled meanwhile) and its
        result or error handed back, on its lock or its future."""
        while (piece := self._pieces.get()) is not None:
            future = piece.future
            if future is None or not future.cancelled():  # (read from here: at worst, run)
                try:
                    piece.result = piece.fn(*piece.args)
                except BaseException as error:  # given to the caller, as an executor would
                    piece.result, piece.failed = error, True
            with piece.guard:
                piece.done = True
                future, loop = piece.future, piece.loop
            if future is None or loop is None:
                piece.ready.release()
            else:
                with contextlib.suppress(RuntimeError):  # (a closed loop: nobody waits)
                    loop.call_soon_threadsafe(_settle, future, piece)
            del piece, future, loop  # nothing kept alive while the thread waits

    async def _turn(self, order: float) -> None:
        if not self._busy:
            self._busy = True
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (order, next(self._arrivals), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # the turn came: pass it on
                self._next()
            raise

    def _next(self) -> None:
        """Hand the thread to the oldest waiting piece, if any."""
        while self._waiting:
            granted = heapq.heappop(self._waiting)[2]
            if not granted.done():
                granted.set_result(None)
                return
        self._busy = False

    def close(self) -> None:
        """Let the thread end once its current piece is done; later `run` calls fail."""
        self._closed = True
        self._pieces.put(None)


def _settle(future: asyncio.Future[Any], piece: _Piece[Any]) -> None:
    """On the loop: a piece's result (or error) given to its caller, if it still waits."""
    if future.done():  # cancelled meanwhile
        return
    if piece.failed:
        future.set_exception(piece.result)
    else:
        future.set_result(piece.result)
