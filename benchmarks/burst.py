"""A burst of questions in one process: throughput, latency and event-loop stalls.

Builds libraries as ``perf.py`` does (2,000-word articles of real SQuAD sentences, on a real
SQLite file), then runs each of these on a fresh copy of the file, in a fresh process, the
four alternating, ``--repeats`` times:

* ``sequential``: 200 SQuAD questions asked one after another (the reference);
* ``asks``: the same 200 asked concurrently, arriving in 10 waves 20 ms apart;
* ``asks+writes``: the same waves with, among them, 3 articles added and 3 removed (each the
  best answer to questions of the later waves);
* ``+writes frozen``: the same, in a process that froze what it imported before opening the
  library (``gc.collect(); gc.freeze()``), as ``citebot run`` does.

Figures, each the median over the repeats: asks per second (200 over the time from the first
question to the last answer), latency p50/p99 (from the call to the answer, queueing included),
the longest stall of the event loop (a 1 ms timer, as in ``perf.py``), and the longest full
garbage collection meanwhile (``gc2 ms``: it holds the GIL, so it stalls the loop too). The burst
also checks what it promises: no ask raises, and no ask started after ``remove()`` returned
answers with the removed article (``errors`` and ``stale``, both always 0).

Usage: python benchmarks/burst.py [--sizes 10000 100000] [--workdir DIR] [--repeats 5]
Target: the longest stall of a burst with writes at or under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf import COLLECTION, LoopStall, _articles, _percentile, _questions, _sentences, prepared

ASKS = 200
WAVES = 10
WAVE_GAP = 0.020  # seconds between waves of questions
WRITES = 3  # articles added, and articles removed, during a burst
MODES = ("sequential", "asks", "asks+writes", "+writes frozen")
Write = Callable[[], Awaitable[object]]


@dataclass
class Burst:
    """What one run saw."""

    latencies: list[float] = field(default_factory=list)  # ms
    errors: list[str] = field(default_factory=list)
    stale: int = 0  # answers, asked after a remove returned, that named the removed article
    removed: dict[int, float] = field(default_factory=dict)  # article id -> when remove returned


class FullCollections:
    """How many full (generation 2) garbage collections ran while watching, and the longest."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self.count = 0
        self._started = 0.0
        self.watching = False

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif self.watching:
            self.worst_ms = max(self.worst_ms, (time.perf_counter() - self._started) * 1000)
            self.count += 1


async def _ask(library: Any, burst: Burst, question: str) -> None:
    started = time.perf_counter()
    try:
        answer = await library.ask(COLLECTION, question, k=3)
    except Exception as exc:  # counted, and the run goes on
        burst.errors.append(repr(exc))
        return
    burst.latencies.append((time.perf_counter() - started) * 1000)
    named = {r.article.id for r in answer.results}
    burst.stale += sum(1 for a, at in burst.removed.items() if a in named and at < started)


async def _remove(library: Any, burst: Burst, article_id: int) -> None:
    await library.remove(COLLECTION, article_id)
    burst.removed[article_id] = time.perf_counter()


def _writes(library: Any, burst: Burst, targets: list[int]) -> list[Write]:
    """Adds and removes, alternating: add a new article, remove a target."""
    from index.ingest import Document

    texts = _articles(_sentences(), seed=4242)
    writes: list[Write] = []
    for i, target in enumerate(targets):
        document = Document(title=f"burst {i}", text=next(texts))
        writes.append(lambda d=document: library.add(COLLECTION, d))
        writes.append(lambda t=target: _remove(library, burst, t))
    return writes


async def _waves(library: Any, questions: list[str], writes: list[Write], burst: Burst) -> None:
    """The questions in WAVES waves WAVE_GAP apart; write i starts with wave i + 1."""
    tasks: list[asyncio.Future[object]] = []
    per_wave = -(-len(questions) // WAVES)
    for wave in range(WAVES):
        if wave:
            await asyncio.sleep(WAVE_GAP)
        if 0 < wave <= len(writes):
            tasks.append(asyncio.ensure_future(writes[wave - 1]()))
        for question in questions[wave * per_wave : (wave + 1) * per_wave]:
            tasks.append(asyncio.ensure_future(_ask(library, burst, question)))
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, BaseException):
            burst.errors.append(repr(outcome))


async def run_mode(db: Path, mode: str, questions: list[str]) -> dict[str, float]:
    """One run of `mode` on the library at `db` (which it changes)."""
    from index.library import Library

    if mode == "+writes frozen":
        gc.collect()
        gc.freeze()
    collections = FullCollections()
    gc.callbacks.append(collections)
    async with Library.open(db) as library:
        first = {}  # each question's best article, before anything is removed
        for question in questions:  # also loads the index and warms every cache
            answer = await library.ask(COLLECTION, question, k=3)
            if answer.results:
                first[question] = answer.results[0].article.id
        # remove articles that questions of the later waves find first
        late = [first[q] for q in questions[len(questions) * 7 // 10 :] if q in first]
        targets = list(dict.fromkeys(late))[:WRITES]
        burst = Burst()
        writes = _writes(library, burst, targets) if "writes" in mode else []
        stall = LoopStall()
        watcher = asyncio.create_task(stall.watch())
        await asyncio.sleep(0.05)
        collections.watching = True
        started = time.perf_counter()
        if mode == "sequential":
            for question in questions:
                await _ask(library, burst, question)
        else:
            await _waves(library, questions, writes, burst)
        elapsed = time.perf_counter() - started
        collections.watching = False
        watcher.cancel()
    return {
        "asks_per_s": len(burst.latencies) / elapsed,
        "p50_ms": statistics.median(burst.latencies),
        "p99_ms": _percentile(burst.latencies, 0.99),
        "stall_ms": stall.worst_ms,
        "gc_ms": collections.worst_ms,
        "errors": len(burst.errors),
        "stale": burst.stale,
    }


def _child(db: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def measure(db: Path, workdir: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Median figures of each mode over `repeats` runs, the modes alternating, each run on a
    fresh copy of the library in a fresh process."""
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for _ in range(repeats):
        for mode in MODES:
            copy = workdir / "burst-copy.db"
            shutil.copyfile(db, copy)
            runs[mode].append(_child(copy, mode))
            copy.unlink()
    return {
        mode: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for mode, results in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(run_mode(args.db, args.child, _questions(ASKS)))))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="citebot-burst-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {workdir}, medians of {args.repeats}")
    header = (
        f"{'passages':>9} {'mode':<15} {'asks/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'stall ms':>8} {'gc2 ms':>7} {'errors':>6} {'stale':>5}"
    )
    rows = []
    for size in args.sizes:
        for mode, f in measure(prepared(workdir, size), workdir, args.repeats).items():
            rows.append(
                f"{size:>9} {mode:<15} {f['asks_per_s']:>7.0f} {f['p50_ms']:>7.1f} "
                f"{f['p99_ms']:>7.1f} {f['stall_ms']:>8.1f} {f['gc_ms']:>7.1f} "
                f"{f['errors']:>6.0f} {f['stale']:>5.0f}"
            )
        print("\n".join([header, *rows]), flush=True)


if __name__ == "__main__":
    main()
