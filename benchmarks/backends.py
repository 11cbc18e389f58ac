"""The two storage backends side by side: SQLite (the reference) and PostgreSQL.

Part 1, one collection of N passages (100k), built on each backend as benchmarks/perf.py builds
it (2,000-word articles of real SQuAD sentences, the same seed, through the public API). Each
measurement runs perf.py's `measure_library` in a fresh process on a fresh copy of the built
library (a file copy; `CREATE DATABASE ... TEMPLATE`), so peak RSS belongs to one thing and the
articles it adds are new: adding one 2,000-word article (median of 7), ask p50/p99 over real
SQuAD questions, start-up until the first answer, peak RSS, the longest event-loop stall and
adding a 1 MB article.

Part 2, a sharded bot: G servers (500) of about P passages each (200), in collections named as
the bot names them, their ids chosen so that half fall on shard 0 of 2 and half on shard 1. Two
processes, started at the same time, each ask one real question in every server its shard owns
(so each loads only its half); the reference is one process that asks in all of them. For each:
the time to open the library, the time until its last server answered, and peak RSS (after
opening, before any server's collection was loaded; and at the end).

Part 3, bulk adding: perf.py's build (rounds of `Library.add_many` of its 2,000-word articles)
into a new library of N passages (100k) on each backend, in a fresh process each, alternately:
passages added a second, and the time spent writing batches (`Store.insert_articles`, which
overlaps the analysis of the next batch in the worker processes).

PostgreSQL is the tests' throwaway server (tests/helpers/postgres.py: a Unix socket, fsync and
synchronous_commit off; SQLite runs in WAL with synchronous=NORMAL, which does not flush at
commit either). Its own memory is not in the RSS figures: only the measuring process's is.

Usage: python benchmarks/backends.py [--parts single guilds bulk] [--passages 100000] [--guilds 500]
       [--per-guild 200] [--queries 500] [--repeats 3] [--workdir DIR] [--no-sqlite-guilds]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))  # perf
from perf import _articles, _peak_rss_mb, _questions, _sentences, build, measure_library

from tests.helpers.postgres import PostgresServer

SHARDS = 2
Figures = dict[str, float]


# --- the two backends ------------------------------------------------------------------------


class Backends:
    """Where each built library lives, and fresh copies of it to measure."""

    def __init__(self, server: PostgresServer, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self._copies = 0

    def sqlite(self, name: str) -> str:
        return str(self.workdir / f"{name}.db")

    def postgres(self, name: str) -> str:
        return self.server.url(name)

    async def create(self, name: str, template: str | None = None) -> None:
        """A new PostgreSQL database, empty or a copy of `template`."""
        copy = f" TEMPLATE {template}" if template else ""
        await self._execute(f"CREATE DATABASE {name}{copy}")

    async def _execute(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.server.url())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def measure(self, backend: str, name: str, *args: str) -> Figures:
        """`measure_library` in a fresh process, on a fresh copy of the library `name` (so
        that the articles it adds are new to it), deleted afterwards."""
        self._copies += 1
        copy = f"{name}_copy{self._copies}"
        if backend == "postgresql":
            asyncio.run(self.create(copy, template=name))
            location = self.postgres(copy)
        else:
            location = self.sqlite(copy)
            shutil.copyfile(self.sqlite(name), location)
        try:
            return _result(_spawn("library", location, *args))
        finally:
            if backend == "postgresql":
                asyncio.run(self._execute(f"DROP DATABASE {copy}"))
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(location + suffix).unlink(missing_ok=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _build(
    backends: Backends, backend: str, name: str, build_it: Callable[[str], Awaitable[float]]
) -> str:
    """Build the library `name` on `backend` unless it exists; its location."""
    if backend == "postgresql":
        asyncio.run(backends.create(name))
        location = backends.postgres(name)
    else:
        location = backends.sqlite(name)
        if Path(location).exists():
            return location
    started = time.perf_counter()
    passages = asyncio.run(build_it(location))
    took = time.perf_counter() - started
    print(f"built {name} on {backend}: {passages:.0f} passages in {took:.0f} s", flush=True)
    return location


# --- child processes -------------------------------------------------------------------------


def _spawn(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--child", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(child: subprocess.Popen[str]) -> Figures:
    out, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"a measuring process failed:\n{err}")
    return json.loads(out.splitlines()[-1])  # type: ignore[no-any-return]


def _median(runs: list[Figures], key: str) -> float:
    return statistics.median(run[key] for run in runs)


# --- part 1: one collection of 100k passages --------------------------------------------------


async def _build_single(location: str, passages: int) -> float:
    return (await build(location, passages))["passages"]


Columns = list[tuple[str, str, str]]  # (heading, key, format)

_SINGLE: Columns = [
    ("add ms", "add_ms", ".1f"),
    ("p50 ms", "p50_ms", ".2f"),
    ("p99 ms", "p99_ms", ".2f"),
    ("start s", "startup_s", ".2f"),
    ("RSS MB", "rss_mb", ".0f"),
    ("stall ms", "stall_ms", ".1f"),
    ("1MB add s", "big_add_s", ".2f"),
]


def _row(columns: Columns, label: str, figures: Figures | None = None) -> str:
    """A line of a table: its label, then each column's figure (or heading, without figures)."""
    width = 24 if columns is _SINGLE else 34
    cells = (f"{h:>9}" if figures is None else f"{figures[k]:>9{f}}" for h, k, f in columns)
    return f"{label:<{width}}" + "".join(f" {cell}" for cell in cells)


