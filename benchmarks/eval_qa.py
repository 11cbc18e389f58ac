"""Answer quality on a dataset folder: citebot beside three BM25 baselines, same passages.

A dataset folder holds ``articles.jsonl`` (``{"id", "title", "text"}``) and ``questions.jsonl``
(``{"id", "question", "answers", "article_id", ...}``), as ``../shared/eval/squad-dev-a`` (the
default) and ``../shared/eval/covidqa-a`` do (see their SOURCE.md). The articles go into a
fresh library (a temporary SQLite file) through the public API (``Library.add``); every question
is asked with ``Library.ask``. The passages the library stored are then read back from that
file, and three baselines rank exactly those passage texts:

* ``rank-bm25``: ``BM25Okapi`` (its defaults) over lower-cased white-space tokens (its README);
* ``bm25s``: ``bm25s.BM25()`` over ``bm25s.tokenize(..., stopwords="en", stemmer=english)``;
* ``fts5``: SQLite FTS5, ``porter`` tokenizer, ``ORDER BY bm25()``, the question's words OR-ed.

A question is answered by a passage (or quote) when one of its answers occurs in it, both
case-folded with white space collapsed. Columns:

* ``hit@1`` / ``hit@3``: an answer occurs in the first / one of the first three passages;
* ``quote@1``: an answer occurs in the first result's quote (citebot only);
* ``MRR@10``: mean reciprocal rank of the first passage with an answer (0 beyond 10 or none);
* ``psg w`` / ``quote w``: median length in words of the passages / quotes in the top 3 returned;
* ``empty``: share of questions without any result (citebot drops passages covering less than
  ``min_coverage`` of the question, so it may return fewer than k results: a miss);
* ``p50 ms`` / ``p99 ms``: query latency (citebot: the whole ``ask``, with k = ``--k``).

Every figure is also given for the two folds of the articles (`fold_of`: every other article by
sorted id), A and B, the halves on which `fit_rank.py` fits and checks.

The first line also gives ``reachable``: the share of questions an answer of which occurs in at
least one stored passage of their article (the ceiling that passage splitting leaves).

Usage::

    python benchmarks/eval_qa.py [--data DIR] [--limit N [--seed S]] [--k K] [--json]
        [--no-baselines] [--k1 X] [--b X] [--variant okapi|l|plus] [--epsilon X] [--delta X]
        [--target-words N] [--max-words N] [--min-words N] [--max-sentence-words N]
        [--overlap N] [--title-weight N] [--min-coverage X] [--rerank-pool N]
        [--weights W ...] [--no-stem] [--stopwords english|none]

Settings not given keep the library's defaults (``LibrarySettings()``); the whole run takes
about a minute on two cores for either set (``--no-baselines`` about half that).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index import Document, Library, LibrarySettings

ROOT = Path(__file__).resolve().parents[1]
DATASETS = [ROOT.parent / "shared" / "eval" / name for name in ("squad-dev-a", "covidqa-a")]
DEFAULT_DATA = DATASETS[0]
COLLECTION = "eval"
TOP = 10  # results scored for MRR@10
_WORD = re.compile(r"\w+")
T = TypeVar("T")


# --- data ------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Case-folded, white space collapsed: how answers and passages are compared."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]  # normalized
    article_id: str

    def answered_by(self, text: str) -> bool:
        norm = normalize(text)
        return any(a in norm for a in self.answers)


def load_dataset(
    data: Path, limit: int | None = None, seed: int = 0
) -> tuple[list[Article], list[Question]]:
    """The articles and questions; with `limit`, a seeded sample of questions in file order."""
    with (data / "articles.jsonl").open(encoding="utf-8") as f:
        articles = [Article(r["id"], r["title"], r["text"]) for r in map(json.loads, f)]
    with (data / "questions.jsonl").open(encoding="utf-8") as f:
        questions = [
            Question(
                r["id"],
                r["question"],
                tuple(dict.fromkeys(a for a in map(normalize, r["answers"]) if a)),
                r["article_id"],
            )
            for r in map(json.loads, f)
        ]
    if limit is not None and limit < len(questions):
        keep = sorted(random.Random(seed).sample(range(len(questions)), limit))
        questions = [questions[i] for i in keep]
    return articles, questions


def fold_of(articles: Sequence[Article]) -> dict[str, int]:
    """Each article's fold, 0 (A) or 1 (B): every other article by sorted id, so that the
    two halves of a dataset are fixed and about equal."""
    return {article: i % 2 for i, article in enumerate(sorted(a.id for a in articles))}


# --- runs and metrics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What a system returned for one question: passage texts best first, quotes if any."""

    passages: list[str]
    quotes: list[str] | None
    latency_ms: float


