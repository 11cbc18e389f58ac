"""Fit re-ranking weights on the tuning sets, with two-fold cross-validation over articles.

Each dataset (a folder in `eval_qa.py`'s format) goes into a fresh library; for every question,
BM25's candidates are quoted and their features computed exactly as `Library.ask` does
(`index.rank.score_candidates`), with the features tried beside them (`rank_features.EXTRA`),
and whether each passage and its quote hold an answer is recorded. Weights are then fitted two
ways, the BM25 feature's weight fixed at 1:

* coordinate ascent (Metzler & Croft 2007): each other weight in turn takes the value of a grid
  that best serves the objective (the mean over the datasets of hit@1 and quote@1), until no
  step helps;
* listwise softmax regression (ListNet with the answering candidates as targets), in numpy.

Two-fold cross-validation over articles (`eval_qa.fold_of`): fitted on one half of every
dataset's articles, reported on the other half's questions, both ways, beside BM25 alone and
`index.rank.WEIGHTS`; then fitted on all. `--quotes` does the same for the choice of the quote
within the first passage (`rank_features.QUOTE_FEATURES`), the quotes' median length capped.

Usage::

    python benchmarks/fit_rank.py [--data DIR ...] [--extra NAME ...] [--quotes]

`--extra` fits `index.rank.FEATURES` with only the named extra features (default: all).
A run over both sets takes about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from eval_qa import COLLECTION, DATASETS, Question, fold_of, load_dataset
from rank_features import EXTRA, QUOTE_FEATURES, extra_features, quote_options

from index import Document, Library, LibrarySettings
from index.analyzer import Analyzer
from index.asking import Asked, outlines, question_terms, search
from index.rank import FEATURES, WEIGHTS, Candidates, Scored, score_candidates

NAMES = (*FEATURES, *EXTRA)
GRID = np.round(np.arange(-1.0, 4.01, 0.05), 2)
MAX_QUOTE_MEDIAN = 38.0  # words: the fitted quotes' median may not pass it (the target: 40)
Array = np.ndarray[Any, Any]


@dataclass
class Options:
    """Items to choose one of, for each question (padded): their features, whether each is
    there and whether it holds an answer; `words` is each item's length (quotes only)."""

    features: Array
    present: Array
    answers: Array
    words: Array

    def subset(self, keep: Array) -> Options:
        return Options(
            self.features[keep], self.present[keep], self.answers[keep], self.words[keep]
        )


@dataclass
class Table:
    """One dataset: each question's candidates (`passages`; `quoted` says which quotes hold an
    answer), its fold, and the quotes of its first passage when that passage answers."""

    name: str
    passages: Options
    quoted: Array
    fold: Array
    quotes: Options = field(init=False)
    quote_fold: Array = field(init=False)


def pad(rows: Sequence[Sequence[tuple[tuple[float, ...], bool, float]]], width: int) -> Options:
    """Ragged (features, answers, words) rows as padded `Options`."""
    n = len(NAMES) if not rows or not rows[0] else len(rows[0][0][0])
    out = Options(
        np.zeros((len(rows), width, n)),
        np.zeros((len(rows), width), bool),
        np.zeros((len(rows), width), bool),
        np.zeros((len(rows), width)),
    )
    for i, row in enumerate(rows):
        for j, (features, answers, words) in enumerate(row):
            out.features[i, j], out.present[i, j] = features, True
            out.answers[i, j], out.words[i, j] = answers, words
    return out


async def collect(data: Path, settings: LibrarySettings) -> Table:
    """Every question's candidates with their features and labels (see `Table`)."""
    articles, questions = load_dataset(data)
    folds = fold_of(articles)
    pool = settings.rank.pool
    candidates: list[list[tuple[tuple[float, ...], bool, float]]] = []
    quoted = np.zeros((len(questions), pool), bool)
    quotes: list[list[tuple[tuple[float, ...], bool, float]]] = []
    quote_fold = []
    with tempfile.TemporaryDirectory(prefix="citebot-fit-") as tmp:
        async with Library.open(Path(tmp) / "library.db", settings) as library:
            for article in articles:
                await library.add(COLLECTION, Document(title=article.title, text=article.text))
            loaded = await library._indexes.get(COLLECTION)
            analyzer, vocabulary = library._analyzer, library._indexes.vocabulary
            for i, question in enumerate(questions):
                asked = Asked(question.question)
                tokens, found = search(analyzer, vocabulary, loaded, asked, pool)
                ids = [h.doc_id for h in found.hits]
                rows = await library._store.get_passages(COLLECTION, ids) if ids else {}
                read = outlines(rows, question_terms(vocabulary, found))  # as `Library.ask`
                terms = [t.term for t in tokens]
                coverage = settings.rank.min_coverage
                scored = score_candidates(found, rows, terms, analyzer, coverage, read)
                extra = extra_features(scored, found, question.question, analyzer)
                candidates.append(
                    [
                        ((*c.features, *x), question.answered_by(c.row.text), 0.0)
                        for c, x in zip(scored, extra, strict=True)
                    ]
                )
                for j, c in enumerate(scored):
                    quoted[i, j] = question.answered_by(c.row.text[c.quote.start : c.quote.end])
                first = _first(scored, question)
                if first is not None:
                    quotes.append(_quotes(first, found, question, terms, analyzer))
                    quote_fold.append(folds[question.article_id])
    table = Table(
        data.name,
        pad(candidates, pool),
        quoted,
        np.array([folds[q.article_id] for q in questions]),
    )
    table.quotes = pad(quotes, max((len(q) for q in quotes), default=1))
    table.quote_fold = np.array(quote_fold)
    return table


