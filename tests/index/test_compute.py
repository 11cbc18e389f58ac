"""The compute thread: one piece of work at a time, off the event loop, oldest question first."""

import asyncio
import threading

import pytest

from index.compute import Compute


async def _until_started(started: threading.Event) -> None:
    assert await asyncio.to_thread(started.wait, 5)


async def test_pieces_run_on_one_thread_that_is_not_the_loops() -> None:
    """Every piece runs on the same worker thread, never the event loop's."""
    compute = Compute()
    try:
        threads = await asyncio.gather(*(compute.run(0, threading.get_ident) for _ in range(5)))
    finally:
        compute.close()
    assert len(set(threads)) == 1
    assert threads[0] != threading.get_ident()


async def test_waiting_pieces_run_oldest_question_first() -> None:
    """Pieces are handed over one at a time: those waiting run by order, then arrival."""
    compute = Compute()
    release, started = threading.Event(), threading.Event()
    ran: list[str] = []

    def piece(name: str) -> None:
        if name == "first":
            started.set()
            release.wait()
        ran.append(name)

    try:
        first = asyncio.create_task(compute.run(5.0, piece, "first"))
        await _until_started(started)
        later = [
            asyncio.create_task(compute.run(order, piece, name))
            for order, name in [(3.0, "c"), (1.0, "a"), (2.0, "b1"), (2.0, "b2")]
        ]
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(first, *later)
    finally:
        compute.close()
    assert ran == ["first", "a", "b1", "b2", "c"]


async def test_a_cancelled_or_failing_piece_does_not_block_the_others() -> None:
    """A waiting piece cancelled never runs; a piece that raises gives its error to its caller;
    the pieces after them still run."""
    compute = Compute()
    release, started = threading.Event(), threading.Event()

    def block() -> None:
        started.set()
        release.wait()

    def fail() -> None:
        raise ValueError("broken")

    ran: list[str] = []
    try:
        first = asyncio.create_task(compute.run(0, block))
        await _until_started(started)
        cancelled = asyncio.create_task(compute.run(1, ran.append, "cancelled"))
        failing = asyncio.create_task(compute.run(2, fail))
        last = asyncio.create_task(compute.run(3, ran.append, "last"))
        await asyncio.sleep(0.01)
        cancelled.cancel()
        release.set()
        await first
        with pytest.raises(ValueError, match="broken"):
            await failing
        await last
    finally:
        compute.close()
    assert cancelled.cancelled()
    assert ran == ["last"]


async def test_a_piece_cancelled_as_its_turn_comes_passes_the_turn_on() -> None:
    """Cancelled between being given the thread and starting, a piece hands it to the next."""
    compute = Compute()
    release, started = threading.Event(), threading.Event()

    def block() -> None:
        started.set()
        release.wait()

    ran: list[str] = []
    tasks: dict[str, asyncio.Task[None]] = {}

    async def first_then_cancel() -> None:
        await compute.run(0, block)  # as it returns, `given` has the turn but has not started
        tasks["given"].cancel()

    try:
        first = asyncio.create_task(first_then_cancel())
        await _until_started(started)
        tasks["given"] = asyncio.create_task(compute.run(1, ran.append, "given"))
        after = asyncio.create_task(compute.run(2, ran.append, "after"))
        await asyncio.sleep(0.01)
        release.set()
        await first
        await asyncio.wait_for(after, 5)
    finally:
        compute.close()
    assert tasks["given"].cancelled()
    assert ran == ["after"]


async def test_a_closed_compute_refuses_new_pieces() -> None:
    """Once closed, the thread finishes what it was handed and `run` fails at once."""
    compute = Compute()
    assert await compute.run(0, sum, [1, 2]) == 3
    compute.close()
    with pytest.raises(RuntimeError, match="after shutdown"):
        await compute.run(1, sum, [3])


async def test_pieces_one_after_another_let_the_loop_turn_between_them() -> None:
    """The loop waits for at most one piece in a turn of it: a second piece asked in the same
    turn lets the loop run what is ready first."""
    compute = Compute()
    ran: list[int] = []
    try:
        await compute.run(0, int)  # the thread started
        asyncio.get_running_loop().call_soon(ran.append, 1)
        await compute.run(1, int)
        await compute.run(2, int)
    finally:
        compute.close()
    assert ran == [1]


async def test_a_piece_longer_than_the_wait_is_awaited_while_the_loop_runs() -> None:
    """A piece still running after `SYNC_WAIT` is awaited: the loop runs meanwhile (here, the
    task that lets the piece end)."""
    compute = Compute()
    release = threading.Event()

    async def later() -> None:
        await asyncio.sleep(0.05)
        release.set()

    try:
        setter = asyncio.create_task(later())
        assert await compute.run(0, release.wait, 5) is True
        await setter
    finally:
        compute.close()
