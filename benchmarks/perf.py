"""Speed and memory of the library at 10k and 100k passages, beside plain rank-bm25.

For each size it builds a library through the public API (articles of about 2,000 words made of
real sentences: the SQuAD dev articles in ../shared/eval/squad-dev-a, reshuffled), then measures,
each in a fresh process so that peak RSS belongs to one thing only:

* start-up until the first answer (open the SQLite file, load the collection, answer), twice
  on one copy: the first start reads the collection's passages (and saves its index image,
  `index.images`, in the background meanwhile); the second, the row named citebot, starts from
  that image and the first's adds since, as every start of a deployed library does after its
  first;
* query latency p50/p99 over real questions (the SQuAD questions);
* adding one 2,000-word article (median of several);
* peak RSS of that process;
* the longest the event loop was stalled meanwhile, and the time to add a 1 MB article;
* rank-bm25's plain ``BM25Okapi.get_scores`` over the same passages' terms, same parameters:
  its latency and peak RSS. (That citebot's BM25 scores equal rank-bm25's is a property test;
  citebot then re-ranks its candidates, so its best passage is not always BM25's.)

Libraries are built once in ``--workdir`` and reused (each measurement reads a fresh copy); the
FTS5 reference is SQLite FTS5 (porter tokenizer, ``bm25()``) over the same passages' text, in a
file built beside the library: its start-up (open, first answer), latency of the top 3 passages
with their text, and peak RSS.

Usage: python benchmarks/perf.py [--sizes 10000 100000 | --passages 1000000] [--workdir DIR]
       [--queries 500]
Targets at 100k passages (issue 13): p50 <= 1 ms, p99 <= 5 ms, add <= 20 ms, start-up <= 1.5 s,
peak RSS <= 250 MB; at 1M: p50 <= 2.5 ms, p99 <= 10 ms, start-up <= 5 s, peak RSS <= 1 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"
COLLECTION = "bench"
ARTICLE_WORDS = 2000


def _sentences() -> list[str]:
    from index.passages import split_sentences

    sentences = []
    with (SQUAD / "articles.jsonl").open() as f:
        for line in f:
            text = json.loads(line)["text"]
            sentences += [text[s:e] for para in split_sentences(text) for s, e in para]
    return sentences


def _articles(sentences: list[str], seed: int) -> list[str]:
    """Endless articles of about ARTICLE_WORDS words in paragraphs of 3-6 real sentences."""
    rng = random.Random(seed)
    while True:
        paragraphs, words = [], 0
        while words < ARTICLE_WORDS:
            paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        yield "\n\n".join(paragraphs)


def _questions(limit: int) -> list[str]:
    with (SQUAD / "questions.jsonl").open() as f:
        questions = [json.loads(line)["question"] for line in f]
    random.Random(7).shuffle(questions)
    return questions[:limit]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- build (in the parent process) -----------------------------------------------------------


async def build(db: str | Path, passages: int) -> dict[str, float]:
    """A library of about `passages` passages, added through the bulk API (`add_many`) in
    rounds of as many articles as seem to be missing, so as not to overshoot."""
    from index.bulk import AddResult
    from index.ingest import Document
    from index.library import Library

    sentences = _sentences()
    articles = _articles(sentences, seed=passages)
    started = time.perf_counter()
    count = added = 0
    async with Library.open(db) as library:
        while count < passages:
            per_article = count / added if added else 30.0
            n = max(1, int((passages - count) / per_article * 0.99))
            documents = (Document(title=f"A{added + i}", text=next(articles)) for i in range(n))
            async for result in library.add_many(COLLECTION, documents):
                if not isinstance(result, AddResult):
                    raise result
                count += result.article.passages
                added += 1
    return {"passages": count, "build_s": time.perf_counter() - started}


def prepared(workdir: Path, passages: int) -> Path:
    """The library of about `passages` passages in `workdir`, built first if it is not there."""
    db = workdir / f"bench-{passages}.db"
    if not db.exists():
        built = asyncio.run(build(db, passages))
        print(f"built {built['passages']:.0f} passages in {built['build_s']:.1f} s", flush=True)
    return db


# --- measure ours (child process) ------------------------------------------------------------


class LoopStall:
    """The longest time the event loop was kept from running a 1 ms timer, overall and in each
    phase of the measurement (`phase` names the one running)."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self.phase = "start-up"
        self.by_phase: dict[str, float] = {}

    async def watch(self) -> None:
        while True:
            t = time.perf_counter()
            phase = self.phase
            await asyncio.sleep(0.001)
            stall = (time.perf_counter() - t - 0.001) * 1000
            self.worst_ms = max(self.worst_ms, stall)
            self.by_phase[phase] = max(self.by_phase.get(phase, 0.0), stall)