def part_single(backends: Backends, passages: int, queries: int, repeats: int) -> None:
    name = f"single_{passages}"
    for backend in ("sqlite", "postgresql"):
        _build(backends, backend, name, lambda loc: _build_single(loc, passages))
    runs: dict[str, list[Figures]] = {"sqlite": [], "postgresql": []}
    header = _row(_SINGLE, "")
    print(f"\n{passages} passages, one collection; each run a fresh process\n{header}")
    for n in range(repeats):
        for backend in runs:  # alternately, so that the machine's load falls on both
            runs[backend].append(backends.measure(backend, name, str(queries)))
            print(_row(_SINGLE, f"run {n + 1} {backend}", runs[backend][-1]), flush=True)
    print(f"medians of {repeats} runs:")
    medians = {b: {k: _median(r, k) for _, k, _ in _SINGLE} for b, r in runs.items()}
    print(_row(_SINGLE, "sqlite (reference)", medians["sqlite"]))
    print(_row(_SINGLE, "postgresql", medians["postgresql"]))
    ratio = {k: medians["postgresql"][k] / medians["sqlite"][k] for _, k, _ in _SINGLE}
    print(f"{'postgresql / sqlite':<24}" + "".join(f" {ratio[k]:>8.2f}x" for _, k, _ in _SINGLE))


# --- part 2: a sharded bot, many servers -----------------------------------------------------


def guild_ids(count: int) -> list[int]:
    """Server ids shaped like Discord's (a creation time above bit 22), alternately on shard 0
    and shard 1 of 2 (Discord's rule: `(id >> 22) % shard_count`)."""
    from index import Shards

    first = 1_100_000_000_000  # milliseconds since Discord's epoch: 2023
    ids = [((first + n) << 22) | (n * 7919 % (1 << 22)) for n in range(count)]
    assert sum(Shards(SHARDS, frozenset({0})).owns(g) for g in ids) == count // 2 + count % 2
    return ids


async def build_guilds(location: str, count: int, per_guild: int) -> float:
    """Each server's collection gets 2,000-word articles until it holds `per_guild` passages."""
    from index import Document, Library, guild_collection

    articles = _articles(_sentences(), seed=count * per_guild)
    total = 0
    async with Library.open(location) as library:
        for n, guild in enumerate(guild_ids(count)):
            passages = 0
            while passages < per_guild:
                document = Document(title=f"G{n} A{passages}", text=next(articles))
                result = await library.add(guild_collection(guild), document)
                passages += result.article.passages
            total += passages
    return total


async def measure_guilds(location: str, shard: str, count: int) -> Figures:
    """Ask one question in each server that `shard` ("0", "1" or "all") owns."""
    from index import Library, Shards, guild_collection

    ids = guild_ids(count)
    questions = _questions(count)
    owns = Shards(SHARDS, frozenset(range(SHARDS) if shard == "all" else {int(shard)})).owns
    started = time.perf_counter()
    async with Library.open(location) as library:
        opened = time.perf_counter() - started
        rss_open = _peak_rss_mb()
        guilds = searched = 0
        for guild, question in zip(ids, questions, strict=True):
            if owns(guild):
                answer = await library.ask(guild_collection(guild), question)
                guilds, searched = guilds + 1, searched + answer.searched
        loaded = time.perf_counter() - started
    return {
        "guilds": guilds,
        "passages": searched,
        "open_s": opened,
        "load_s": loaded,
        "rss_open_mb": rss_open,
        "rss_mb": _peak_rss_mb(),
    }


_GUILDS: Columns = [
    ("servers", "guilds", ".0f"),
    ("passages", "passages", ".0f"),
    ("open s", "open_s", ".2f"),
    ("load s", "load_s", ".2f"),
    ("RSS open", "rss_open_mb", ".0f"),
    ("peak RSS", "rss_mb", ".0f"),
]


_LABELS = {"0": "shard 0 of 2", "1": "shard 1 of 2", "all": "all (reference)"}


def _guild_runs(location: str, count: int, repeats: int, backend: str) -> dict[str, list[Figures]]:
    runs: dict[str, list[Figures]] = {"0": [], "1": [], "all": []}
    for n in range(repeats):
        together = [_spawn("guilds", location, shard, str(count)) for shard in ("0", "1")]
        for shard, child in zip(("0", "1"), together, strict=True):
            runs[shard].append(_result(child))
        runs["all"].append(_result(_spawn("guilds", location, "all", str(count))))
        for shard, label in _LABELS.items():
            print(_row(_GUILDS, f"run {n + 1} {backend} {label}", runs[shard][-1]), flush=True)
    return runs