def _first(scored: Sequence[Scored], question: Question) -> Scored | None:
    """The candidate `index.rank.WEIGHTS` ranks first, if it holds an answer."""
    if not scored:
        return None
    best = max(scored, key=lambda c: sum(w * f for w, f in zip(WEIGHTS, c.features, strict=True)))
    return best if question.answered_by(best.row.text) else None


def _quotes(
    candidate: Scored,
    found: Candidates,
    question: Question,
    terms: list[str],
    analyzer: Analyzer,
) -> list[tuple[tuple[float, ...], bool, float]]:
    """The quotes the passage allows, best first on `choose_quote`'s ties, with labels."""
    options = quote_options(candidate.row, found, question.question, terms, analyzer)
    options.sort(key=lambda o: o[2], reverse=True)
    text = candidate.row.text
    return [
        (features, question.answered_by(text[s:e]), len(text[s:e].split()))
        for (s, e), features, _ in options
    ]


# --- metrics and fitting -----------------------------------------------------------------------


def choose(options: Options, weights: Array) -> Array:
    """Each question's items, best first (ties: the earlier; absent ones last)."""
    scores = np.where(options.present, options.features @ weights, -np.inf)
    return np.argsort(-scores, axis=1, kind="stable")


def metrics(table: Table, weights: Array) -> dict[str, float]:
    order = choose(table.passages, weights)
    rows = np.arange(len(order))[:, None]
    hits = table.passages.answers[rows, order] & table.passages.present[rows, order]
    top = order[:, 0]
    quote = (
        table.quoted[np.arange(len(top)), top] & table.passages.present[np.arange(len(top)), top]
    )
    return {
        "hit@1": float(hits[:, 0].mean()),
        "hit@3": float(hits[:, :3].any(axis=1).mean()),
        "quote@1": float(quote.mean()),
    }


def quote_metrics(options: Options, weights: Array) -> tuple[float, float]:
    """The share of first passages that answer whose chosen quote answers; its median words."""
    if not len(options.present):
        return 0.0, 0.0
    chosen = choose(options, weights)[:, 0]
    rows = np.arange(len(chosen))
    return float(options.answers[rows, chosen].mean()), float(
        np.median(options.words[rows, chosen])
    )


def coordinate_ascent(objective: Callable[[Array], float], size: int, free: Sequence[int]) -> Array:
    """Coordinate ascent from the first feature alone (its weight stays 1): each free weight
    in turn takes the grid value that serves `objective` best (ties: the nearest)."""
    weights = np.zeros(size)
    weights[0] = 1.0
    best = objective(weights)
    for _ in range(5):
        improved = False
        for j in free:
            trials = []
            for value in GRID:
                trial = weights.copy()
                trial[j] = value
                trials.append((objective(trial), -abs(value - weights[j]), value))
            score, _, value = max(trials)
            if score > best + 1e-9:
                best, weights[j], improved = score, value, True
        if not improved:
            break
    return weights


