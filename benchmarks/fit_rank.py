"""Fit the re-ranking weights (`index.rank.WEIGHTS`) on the tuning sets, with two-fold checks.

Each dataset (SQuAD-style folders: see `eval_qa.py`) goes into a fresh library; for every
question, BM25's candidates are quoted and their features computed exactly as `Library.ask`
does (`index.rank.score_candidates`), and whether each passage and its quote hold an answer is
recorded. The weights are then fitted by coordinate ascent (Metzler & Croft 2007): the BM25
feature keeps weight 1, each other weight in turn takes the value of a grid that best serves
the objective (the mean over the datasets of hit@1 and quote@1), until no step helps.

Two-fold cross-validation over articles (`eval_qa.fold_of`): fitted on one half of every
dataset's articles, reported on the other half's questions, both ways; then fitted on all,
which prints the weights to put in `index/rank.py`.

Usage::

    python benchmarks/fit_rank.py [--data DIR ...] [--features NAME ...]

`--features` keeps only the named features (the others weigh 0) to measure what each brings.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from eval_qa import COLLECTION, DATASETS, Question, fold_of, load_dataset

from index import Document, Library, LibrarySettings
from index.analyzer import Analyzer
from index.passages import CUT_END, CUT_START
from index.quotes import QUOTE_FEATURES, QUOTE_WEIGHTS, quote_candidates
from index.rank import (
    FEATURES,
    WEIGHTS,
    Candidates,
    Scored,
    _weighted_pairs,
    asking,
    score_candidates,
)

GRID = np.round(np.arange(-1.0, 4.01, 0.05), 2)
Array = np.ndarray[Any, Any]


@dataclass
class QuoteTable:
    """The quotes a passage allows, best-first on ties (as `choose_quote` breaks them): their
    features, whether each holds an answer, and their words."""

    features: Array
    answers: Array
    words: Array


def quote_table(
    question: Question, candidate: Scored, terms: list[str], found: Candidates, analyzer: Analyzer
) -> QuoteTable:
    row = candidate.row
    cuts = row.cuts or (0,) * len(row.sentences)
    tokens = analyzer.tokens(row.text)
    asked = asking(question.question, _weighted_pairs(terms, found.weights))
    found_quotes = quote_candidates(
        row.text, row.sentences, tokens, found.weights, cuts=cuts, asked=asked
    )
    words = [
        len(row.text[row.sentences[c.first][0] : row.sentences[c.last][1]].split())
        for c, _ in found_quotes
    ]
    order = sorted(
        range(len(found_quotes)),
        key=lambda i: (
            not cuts[found_quotes[i][0].first] & CUT_START,
            not cuts[found_quotes[i][0].last] & CUT_END,
            -words[i],
            -found_quotes[i][0].first,
        ),
        reverse=True,
    )
    spans = [(row.sentences[c.first][0], row.sentences[c.last][1]) for c, _ in found_quotes]
    return QuoteTable(
        np.array([found_quotes[i][1] for i in order]),
        np.array([question.answered_by(row.text[slice(*spans[i])]) for i in order]),
        np.array([words[i] for i in order]),
    )


@dataclass
class Table:
    """One dataset's candidates: features (question, candidate, feature), whether each is a
    candidate, holds an answer in its passage or in its quote, and each question's fold."""

    name: str
    features: Array
    present: Array
    passage: Array
    quote: Array
    fold: Array
    quotes: list[QuoteTable]  # each question's rank-1 passage's quotes, if it answers

    def subset(self, keep: Array) -> Table:
        return Table(
            self.name,
            self.features[keep],
            self.present[keep],
            self.passage[keep],
            self.quote[keep],
            self.fold[keep],
            [q for q, k in zip(self.quotes, keep, strict=True) if k],
        )


async def collect(data: Path, settings: LibrarySettings) -> Table:
    """Every question's candidates with their features and labels (see `Table`)."""
    articles, questions = load_dataset(data)
    folds = fold_of(articles)
    pool = settings.rank.pool
    shape = (len(questions), pool)
    table = Table(
        data.name,
        np.zeros((*shape, len(FEATURES))),
        np.zeros(shape, bool),
        np.zeros(shape, bool),
        np.zeros(shape, bool),
        np.array([folds[q.article_id] for q in questions]),
        [],
    )
    with tempfile.TemporaryDirectory(prefix="citebot-fit-") as tmp:
        async with Library.open(Path(tmp) / "library.db", settings) as library:
            for article in articles:
                await library.add(COLLECTION, Document(title=article.title, text=article.text))
            loaded = await library._indexes.get(COLLECTION)
            for i, question in enumerate(questions):
                tokens, found = library._search(loaded, question.question, pool)
                ids = [h.doc_id for h in found.hits]
                rows = await library._store.get_passages(COLLECTION, ids) if ids else {}
                terms = [t.term for t in tokens]
                min_coverage = settings.rank.min_coverage
                scored = score_candidates(
                    found, rows, terms, library._analyzer, min_coverage, question.question
                )
                for j, c in enumerate(scored):
                    table.features[i, j] = c.features
                    table.present[i, j] = True
                    table.passage[i, j] = question.answered_by(c.row.text)
                    quote = c.row.text[c.quote.start : c.quote.end]
                    table.quote[i, j] = question.answered_by(quote)
                scores = np.where(table.present[i], table.features[i] @ WEIGHTS, -np.inf)
                top = int(np.argmax(scores))
                answers = bool(table.passage[i, top] and table.present[i, top])
                table.quotes.append(
                    quote_table(question, scored[top], terms, found, library._analyzer)
                    if answers
                    else None
                )
    return table