@dataclass
class Metrics:
    hit1: float
    hit3: float
    mrr10: float
    quote1: float | None
    passage_words: float
    quote_words: float | None
    empty: float
    p50_ms: float
    p99_ms: float


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _median(values: Sequence[int]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def score(questions: Sequence[Question], runs: Sequence[Run]) -> Metrics:
    hit1 = hit3 = quote1 = 0
    rr = 0.0
    empty = 0
    passage_words: list[int] = []
    quote_words: list[int] = []
    has_quotes = any(run.quotes is not None for run in runs)
    for question, run in zip(questions, runs, strict=True):
        first = next((i for i, p in enumerate(run.passages[:TOP]) if question.answered_by(p)), None)
        if first is not None:
            hit1 += first == 0
            hit3 += first < 3
            rr += 1 / (first + 1)
        if not run.passages:
            empty += 1
        passage_words += [len(p.split()) for p in run.passages[:3]]
        if run.quotes:
            quote1 += question.answered_by(run.quotes[0])
            quote_words += [len(q.split()) for q in run.quotes[:3]]
    n = len(questions)
    latencies = [run.latency_ms for run in runs]
    return Metrics(
        hit1=hit1 / n,
        hit3=hit3 / n,
        mrr10=rr / n,
        quote1=quote1 / n if has_quotes else None,
        passage_words=_median(passage_words),
        quote_words=_median(quote_words) if has_quotes else None,
        empty=empty / n,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
    )


# --- citebot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPassages:
    """The passages the library stored, in id order: texts and their articles' dataset ids."""

    texts: list[str]
    article_ids: list[str]


def read_passages(db: Path, articles: Sequence[Article]) -> StoredPassages:
    """The stored passages' texts, read back from the library's SQLite file."""
    by_title = {a.title: a.id for a in articles}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            'SELECT substr(a.text, p.start + 1, p."end" - p.start), a.title'
            " FROM passages p JOIN articles a ON a.id = p.article_id"
            " WHERE p.collection = ? ORDER BY p.id",
            (COLLECTION,),
        ).fetchall()
    return StoredPassages([r[0] for r in rows], [by_title.get(r[1], r[1]) for r in rows])


async def run_citebot(
    db: Path,
    settings: LibrarySettings,
    articles: Sequence[Article],
    questions: Sequence[Question],
    k: int,
) -> tuple[list[Run], float]:
    """Load the articles into a fresh library at `db`, ask every question; (runs, build seconds)."""
    started = time.perf_counter()
    async with Library.open(db, settings) as library:
        for article in articles:
            await library.add(COLLECTION, Document(title=article.title, text=article.text))
        build_s = time.perf_counter() - started
        await library.ask(COLLECTION, "warm up: load the index")
        runs = []
        for question in questions:
            t = time.perf_counter()
            answer = await library.ask(COLLECTION, question.question, k=k)
            took = (time.perf_counter() - t) * 1000
            runs.append(
                Run(
                    [r.passage for r in answer.results],
                    [r.quote for r in answer.results],
                    took,
                )
            )
    return runs, build_s


# --- baselines -------------------------------------------------------------------------------


def _timed(
    questions: Sequence[Question], texts: Sequence[str], rank: Callable[[str], Sequence[int]]
) -> list[Run]:
    runs = []
    for question in questions:
        t = time.perf_counter()
        order = rank(question.question)
        took = (time.perf_counter() - t) * 1000
        runs.append(Run([texts[i] for i in order], None, took))
    return runs


def _top(scores: np.ndarray[Any, Any], k: int = TOP) -> list[int]:
    """Indices of the k best scores, best first, ties to the lower index."""
    return np.argsort(-scores, kind="stable")[:k].tolist()  # type: ignore[no-any-return]


def run_rank_bm25(texts: Sequence[str], questions: Sequence[Question]) -> list[Run]:
    from rank_bm25 import BM25Okapi

    bm25 = BM25Okapi([t.lower().split() for t in texts])

    def rank(question: str) -> list[int]:
        return _top(bm25.get_scores(question.lower().split()))

    return _timed(questions, texts, rank)


def run_bm25s(texts: Sequence[str], questions: Sequence[Question]) -> list[Run]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    k = min(TOP, len(texts))

    def rank(question: str) -> list[int]:
        tokens = bm25s.tokenize(question, stopwords="en", stemmer=stemmer, show_progress=False)
        docs, scores = retriever.retrieve(tokens, k=k, show_progress=False)
        return [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    return _timed(questions, texts, rank)


def fts5_query(question: str) -> str:
    """The question's words, each quoted, OR-ed (an FTS5 query that cannot be a syntax error)."""
    return " OR ".join(f'"{w}"' for w in _WORD.findall(question))


def run_fts5(texts: Sequence[str], questions: Sequence[Question]) -> list[Run]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(body, tokenize = 'porter unicode61')")
    conn.executemany("INSERT INTO fts (rowid, body) VALUES (?, ?)", enumerate(texts))

    def rank(question: str) -> list[int]:
        query = fts5_query(question)
        if not query:
            return []
        rows = conn.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (query, TOP)
        )
        return [r[0] for r in rows]

    try:
        return _timed(questions, texts, rank)
    finally:
        conn.close()


