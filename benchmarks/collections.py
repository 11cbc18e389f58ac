"""Many small collections in one process: memory per collection and the first-use load time.

A sharded bot holds many servers' collections. This builds one library of ``--collections``
collections of about ``--passages`` passages each (2,000-word articles of real SQuAD sentences,
as ``perf.py`` builds them, through the public API; built once and kept in ``--workdir``), then,
in a fresh process, opens it and asks one SQuAD question in every collection in turn, which loads
each on first use. It reports the RSS after opening (before any collection is loaded), after all
are loaded, the difference per collection, and the time of each collection's first answer
(which loads it) beside the time of a second answer in the same collection (already loaded).

Usage: python benchmarks/collections.py [--collections 1000] [--passages 200] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perf import _articles, _questions, _sentences


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


async def build(db: Path, collections: int, passages: int) -> float:
    from index.ingest import Document
    from index.library import Library

    articles = _articles(_sentences(), seed=collections)
    started = time.perf_counter()
    async with Library.open(db) as library:
        for c in range(collections):
            count = 0
            while count < passages:
                document = Document(title=f"C{c} A{count}", text=next(articles))
                count += (await library.add(f"guild:{c}", document)).article.passages
    return time.perf_counter() - started


async def measure(db: Path, collections: int) -> dict[str, float]:
    from index.library import Library

    questions = _questions(collections)
    firsts, seconds = [], []
    async with Library.open(db) as library:
        await library.ask("none", "warm up")  # an empty collection: imports, the vocabulary
        opened = _rss_mb()
        for c in range(collections):
            t = time.perf_counter()
            await library.ask(f"guild:{c}", questions[c])
            firsts.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await library.ask(f"guild:{c}", questions[c])
            seconds.append((time.perf_counter() - t) * 1000)
        loaded = _rss_mb()
    return {
        "rss_opened_mb": opened,
        "rss_loaded_mb": loaded,
        "kb_per_collection": (loaded - opened) * 1024 / collections,
        "first_ask_ms": statistics.median(firsts),
        "second_ask_ms": statistics.median(seconds),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=1000)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.db, args.collections))))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="citebot-collections-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"collections-{args.collections}x{args.passages}.db"
    if not db.exists():
        took = asyncio.run(build(db, args.collections, args.passages))
        print(f"built {args.collections} collections in {took:.0f} s", flush=True)
    command = [sys.executable, __file__, "--child", "--db", str(db)]
    done = subprocess.run(
        [*command, "--collections", str(args.collections)],
        capture_output=True,
        text=True,
        check=True,
    )
    print(done.stdout.splitlines()[-1])


if __name__ == "__main__":
    main()