def listwise(tables: Sequence[Table], free: Sequence[int], l2: float = 1e-3) -> Array:
    """Listwise softmax regression: for each question with an answering candidate, the log of
    the softmax mass on its answering candidates (averaged per dataset, then over datasets),
    less an L2 penalty, by gradient ascent; scaled so that the first weight is 1."""
    mask = np.zeros(len(NAMES), bool)
    mask[[0, *free]] = True
    data = []
    for t in tables:
        positive = t.passages.answers & t.passages.present
        keep = positive.any(axis=1)
        data.append(
            (t.passages.features[keep][:, :, mask], t.passages.present[keep], positive[keep])
        )
    w = np.zeros(int(mask.sum()))
    w[0] = 1.0
    for _ in range(1500):
        grad = -l2 * w
        for features, present, positive in data:
            scores = np.where(present, features @ w, -np.inf)
            p = np.exp(scores - scores.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            q = np.where(positive, p, 0.0)
            q /= q.sum(axis=1, keepdims=True)
            grad += np.einsum("qc,qcf->f", q - p, features) / len(features) / len(data)
        w += 0.5 * grad
    full = np.zeros(len(NAMES))
    full[mask] = w / w[0]
    return full


def passage_objective(tables: Sequence[Table]) -> Callable[[Array], float]:
    def objective(weights: Array) -> float:
        values = [metrics(t, weights) for t in tables]
        return float(np.mean([(m["hit@1"] + m["quote@1"]) / 2 for m in values]))

    return objective


def quote_objective(options: Sequence[Options]) -> Callable[[Array], float]:
    def objective(weights: Array) -> float:
        values = [quote_metrics(o, weights) for o in options]
        if any(median > MAX_QUOTE_MEDIAN for _, median in values):
            return -1.0
        return float(np.mean([share for share, _ in values]))

    return objective


# --- reports -----------------------------------------------------------------------------------


def _line(label: str, tables: Sequence[Table], weights: Array) -> str:
    cells = []
    for table in tables:
        m = metrics(table, weights)
        cells.append(f"{table.name} {m['hit@1']:.3f} {m['hit@3']:.3f} {m['quote@1']:.3f}")
    return f"  {label:<22} " + "  |  ".join(cells)


def _weights(weights: Array) -> str:
    return ", ".join(f"{n} {w:g}" for n, w in zip(NAMES, np.round(weights, 2), strict=True) if w)


def report(tables: Sequence[Table], free: Sequence[int]) -> None:
    today = np.zeros(len(NAMES))
    today[: len(WEIGHTS)] = WEIGHTS
    print("held-out half (hit@1 hit@3 quote@1), fitted on the other half")
    for held in (0, 1):
        train = [_part(t, t.fold != held) for t in tables]
        test = [_part(t, t.fold == held) for t in tables]
        ascent = coordinate_ascent(passage_objective(train), len(NAMES), free)
        regression = listwise(train, free)
        print(f"fold {'AB'[held]} held out")
        print(_line("BM25 alone", test, np.eye(len(NAMES))[0]))
        print(_line("index.rank.WEIGHTS", test, today))
        print(_line("coordinate ascent", test, ascent) + f"   [{_weights(ascent)}]")
        print(_line("listwise", test, regression) + f"   [{_weights(regression)}]")
    ascent = coordinate_ascent(passage_objective(tables), len(NAMES), free)
    print("fitted on all (in-sample):")
    print(_line("index.rank.WEIGHTS", tables, today))
    print(_line("coordinate ascent", tables, ascent) + f"   [{_weights(ascent)}]")


def _part(table: Table, keep: Array) -> Table:
    return Table(table.name, table.passages.subset(keep), table.quoted[keep], table.fold[keep])


def report_quotes(tables: Sequence[Table]) -> None:
    print("quotes of answering first passages: share that answers, median words; held-out half")
    size = len(QUOTE_FEATURES)
    today = np.eye(size)[0]  # what choose_quote ranks by: the share of the question's weight
    for held in (0, 1):
        train = [t.quotes.subset(t.quote_fold != held) for t in tables]
        test = [t.quotes.subset(t.quote_fold == held) for t in tables]
        fitted = coordinate_ascent(quote_objective(train), size, range(1, size))
        print(
            f"fold {'AB'[held]} held out; fitted: {np.round(fitted, 2).tolist()} {QUOTE_FEATURES}"
        )
        for label, w in (("choose_quote", today), ("coordinate ascent", fitted)):
            cells = [
                f"{t.name} %.3f %.0f" % quote_metrics(o, w)
                for t, o in zip(tables, test, strict=True)
            ]
            print(f"  {label:<22} " + "  |  ".join(cells))


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--data", type=Path, nargs="+", default=DATASETS, help="dataset folders")
    p.add_argument("--extra", nargs="*", choices=EXTRA, help="extra features to fit with")
    p.add_argument("--quotes", action="store_true", help="fit the choice of the quote instead")
    args = p.parse_args(argv)
    settings = LibrarySettings()
    tables = [asyncio.run(collect(data, settings)) for data in args.data]
    if args.quotes:
        report_quotes(tables)
        return
    extra = EXTRA if args.extra is None else args.extra
    report(tables, [j for j, name in enumerate(NAMES) if j and (name in FEATURES or name in extra)])


if __name__ == "__main__":
    main()
