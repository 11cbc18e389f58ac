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
import functools
import heapq
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Compute:
    """One worker thread (started on first use) fed one piece of work at a time."""

    def __init__(self, name: str = "citebot-compute") -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._busy = False
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap
        self._arrivals = itertools.count()  # ties of `order` go first come, first served

    async def run(self, order: float, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on the worker thread, once the waiting pieces of smaller `order` (the
        start time of their question) have run."""
        await self._turn(order)
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args))
        finally:
            self._next()

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
        self._executor.shutdown(wait=False, cancel_futures=True)
