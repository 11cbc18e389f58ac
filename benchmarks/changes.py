"""What it costs a long-lived process to see other processes' writes, beside reloading.

On a library of N passages (built as benchmarks/perf.py builds it), one process keeps the
library open with its collection loaded and asks questions; between questions another process
(a real `python` subprocess) adds a 2,000-word article, then removes it. It measures:

* an ask when nobody else wrote (the cheap `data_version` test only), beside the same asks with
  that test skipped: what the test costs every question;
* the first ask after another process's add, and after its remove (the catch-up: the change's
  passages and new words read and applied), median of several;
* the reference: reloading instead, i.e. opening the library and loading its collection
  (what a process had to do before the change log).

Usage: python benchmarks/changes.py [--passages 100000] [--workdir DIR] [--repeats 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf import COLLECTION, _articles, _questions, _sentences, build

_OTHER = """
import asyncio, sys
from index import Document, Library

async def main():
    async with Library.open(sys.argv[1]) as library:
        if sys.argv[2] == "add":
            document = Document(title="other", text=sys.stdin.read())
            print((await library.add("{collection}", document)).article.id)
        else:
            await library.remove("{collection}", int(sys.argv[3]))

asyncio.run(main())
""".replace("{collection}", COLLECTION)


def _other(db: Path, *args: str, text: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", _OTHER, str(db), *args],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


async def _timed(fn: Callable[..., Awaitable[object]], *args: object) -> float:
    started = time.perf_counter()
    await fn(*args)
    return (time.perf_counter() - started) * 1000


async def measure(db: Path, repeats: int) -> dict[str, float]:
    from index.library import Library

    questions = _questions(400)
    articles = _articles(_sentences(), seed=999)
    started = time.perf_counter()
    async with Library.open(db) as library:
        await library.ask(COLLECTION, questions[0])
        reload_ms = (time.perf_counter() - started) * 1000
        ask = library.ask
        checked = [await _timed(ask, COLLECTION, q) for q in questions[:200]]
        indexes = library._indexes
        real_check = indexes.check

        async def no_check() -> None:
            return None

        indexes.check = no_check  # type: ignore[method-assign]
        unchecked = [await _timed(ask, COLLECTION, q) for q in questions[:200]]
        indexes.check = real_check  # type: ignore[method-assign]
        after_add, after_remove = [], []
        for n in range(repeats):
            article_id = await asyncio.to_thread(_other, db, "add", text=next(articles))
            after_add.append(await _timed(ask, COLLECTION, questions[n + 1]))
            await asyncio.to_thread(_other, db, "remove", article_id)
            after_remove.append(await _timed(ask, COLLECTION, questions[n + 2]))
    return {
        "ask_ms": statistics.median(checked),
        "ask_unchecked_ms": statistics.median(unchecked),
        "after_add_ms": statistics.median(after_add),
        "after_remove_ms": statistics.median(after_remove),
        "reload_ms": reload_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="citebot-bench-"))
    db = workdir / f"bench-{args.passages}.db"
    if not db.exists():
        built = asyncio.run(build(db, args.passages))
        print(f"built {built['passages']:.0f} passages in {built['build_s']:.1f} s", flush=True)
    figures = asyncio.run(measure(db, args.repeats))
    print(f"{args.passages} passages, medians:")
    rows = [
        ("ask, nobody else wrote", "ask_ms"),
        ("ask, the test skipped", "ask_unchecked_ms"),
        ("first ask after another's add", "after_add_ms"),
        ("first ask after another's remove", "after_remove_ms"),
        ("reference: reload (open + load)", "reload_ms"),
    ]
    for label, key in rows:
        print(f"  {label:<34} {figures[key]:8.2f} ms")


if __name__ == "__main__":
    main()
