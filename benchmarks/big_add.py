"""The event loop while the largest allowed article is added: 'word.' a million times (5 MB,
not one space), beside the reference of pure Python work in a thread for as long.

The loop is watched with the 1 ms timer of perf.py (`LoopStall`). The reference shows what this
machine's load alone costs a thread-switching loop at that moment, so that a stall caused by the
add can be told from one caused by the machine. Target: the add stalls the loop 20 ms at most.

Usage: python benchmarks/big_add.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf import LoopStall


async def _stall_during(work: Callable[[], Awaitable[object]]) -> float:
    stall = LoopStall()
    watcher = asyncio.create_task(stall.watch())
    await asyncio.sleep(0.05)
    stall.worst_ms = 0.0
    try:
        await work()
    finally:
        watcher.cancel()
    return stall.worst_ms


def _busy(seconds: float) -> None:
    """Pure Python work: it gives the GIL up every switch interval, as well as work can."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def measure(folder: Path, repeats: int) -> tuple[list[float], list[float], list[float]]:
    from index import Document, Library

    text = "word." * 1_000_000
    stalls, references, seconds = [], [], []
    for attempt in range(repeats):
        async with Library.open(folder / f"{attempt}.db") as library:
            await library.add("c", Document("Short", "A short article about words."))
            started = time.perf_counter()
            stalls.append(await _stall_during(lambda: library.add("c", Document("Words", text))))
            seconds.append(time.perf_counter() - started)
        references.append(await _stall_during(lambda: asyncio.to_thread(_busy, seconds[-1])))
    return stalls, references, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stalls, references, seconds = asyncio.run(measure(Path(folder), args.repeats))
    print(f"adding 5 MB without a space, {args.repeats} times, medians:")
    print(f"  the add took                    {statistics.median(seconds):7.2f} s")
    print(f"  longest loop stall meanwhile    {statistics.median(stalls):7.1f} ms")
    print(f"  reference: a busy thread        {statistics.median(references):7.1f} ms")


if __name__ == "__main__":
    main()