def ranks(table: Table, weights: Array) -> Array:
    """Each question's candidates, best first (ties keep BM25's order; absent ones last)."""
    scores = np.where(table.present, table.features @ weights, -np.inf)
    return np.argsort(-scores, axis=1, kind="stable")


def metrics(table: Table, weights: Array) -> dict[str, float]:
    order = ranks(table, weights)
    rows = np.arange(len(order))[:, None]
    passage = table.passage[rows, order] & table.present[rows, order]
    quote = table.quote[rows, order[:, :1]] & table.present[rows, order[:, :1]]
    return {
        "hit@1": float(passage[:, 0].mean()),
        "hit@3": float(passage[:, :3].any(axis=1).mean()),
        "quote@1": float(quote[:, 0].mean()),
    }


def objective(tables: Sequence[Table], weights: Array) -> float:
    """The mean over the datasets of hit@1 and quote@1."""
    values = [metrics(t, weights) for t in tables]
    return float(np.mean([(m["hit@1"] + m["quote@1"]) / 2 for m in values]))


def fit(tables: Sequence[Table], free: Sequence[int], rounds: int = 5) -> Array:
    """Coordinate ascent from the BM25 feature alone: each free weight in turn takes the grid
    value that serves the objective best (ties: the value nearest the current one)."""
    weights = np.zeros(len(FEATURES))
    weights[0] = 1.0
    best = objective(tables, weights)
    for _ in range(rounds):
        improved = False
        for j in free:
            values = []
            for value in GRID:
                trial = weights.copy()
                trial[j] = value
                values.append((objective(tables, trial), -abs(value - weights[j]), value))
            score, _, value = max(values)
            if score > best + 1e-9:
                best, weights[j], improved = score, value, True
        if not improved:
            break
    return weights


def stack(quotes: Sequence[QuoteTable | None]) -> tuple[Array, Array, Array, Array]:
    """The quote tables of the questions that have one, padded: (features, present, answers,
    words), each (question, quote[, feature])."""
    tables = [q for q in quotes if q is not None]
    width = max((len(q.words) for q in tables), default=1)
    features = np.zeros((len(tables), width, len(QUOTE_FEATURES)))
    present = np.zeros((len(tables), width), bool)
    answers = np.zeros((len(tables), width), bool)
    words = np.zeros((len(tables), width))
    for i, q in enumerate(tables):
        n = len(q.words)
        features[i, :n], present[i, :n], answers[i, :n], words[i, :n] = (
            q.features,
            True,
            q.answers,
            q.words,
        )
    return features, present, answers, words


def quote_metrics(
    stacked: tuple[Array, Array, Array, Array], weights: Array
) -> tuple[float, float]:
    """The share of answering passages whose chosen quote answers, and the chosen quotes'
    median words."""
    features, present, answers, words = stacked
    if not len(present):
        return 0.0, 0.0
    chosen = np.argmax(np.where(present, features @ weights, -np.inf), axis=1)
    rows = np.arange(len(chosen))
    return float(answers[rows, chosen].mean()), float(np.median(words[rows, chosen]))


def fit_quotes(
    stacks: Sequence[tuple[Array, Array, Array, Array]], max_median: float = 38.0
) -> Array:
    """Coordinate ascent over the quote weights (coverage keeps 1): the mean share of quotes
    that answer, with the chosen quotes' median words at most `max_median` on each set."""

    def objective(weights: Array) -> float:
        values = [quote_metrics(s, weights) for s in stacks]
        if any(median > max_median for _, median in values):
            return -1.0
        return float(np.mean([share for share, _ in values]))

    weights = np.zeros(len(QUOTE_FEATURES))
    weights[0] = 1.0
    best = objective(weights)
    for _ in range(5):
        improved = False
        for j in range(1, len(QUOTE_FEATURES)):
            values = []
            for value in GRID:
                trial = weights.copy()
                trial[j] = value
                values.append((objective(trial), -abs(value - weights[j]), value))
            score, _, value = max(values)
            if score > best + 1e-9:
                best, weights[j], improved = score, value, True
        if not improved:
            break
    return weights