BASELINES: dict[str, Callable[[Sequence[str], Sequence[Question]], list[Run]]] = {
    "rank-bm25": run_rank_bm25,
    "bm25s": run_bm25s,
    "fts5": run_fts5,
}


# --- the whole evaluation --------------------------------------------------------------------


@dataclass
class Report:
    data: str
    settings: dict[str, Any]
    articles: int
    passages: int
    passage_words_all: float  # median over every stored passage
    questions: int
    reachable: float
    build_s: float
    systems: dict[str, Metrics]
    folds: dict[str, tuple[Metrics, Metrics]]  # each system's figures on folds A and B


def reachable(questions: Sequence[Question], stored: StoredPassages) -> float:
    by_article: dict[str, list[str]] = {}
    for text, article in zip(stored.texts, stored.article_ids, strict=True):
        by_article.setdefault(article, []).append(text)
    found = sum(any(q.answered_by(p) for p in by_article.get(q.article_id, [])) for q in questions)
    return found / len(questions)


def settings_summary(settings: LibrarySettings) -> dict[str, Any]:
    """The settings that shape answers: analysis, passages, BM25 and the plain numbers."""
    summary: dict[str, Any] = {
        "analyzer": asdict(settings.analyzer),
        "passages": asdict(settings.passages),
        "bm25": asdict(settings.bm25),
        "rank": asdict(settings.rank),
    }
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, int | float | str | bool) and f.name != "extract_time_limit":
            summary[f.name] = value
    return summary


def evaluate(
    data: Path,
    settings: LibrarySettings,
    *,
    limit: int | None = None,
    seed: int = 0,
    k: int = TOP,
    baselines: bool = True,
) -> Report:
    articles, questions = load_dataset(data, limit, seed)
    with tempfile.TemporaryDirectory(prefix="citebot-eval-") as tmp:
        db = Path(tmp) / "library.db"
        runs, build_s = asyncio.run(run_citebot(db, settings, articles, questions, k))
        stored = read_passages(db, articles)
    all_runs = {"citebot": runs}
    if baselines:
        for name, run in BASELINES.items():
            all_runs[name] = run(stored.texts, questions)
    folds = fold_of(articles)
    in_fold = [[folds[q.article_id] == f for q in questions] for f in (0, 1)]

    def part(runs: Sequence[Run], fold: int) -> Metrics:
        keep = in_fold[fold]
        return score(
            [q for q, k in zip(questions, keep, strict=True) if k],
            [r for r, k in zip(runs, keep, strict=True) if k],
        )

    return Report(
        data=str(data),
        settings=settings_summary(settings) | {"k": k},
        articles=len(articles),
        passages=len(stored.texts),
        passage_words_all=_median([len(t.split()) for t in stored.texts]),
        questions=len(questions),
        reachable=reachable(questions, stored),
        build_s=build_s,
        systems={name: score(questions, runs) for name, runs in all_runs.items()},
        folds={name: (part(runs, 0), part(runs, 1)) for name, runs in all_runs.items()},
    )


def _fmt(value: float | None, width: int, decimals: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{decimals}f}"