async def measure_library(db: str | Path, n_queries: int) -> dict[str, float]:
    from index.ingest import Document
    from index.library import Library

    questions = _questions(n_queries)
    articles = _articles(_sentences(), seed=12345)
    new_articles = [next(articles) for _ in range(7)]
    big = "\n\n".join(next(articles) for _ in range(80))  # about 1 MB, 160,000 words
    stall = LoopStall()  # watched from here on: the benchmark's own set-up is done
    watcher = asyncio.create_task(stall.watch())
    started = time.perf_counter()
    async with Library.open(db) as library:
        await library.ask(COLLECTION, questions[0])
        startup = time.perf_counter() - started
        stall.phase = "questions"
        latencies = []
        for question in questions:
            t = time.perf_counter()
            await library.ask(COLLECTION, question, k=3)
            latencies.append((time.perf_counter() - t) * 1000)
        stall.phase = "adds"
        adds = []
        for i, text in enumerate(new_articles):
            document = Document(title=f"new {i}", text=text)
            t = time.perf_counter()
            await library.add(COLLECTION, document)
            adds.append((time.perf_counter() - t) * 1000)
        stall.phase = "1 MB add"
        t = time.perf_counter()
        await library.add(COLLECTION, Document(title="big", text=big))
        big_add = time.perf_counter() - t
    watcher.cancel()
    return {
        "startup_s": startup,
        "big_add_s": big_add,
        "stall_ms": stall.worst_ms,
        "stalls": stall.by_phase,
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "add_ms": statistics.median(adds),
        "rss_mb": _peak_rss_mb(),
    }


# --- measure rank-bm25 (child process) -------------------------------------------------------


def measure_rank_bm25(db: Path, n_queries: int) -> dict[str, float]:
    import sqlite3

    import numpy as np
    from rank_bm25 import BM25Okapi

    from index.analyzer import Analyzer
    from index.settings import LibrarySettings

    params = LibrarySettings().bm25
    with sqlite3.connect(db) as conn:
        vocabulary = dict(conn.execute("SELECT id, term FROM terms"))
        corpus = []
        rows = conn.execute(
            "SELECT term_ids, term_freqs FROM passages WHERE collection = ? ORDER BY id",
            (COLLECTION,),
        )
        for term_ids, freqs in rows:
            ids = np.frombuffer(term_ids, "<i4").tolist()
            counts = np.frombuffer(freqs, "<i4").tolist()
            corpus.append(
                [vocabulary[i] for i, n in zip(ids, counts, strict=True) for _ in range(n)]
            )
    started = time.perf_counter()
    bm25 = BM25Okapi(corpus, k1=params.k1, b=params.b, epsilon=params.epsilon)
    build = time.perf_counter() - started
    analyzer = Analyzer()
    questions = _questions(n_queries)
    latencies = []
    for question in questions:
        terms = analyzer.terms(question)
        t = time.perf_counter()
        bm25.get_scores(terms)
        latencies.append((time.perf_counter() - t) * 1000)
    return {
        "build_s": build,
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "rss_mb": _peak_rss_mb(),
    }


# --- measure SQLite FTS5 (child process) -----------------------------------------------------


def _fts5_query(question: str) -> str:
    """The question's words but citebot's stop words, each quoted, OR-ed (with the stop words,
    which nearly every passage holds, FTS5 ranks most of the collection: 100 ms a question)."""
    from index.analyzer import ENGLISH_STOPWORDS

    words = [w for w in re.findall(r"\w+", question) if w.casefold() not in ENGLISH_STOPWORDS]
    return " OR ".join(f'"{w}"' for w in words)


def fts5_library(db: Path) -> tuple[Path, float]:
    """An FTS5 table (porter tokenizer) of the library's passages, in a file beside it (built
    once), and how long building it took (0 when it was there)."""
    import sqlite3

    fts = db.with_name(f"fts5-{db.name}")
    if fts.exists():
        return fts, 0.0
    started = time.perf_counter()
    with sqlite3.connect(fts) as out, sqlite3.connect(db) as conn:
        out.execute("CREATE VIRTUAL TABLE fts USING fts5(body, tokenize = 'porter unicode61')")
        rows = conn.execute(
            'SELECT p.id, substr(a.text, p.start + 1, p."end" - p.start) FROM passages p'
            " JOIN articles a ON a.id = p.article_id WHERE p.collection = ? ORDER BY p.id",
            (COLLECTION,),
        )
        out.executemany("INSERT INTO fts (rowid, body) VALUES (?, ?)", rows)
    return fts, time.perf_counter() - started


