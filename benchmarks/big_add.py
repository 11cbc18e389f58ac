"""The event loop while the largest allowed article is added: 'word.' a million times (5 MB,
not one space), beside the reference of pure Python work in a thread for as long.

The loop is watched with the 1 ms timer of perf.py (`LoopStall`). The reference shows what this
machine's load alone costs a thread-switching loop at that moment, so that a stall caused by the
add can be told from one caused by the machine. Target: the add stalls the loop 20 ms at most.

Each attempt adds twice, alternately: in a process as the library leaves it, and as `citebot run`
leaves it, with what start-up imported frozen (`gc.collect(); gc.freeze()`), so that the
garbage collector's full passes skip it. The full collections during each add are counted and
the longest is shown. An add leaves the collector next to nothing to follow (`NewPassages`);
in a process not frozen, the one full collection that can still fall during the add is the
first one since start-up's imports, which scans them all.

Each add runs in a fresh process. Usage: python benchmarks/big_add.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from burst import FullCollections
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


TEXTS = {
    "5 MB without a space": lambda: "word." * 1_000_000,
    "10 MB of short sentences": lambda: "The harbour was rebuilt in stone. " * 300_000,
}


async def measure(db: Path, text: str, frozen: bool) -> dict[str, float]:
    """One add of `text`, in this process (fresh), to a new library at `db`."""
    from index import Document, Library

    if frozen:
        gc.collect()
        gc.freeze()
    collections = FullCollections()
    gc.callbacks.append(collections)
    async with Library.open(db) as library:
        await library.add("c", Document("Short", "A short article about words."))
        collections.watching = True
        started = time.perf_counter()
        stall = await _stall_during(lambda: library.add("c", Document("Words", text)))
        seconds = time.perf_counter() - started
    reference = await _stall_during(lambda: asyncio.to_thread(_busy, seconds))
    return {
        "seconds": seconds,
        "stall": stall,
        "gc": collections.worst_ms,
        "collections": collections.count,
        "reference": reference,
    }


def _in_fresh_process(db: Path, text: str, frozen: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", str(db), "--text", text]
    command += ["--frozen"] if frozen else []
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(output)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--frozen", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--text", choices=TEXTS, action="append", help="default: each")
    args = parser.parse_args()
    if args.one:
        text = TEXTS[args.text[0]]()
        print(json.dumps(asyncio.run(measure(args.one, text, args.frozen))))
        return
    for text in args.text or TEXTS:
        _report(text, args.repeats)


def _report(text: str, repeats: int) -> None:
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(repeats):
            for frozen in (False, True):
                db = Path(folder) / f"{attempt}-{frozen}.db"
                runs[frozen].append(_in_fresh_process(db, text, frozen))

    def median(frozen: bool, name: str) -> float:
        return statistics.median(run[name] for run in runs[frozen])

    print(f"adding {text}, {repeats} times each, alternately, medians:")
    for frozen, label in ((False, "the library alone"), (True, "as `citebot run` (frozen)")):
        worst = max(run["stall"] for run in runs[frozen])
        print(f"  {label}: the add took {median(frozen, 'seconds'):.2f} s")
        stall = median(frozen, "stall")
        print(f"    longest loop stall meanwhile  {stall:6.1f} ms (worst {worst:.1f})")
        counts = [int(run["collections"]) for run in runs[frozen]]
        print(f"    longest full collection       {median(frozen, 'gc'):6.1f} ms (of {counts})")
        print(f"    reference: a busy thread      {median(frozen, 'reference'):6.1f} ms")


if __name__ == "__main__":
    main()