def table(report: Report) -> str:
    s = report.settings
    bm25 = s["bm25"]
    psg = s["passages"]
    ana = s["analyzer"]
    nested = ("analyzer", "passages", "bm25")
    lines = [
        f"{Path(report.data).name}: {report.articles} articles, {report.passages} passages "
        f"(median {report.passage_words_all:.0f} words), {report.questions} questions, "
        f"reachable {report.reachable:.3f}, library built in {report.build_s:.1f} s",
        f"citebot: {bm25['variant']} k1={bm25['k1']} b={bm25['b']}, passages "
        f"{psg['min_words']}/{psg['target_words']}/{psg['max_words']} words "
        f"overlap {psg['overlap_sentences']} title_weight {psg.get('title_weight', '-')}, "
        f"stem={ana['stem']} stopwords={ana['stopwords']}",
        "         " + ", ".join(f"{key}={value}" for key, value in s.items() if key not in nested),
        "",
        f"{'system':<10} {'hit@1':>6} {'hit@3':>6} {'quote@1':>7} {'MRR@10':>6} "
        f"{'psg w':>5} {'quote w':>7} {'empty':>6} {'p50 ms':>7} {'p99 ms':>7}",
    ]
    for name, m in report.systems.items():
        lines.append(
            f"{name:<10} {m.hit1:>6.3f} {m.hit3:>6.3f} {_fmt(m.quote1, 7, 3)} "
            f"{m.mrr10:>6.3f} {m.passage_words:>5.0f} {_fmt(m.quote_words, 7, 0)} "
            f"{m.empty:>6.3f} {m.p50_ms:>7.2f} {m.p99_ms:>7.2f}"
        )
    lines += [
        "",
        f"{'folds A/B':<10} {'hit@1':>11} {'hit@3':>11} {'quote@1':>11} {'MRR@10':>11}",
    ]
    for name, (a, b) in report.folds.items():
        cells = [
            f"{_fmt(x, 5, 3)}/{_fmt(y, 5, 3).strip()}"
            for x, y in (
                (a.hit1, b.hit1),
                (a.hit3, b.hit3),
                (a.quote1, b.quote1),
                (a.mrr10, b.mrr10),
            )
        ]
        lines.append(f"{name:<10} " + " ".join(f"{c:>11}" for c in cells))
    others = [m.hit1 for name, m in report.systems.items() if name != "citebot"]
    if others:
        margin = report.systems["citebot"].hit1 - max(others)
        lines += ["", f"citebot hit@1 minus the best baseline's: {margin * 100:+.1f} points"]
    return "\n".join(lines)


def _with(obj: T, **values: Any) -> T:
    """`obj` with the values that were given (not None); SystemExit for a setting it lacks."""
    given = {key: value for key, value in values.items() if value is not None}
    known = {f.name for f in fields(obj)}  # type: ignore[arg-type]
    unknown = sorted(given.keys() - known)
    if unknown:
        names = ", ".join(unknown)
        raise SystemExit(f"this library's {type(obj).__name__} has no setting {names}")
    return replace(obj, **given)  # type: ignore[type-var]


def settings_from(args: argparse.Namespace) -> LibrarySettings:
    """The library's default settings with the options given on the command line."""
    base = LibrarySettings()
    analyzer = _with(base.analyzer, stopwords=args.stopwords, stem=False if args.no_stem else None)
    passages = _with(
        base.passages,
        target_words=args.target_words,
        max_words=args.max_words,
        min_words=args.min_words,
        max_sentence_words=args.max_sentence_words,
        overlap_sentences=args.overlap,
        title_weight=args.title_weight,
    )
    bm25 = _with(
        base.bm25,
        variant=args.variant,
        k1=args.k1,
        b=args.b,
        epsilon=args.epsilon,
        delta=args.delta,
    )
    return _with(
        base,
        analyzer=analyzer,
        passages=passages,
        bm25=bm25,
        rank=_with(
            base.rank,
            min_coverage=args.min_coverage,
            pool=args.rerank_pool,
            weights=tuple(args.weights) if args.weights else None,
        ),
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dataset directory")
    p.add_argument("--limit", type=int, help="a seeded sample of N questions")
    p.add_argument("--seed", type=int, default=0, help="seed of the --limit sample")
    p.add_argument("--k", type=int, default=TOP, help="results asked of citebot (max 10)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-baselines", action="store_true", help="evaluate citebot only")
    tuning = p.add_argument_group("settings (default: the library's)")
    tuning.add_argument("--variant", choices=["okapi", "l", "plus"])
    tuning.add_argument("--k1", type=float)
    tuning.add_argument("--b", type=float)
    tuning.add_argument("--epsilon", type=float)
    tuning.add_argument("--delta", type=float)
    tuning.add_argument("--target-words", type=int)
    tuning.add_argument("--max-words", type=int)
    tuning.add_argument("--min-words", type=int)
    tuning.add_argument("--max-sentence-words", type=int)
    tuning.add_argument("--overlap", type=int, help="sentences repeated from the previous passage")
    tuning.add_argument("--title-weight", type=int, help="title terms added to each passage")
    tuning.add_argument("--min-coverage", type=float)
    tuning.add_argument("--rerank-pool", type=int, help="BM25 candidates re-ranked")
    tuning.add_argument(
        "--weights", type=float, nargs="+", help="re-ranking weights (index.rank.FEATURES)"
    )
    tuning.add_argument("--no-stem", action="store_true")
    tuning.add_argument("--stopwords", choices=["english", "none"])
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    report = evaluate(
        args.data,
        settings_from(args),
        limit=args.limit,
        seed=args.seed,
        k=args.k,
        baselines=not args.no_baselines,
    )
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print(table(report))


if __name__ == "__main__":
    main()