def part_guilds(backends: Backends, count: int, per_guild: int, repeats: int, sqlite: bool) -> None:
    name = f"guilds_{count}x{per_guild}"
    header = _row(_GUILDS, "")
    medians = {}
    for backend in ("postgresql", "sqlite") if sqlite else ("postgresql",):
        location = _build(backends, backend, name, lambda loc: build_guilds(loc, count, per_guild))
        print(f"\n{count} servers x {per_guild} passages on {backend}: shards 0 and 1 run at the"
              f" same time, then the reference alone; RSS in MB\n{header}")  # fmt: skip
        runs = _guild_runs(location, count, repeats, backend)
        medians[backend] = {s: {k: _median(r, k) for _, k, _ in _GUILDS} for s, r in runs.items()}
    print(f"medians of {repeats} runs:")
    for backend, by_shard in medians.items():
        for shard, label in _LABELS.items():
            print(_row(_GUILDS, f"{backend} {label}", by_shard[shard]))


# --- part 3: bulk adding ---------------------------------------------------------------------


def _time_writes(store: Any, writes: Figures) -> None:
    """Count `store`'s batch writes (`insert_articles`) and the time they take into `writes`."""
    insert = store.insert_articles

    async def timed(self: Any, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return await insert(self, *args)
        finally:
            writes["write_s"] += time.perf_counter() - started
            writes["batches"] += 1

    store.insert_articles = timed


async def measure_bulk(location: str, passages: int) -> Figures:
    """perf.py's build into a new library at `location`, the batches' writes timed."""
    from index.store.postgres import PostgresStore
    from index.store.sqlite import SQLiteStore

    writes = {"write_s": 0.0, "batches": 0.0}
    _time_writes(PostgresStore, writes)
    _time_writes(SQLiteStore, writes)
    built = await build(location, passages)
    return {**built, **writes, "per_s": built["passages"] / built["build_s"]}


_BULK: Columns = [
    ("passages", "passages", ".0f"),
    ("build s", "build_s", ".1f"),
    ("passages/s", "per_s", ".0f"),
    ("write s", "write_s", ".2f"),
    ("batches", "batches", ".0f"),
]


def part_bulk(backends: Backends, passages: int, repeats: int) -> None:
    runs: dict[str, list[Figures]] = {"sqlite": [], "postgresql": []}
    print(f"\nbulk adding {passages} passages into a new library; each run a fresh process")
    print(_row(_BULK, ""))
    for n in range(repeats):
        for backend in runs:  # alternately, so that the machine's load falls on both
            name = f"bulk_{passages}_{n}"
            if backend == "postgresql":
                asyncio.run(backends.create(name))
                location = backends.postgres(name)
            else:
                location = backends.sqlite(name)
            try:
                runs[backend].append(_result(_spawn("bulk", location, str(passages))))
            finally:
                if backend == "postgresql":
                    asyncio.run(backends._execute(f"DROP DATABASE {name}"))
                else:
                    for suffix in ("", "-wal", "-shm"):
                        Path(location + suffix).unlink(missing_ok=True)
            print(_row(_BULK, f"run {n + 1} {backend}", runs[backend][-1]), flush=True)
    print(f"medians of {repeats} runs:")
    for backend, backend_runs in runs.items():
        print(_row(_BULK, backend, {k: _median(backend_runs, k) for _, k, _ in _BULK}))


# --- main ------------------------------------------------------------------------------------


def _child(args: list[str]) -> None:
    mode, location, number = args[:3]
    if mode == "library":
        figures = asyncio.run(measure_library(location, int(number)))
    elif mode == "bulk":
        figures = asyncio.run(measure_bulk(location, int(number)))
    else:
        figures = asyncio.run(measure_guilds(location, number, int(args[3])))
    print(json.dumps(figures))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=["single", "guilds", "bulk"], default=None)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--guilds", type=int, default=500)
    parser.add_argument("--per-guild", type=int, default=200)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="SQLite libraries kept here")
    parser.add_argument("--no-sqlite-guilds", action="store_true", help="part 2 on PostgreSQL only")
    args = parser.parse_args()
    parts = args.parts or ["single", "guilds"]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="citebot-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {workdir}", flush=True)
    with postgres_server() as server:
        backends = Backends(server, workdir)
        if "single" in parts:
            part_single(backends, args.passages, args.queries, args.repeats)
        if "guilds" in parts:
            part_guilds(
                backends, args.guilds, args.per_guild, args.repeats, not args.no_sqlite_guilds
            )
        if "bulk" in parts:
            part_bulk(backends, args.passages, args.repeats)


if __name__ == "__main__":
    main()
