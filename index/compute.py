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

A piece goes to the thread through a queue and comes back as the result of an asyncio future
set on the loop (`call_soon_threadsafe`): no executor, no `concurrent.futures.Future` and no
chaining of two futures, which took about a third of a hop's time (15-20 us of 45 us for a
piece that does nothing, measured with `loop.run_in_executor`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# a piece handed to the thread: the loop to answer on, the future to set, the work
_Loop = asyncio.AbstractEventLoop
_Piece = tuple[_Loop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class Compute:
    """One worker thread (started on first use) fed one piece of work at a time."""

    def __init__(self, name: str = "citebot-compute") -> None:
        self._name = name
        self._pieces: queue.SimpleQueue[_Piece | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
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
            loop = asyncio.get_running_loop()
            done: asyncio.Future[T] = loop.create_future()
            if self._thread is None:
                # a daemon: an idle thread never holds up the interpreter's exit
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            self._pieces.put((loop, done, fn, args))
            return await done
        finally:
            self._next()

    def _work(self) -> None:
        """The thread: each piece run (unless its caller was cancelled meanwhile) and its
        result or error set on its future, on its loop."""
        while (piece := self._pieces.get()) is not None:
            loop, done, fn, args = piece
            del piece
            if done.cancelled():  # (read from this thread: at worst it runs for nothing)
                continue
            try:
                result, failed = fn(*args), False
            except BaseException as error:  # given to the caller, as an executor would
                result, failed = error, True
            with contextlib.suppress(RuntimeError):  # (a closed loop: nobody waits for it)
                loop.call_soon_threadsafe(_settle, done, result, failed)
            del loop, done, fn, args, result  # nothing kept alive while the thread waits

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


def _settle(done: asyncio.Future[Any], result: Any, failed: bool) -> None:
    """On the loop: a piece's result (or error) given to its caller, if it still waits."""
    if done.done():  # cancelled meanwhile
        return
    if failed:
        done.set_exception(result)
    else:
        done.set_result(result)