def measure_fts5(fts: Path, n_queries: int) -> dict[str, float]:
    """FTS5's start-up (open, first answer), latency of the top 3 passages with their text by
    `bm25()` (the question's words OR-ed), and peak RSS."""
    import sqlite3

    questions = _questions(n_queries)
    sql = "SELECT rowid, body FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 3"
    started = time.perf_counter()
    conn = sqlite3.connect(fts)
    conn.execute(sql, (_fts5_query(questions[0]),)).fetchall()
    startup = time.perf_counter() - started
    latencies = []
    for question in questions:
        t = time.perf_counter()
        if query := _fts5_query(question):
            conn.execute(sql, (query,)).fetchall()
        latencies.append((time.perf_counter() - t) * 1000)
    conn.close()
    return {
        "startup_s": startup,
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "rss_mb": _peak_rss_mb(),
    }


def _without_images(db: Path) -> None:
    """Drop the saved index images of a library (opened once first: it may predate them)."""
    import sqlite3

    asyncio.run(_opened(db))
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("DELETE FROM index_images")
        connection.execute("DELETE FROM index_image_parts")


async def _opened(db: Path) -> None:
    from index.library import Library

    async with Library.open(db):
        pass


def _child(mode: str, db: Path, n_queries: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", str(db), "--queries", str(n_queries)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--passages", type=int, nargs="+", dest="sizes", help="as --sizes")
    parser.add_argument("--child", choices=["library", "rank-bm25", "fts5"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "library":
        print(json.dumps(asyncio.run(measure_library(args.db, args.queries))))
        return
    if args.child == "fts5":
        print(json.dumps(measure_fts5(args.db, args.queries)))
        return
    if args.child == "rank-bm25":
        print(json.dumps(measure_rank_bm25(args.db, max(20, args.queries // 10))))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="citebot-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {workdir}")
    header = (
        f"{'passages':>9} {'who':<10} {'add ms':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'start s':>7} {'RSS MB':>7} {'stall ms':>8} {'1MB add s':>9}"
    )
    rows = []
    for size in args.sizes:
        db = prepared(workdir, size)
        copy = workdir / f"copy-{db.name}"  # measuring adds articles: the built one stays
        for stale in (Path(f"{copy}-wal"), Path(f"{copy}-shm")):  # SQLite would apply them
            stale.unlink(missing_ok=True)
        shutil.copyfile(db, copy)
        _without_images(copy)
        first = _child("library", copy, args.queries)  # reads the passages, saves the image
        ours = _child("library", copy, args.queries)  # starts from it (and first's adds since)
        copy.unlink()
        theirs = _child("rank-bm25", db, args.queries)
        fts, fts_build = fts5_library(db)
        fts5 = _child("fts5", fts, args.queries)
        for who, run in (("citebot", ours), ("1st start", first)):
            rows.append(
                f"{size:>9} {who:<10} {run['add_ms']:>7.1f} {run['p50_ms']:>7.2f} "
                f"{run['p99_ms']:>7.2f} {run['startup_s']:>7.2f} {run['rss_mb']:>7.0f} "
                f"{run['stall_ms']:>8.1f} {run['big_add_s']:>9.2f}"
            )
        rows.append(
            f"{size:>9} {'rank-bm25':<10} {'':>7} {theirs['p50_ms']:>7.2f} "
            f"{theirs['p99_ms']:>7.2f} {theirs['build_s']:>7.2f} {theirs['rss_mb']:>7.0f}"
        )
        rows.append(
            f"{size:>9} {'FTS5':<10} {'':>7} {fts5['p50_ms']:>7.2f} "
            f"{fts5['p99_ms']:>7.2f} {fts5['startup_s']:>7.2f} {fts5['rss_mb']:>7.0f}"
            + (f"  (FTS5 table built in {fts_build:.1f} s)" if fts_build else "")
        )
        rows.append(
            f"{size:>9} ratios: p50 rank-bm25 / citebot {theirs['p50_ms'] / ours['p50_ms']:.0f},"
            f" FTS5 / citebot {fts5['p50_ms'] / ours['p50_ms']:.1f};"
            f" p99 FTS5 / citebot {fts5['p99_ms'] / ours['p99_ms']:.1f}"
        )
        for who, run in (("citebot", ours), ("1st start", first)):
            stalls = ", ".join(f"{phase} {ms:.1f}" for phase, ms in run["stalls"].items())
            rows.append(f"{size:>9} {who}'s longest stall (ms) in each phase: {stalls}")
        print("\n".join([header, *rows]), flush=True)


if __name__ == "__main__":
    main()