def report_quotes(tables: Sequence[Table]) -> None:
    print("quotes: share answering (of rank-1 passages that answer), median words; held-out half")
    today = np.array(QUOTE_WEIGHTS)
    for held in (0, 1):
        train = [
            stack([q for q, f in zip(t.quotes, t.fold, strict=True) if f != held]) for t in tables
        ]
        test = [
            stack([q for q, f in zip(t.quotes, t.fold, strict=True) if f == held]) for t in tables
        ]
        fitted = fit_quotes(train)
        print(f"fold {'AB'[held]}: quote weights {np.round(fitted, 2).tolist()}")
        for label, w in (("QUOTE_WEIGHTS", today), ("fitted on the other", fitted)):
            cells = [
                f"{t.name} %.3f %.0f" % quote_metrics(s, w)
                for t, s in zip(tables, test, strict=True)
            ]
            print(f"  {label:<22} " + "  |  ".join(cells))
    fitted = fit_quotes([stack(t.quotes) for t in tables])
    print(f"QUOTE_WEIGHTS = {tuple(float(w) for w in np.round(fitted, 2))}  # {QUOTE_FEATURES}")


def fit_listwise(
    tables: Sequence[Table], free: Sequence[int], l2: float = 1e-3, steps: int = 1500
) -> Array:
    """Listwise softmax regression (ListNet with one-hot targets): for each question with an
    answering candidate, the log of the softmax mass on its answering candidates, averaged
    per dataset then over the datasets, with an L2 penalty; gradient ascent in numpy.
    The weights are scaled so that the BM25 feature's is 1 (the ranking is unchanged)."""
    mask = np.zeros(len(FEATURES), bool)
    mask[0] = True
    mask[list(free)] = True
    data = []
    for t in tables:
        keep = (t.passage & t.present).any(axis=1)
        data.append((t.features[keep][:, :, mask], t.present[keep], (t.passage & t.present)[keep]))
    w = np.zeros(int(mask.sum()))
    w[0] = 1.0
    rate = 0.5
    for _ in range(steps):
        grad = -l2 * w
        for features, present, positive in data:
            scores = np.where(present, features @ w, -np.inf)
            scores -= scores.max(axis=1, keepdims=True)
            p = np.exp(scores)
            p /= p.sum(axis=1, keepdims=True)
            q = np.where(positive, p, 0.0)
            q /= q.sum(axis=1, keepdims=True)
            grad += np.einsum("qc,qcf->f", q - p, features) / len(features) / len(data)
        w += rate * grad
    full = np.zeros(len(FEATURES))
    full[mask] = w / w[0]
    return full


def _line(label: str, tables: Sequence[Table], weights: Array) -> str:
    cells = []
    for table in tables:
        m = metrics(table, weights)
        cells.append(f"{table.name} {m['hit@1']:.3f} {m['hit@3']:.3f} {m['quote@1']:.3f}")
    return f"{label:<24} " + "  |  ".join(cells)


def report(tables: Sequence[Table], free: Sequence[int]) -> None:
    today = np.array(WEIGHTS)
    print("hit@1 hit@3 quote@1 on the held-out half, fitted on the other half")
    for held in (0, 1):
        train = [t.subset(t.fold != held) for t in tables]
        test = [t.subset(t.fold == held) for t in tables]
        fitted = fit(train, free)
        listwise = fit_listwise(train, free)
        print(f"fold {'AB'[held]}: weights {np.round(fitted, 2).tolist()}")
        print(f"        listwise {np.round(listwise, 2).tolist()}")
        print(_line("  BM25 alone", test, np.eye(len(FEATURES))[0]))
        print(_line("  index.rank.WEIGHTS", test, today))
        print(_line("  fitted on the other", test, fitted))
        print(_line("  listwise on the other", test, listwise))
    fitted = fit(tables, free)
    print(_line("all, fitted on all", tables, fitted))
    print(f"WEIGHTS = {tuple(float(w) for w in np.round(fitted, 2))}  # {FEATURES}")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--data", type=Path, nargs="+", default=DATASETS, help="dataset folders")
    p.add_argument("--features", nargs="+", choices=FEATURES, help="features to fit")
    p.add_argument("--quotes", action="store_true", help="fit the quote weights instead")
    args = p.parse_args(argv)
    settings = LibrarySettings()
    tables = [asyncio.run(collect(data, settings)) for data in args.data]
    if args.quotes:
        report_quotes(tables)
        return
    names = args.features or FEATURES
    report(tables, [j for j, name in enumerate(FEATURES) if j and name in names])


if __name__ == "__main__":
    main()
