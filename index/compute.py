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
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Compute:
    """One worker thread (started on first use) fed one piece of work at a time."""

    def __init__(self, name: str = "citebot-compute") -> None:
        self._name = name
        self._thread: threading.Thread | None = None
        self._queue: queue.SimpleQueue[_Piece | None] = queue.SimpleQueue()
        self._closed = False
        self._busy = False
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap
        self._arrivals = itertools.count()  # ties of `order` go first come, first served

    async def run(self, order: float, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on the worker thread, once the waiting pieces of smaller `order` (the
        start time of their question) have run."""
        await self._turn(order)
        try:
            return await self._handed(functools.partial(fn, *args))
        finally:
            self._next()

    def _handed(self, work: Callable[[], T]) -> asyncio.Future[T]:
        """`work` handed to the thread: its result, set from there through the loop."""
        if self._closed:
            raise RuntimeError("the compute thread is closed")
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, done, work))
        return done

    def _work(self) -> None:
        """The thread: each piece in turn, its outcome set on the loop that handed it over."""
        while (piece := self._queue.get()) is not None:
            loop, done, work = piece
            if done.cancelled():  # cancelled before it started (an unlocked read: a hint)
                continue
            try:
                outcome: tuple[object, BaseException | None] = (work(), None)
            except BaseException as error:  # given to the caller, as an executor would
                outcome = (None, error)
            del work, piece
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, done, *outcome)
            del done, outcome

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
        """Let the thread end once the pieces handed to it are done; later `run` calls fail."""
        self._closed = True
        self._queue.put(None)


_Piece = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], object]]


def _settle(done: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    """A piece's outcome given to its caller (on the loop), unless the caller gave up."""
    if done.cancelled():
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(result)
