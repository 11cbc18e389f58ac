"""Mutation testing of the core index modules against their own tests (a benchmark, not run in CI).

For each target module (``index/<name>.py``) every small change of the kinds below is made, one at
a time, and the module's own tests (``tests/index/test_<name>.py``) are run against it: a mutant
is *killed* when a test fails, *survives* when they all pass. The score of a module is
killed / (mutants - equivalent), a timeout counting as killed (the tests noticed: they hung).

Mutations: comparison operators flipped (``<`` to ``<=`` and ``>=``, ``==`` to ``!=``, ``in`` to
``not in``, ``is`` to ``is not``...), arithmetic operators swapped (``+``/``-``, ``*``/``/``,
``//``/``/``, ``<<``/``>>``, ``|``/``&``, also in augmented assignments), ``and``/``or``,
``if``/``while``/conditional-expression conditions negated, ``not`` removed, numbers changed by
+1, -1 and to 0, ``True``/``False`` swapped, slice bounds (and ``range``/``enumerate`` loop
indices used as subscripts) off by one, ``return <value>`` made ``return None``.

Left alone, because they cannot change a result: docstrings and every other string, type
annotations and type aliases, ``assert`` statements, what a ``raise`` raises (its message; the
condition that leads to it is mutated), logging calls, f-strings, ``__repr__``/``__str__``,
functions that only raise (disabled methods), and ``strict=`` of ``zip`` (an assertion that
lengths agree). Mutants reviewed and judged equivalent
(they survive, and no input can tell them from the original) are listed in ``EQUIVALENT`` with the
reason, and are not counted.

How it runs, leaving nothing behind and never touching the working tree: the project is laid out
in a temporary directory (``--base head``: the committed tree, with the target modules and their
test files copied over from the working tree, so that others' half-done edits elsewhere cannot
break the run; ``--base worktree``: a copy of the working tree), with ``shared`` linked beside it.
One worker process per module (at most ``--jobs`` at a time, default 2) runs the tests once
unchanged, imports the third-party modules they used, then forks one child per mutant; the child
installs an import hook that compiles the mutated source in place of the module's file and runs
pytest in-process (``-x -q -p no:cacheprovider``, a fixed Hypothesis seed, no Hypothesis
database and no shrinking), and is killed after a timeout.

Usage::

    .venv/bin/python benchmarks/mutation.py                      # every target module
    .venv/bin/python benchmarks/mutation.py --module quotes --module passages
    .venv/bin/python benchmarks/mutation.py --module bm25 --sample 100 --seed 1
    .venv/bin/python benchmarks/mutation.py --list --module quotes   # the mutants, not run
    .venv/bin/python benchmarks/mutation.py --tests-from 9d5aa7e     # older tests, same code
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = [
    "quotes",
    "passages",
    "analyzer",
    "bm25",
    "postings",
    "arrays",
    "rank",
    "fragments",
    "spelling",
    "impacts",
]

# Mutants reviewed and judged equivalent: no input changes a result. Keyed by module, the
# enclosing function and the change ("<before> -> <after>", as listed by --list), not by line.
_PAIR_LOSES = (
    "a pair scoring no more than one of its sentences has that sentence's score, cut ends no"
    " better (its sentences are whole; only the pair's own first and last pieces can be cut at"
    " the passage's edges) and more words (sentences are never empty), so that sentence, also a"
    " candidate, beats it anyway"
)
_NO_MATCH_LENGTH = (
    "the length counts only for candidates holding a term; every candidate holding none gets"
    " the same constant, so which constant changes no comparison"
)
_SUMMING = (
    "only chooses between summing by sorting and by np.bincount, which give the same sums (the"
    " property tests run both against rank-bm25)"
)
_CAPACITY = "only how much room a growable array reserves: the values stored are the same"
_RESHAPE = "numpy reads any negative size in reshape as 'whatever fits', as it does -1"
_MOST = "only whether more than one place is found is asked: stopping at 2 or at 3 tells it alike"
_WINDOWS = (
    "only how much of the article one search step reads: windows overlap by more than any"
    " phrase, so every occurrence is found whatever their size (the tests follow the module's"
    " own window)"
)
_TOUCHED = (
    "only which of the pool's pages are written before it is used: every weight is written"
    " into the pool before it is read"
)
_RESET = "reset (`_forget_all`) when the pool is made, before it holds anything"
_RELATIVE = "only its differences, or whether it changed, are ever read"
EQUIVALENT: dict[str, str] = {
    # impacts.py
    "impacts:<module>: BUDGET_MAX = 4000000 -> BUDGET_MAX = 4000001": _CAPACITY,
    "impacts:<module>: BUDGET_MAX = 4000000 -> BUDGET_MAX = 3999999": _CAPACITY,
    "impacts:<module>: TOUCH = 1 << 17 -> TOUCH = 2 << 17": _TOUCHED,
    "impacts:<module>: TOUCH = 1 << 17 -> TOUCH = 1 << 18": _TOUCHED,
    "impacts:<module>: TOUCH = 1 << 17 -> TOUCH = 1 << 16": _TOUCHED,
    "impacts:_touched: for at in range(0, size, TOUCH):"
    " -> for at in range(1, size, TOUCH):": _TOUCHED,
    "impacts:_touched: for at in range(0, size, TOUCH):"
    " -> for at in range(-1, size, TOUCH):": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at + 1:at + TOUCH] = 0.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at - 1:at + TOUCH] = 0.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at:at + TOUCH + 1] = 0.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at:at + TOUCH - 1] = 0.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at:at - TOUCH] = 0.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at:at + TOUCH] = 1.0": _TOUCHED,
    "impacts:_touched: pool[at:at + TOUCH] = 0.0 -> pool[at:at + TOUCH] = -1.0": _TOUCHED,
    "impacts:Impacts.__init__: self._at = 0 -> self._at = 1": _RESET,
    "impacts:Impacts.__init__: self._at = 0 -> self._at = -1": _RESET,
    "impacts:Impacts.__init__: self._size = 0 -> self._size = 1": _RESET,
    "impacts:Impacts.__init__: self._size = 0 -> self._size = -1": _RESET,
    "impacts:Impacts.__init__: self._placed = 0 -> self._placed = 1": _RELATIVE,
    "impacts:Impacts.__init__: self._placed = 0 -> self._placed = -1": _RELATIVE,
    "impacts:Impacts.__init__: self._question = 0 -> self._question = 1": _RELATIVE,
    "impacts:Impacts.__init__: self._question = 0 -> self._question = -1": _RELATIVE,
    "impacts:Impacts.question: self._question += 1 -> self._question -= 1": _RELATIVE,
    "impacts:Impacts.question: self._question += 1 -> self._question += 2": _RELATIVE,
    "impacts:Impacts._forget_oldest: return False -> return None": "None is as false as False",
    # quotes.py
    "quotes:choose_quote.rank: length = sum(words[first:last + 1]) if value else 0"
    " -> length = sum(words[first:last + 1]) if value else 1": _NO_MATCH_LENGTH,
    "quotes:choose_quote.rank: length = sum(words[first:last + 1]) if value else 0"
    " -> length = sum(words[first:last + 1]) if value else -1": _NO_MATCH_LENGTH,
    "quotes:choose_quote: score(c.first, c.last) > max(score(c.first, c.second - 1),"
    " score(c.second, c.last)) -> score(c.first, c.last) >= max(score(c.first, c.second - 1),"
    " score(c.second, c.last))": _PAIR_LOSES,
    "quotes:choose_quote: max(score(c.first, c.second - 1), score(c.second, c.last))"
    " -> max(score(c.first, c.second - 2), score(c.second, c.last))": _PAIR_LOSES,
    "quotes:choose_quote: words = [len(text[s:e].split()) for s, e in sentences]"
    " -> words = [len(text[s:e + 1].split()) for s, e in sentences]": (
        "a sentence span ends at a visible character: one more character is white space or"
        " extends the last word, and the number of words is the same"
    ),
    # fragments.py
    "fragments:<module>: _WINDOW = 1 << 18 -> _WINDOW = 2 << 18": _WINDOWS,
    "fragments:<module>: _WINDOW = 1 << 18 -> _WINDOW = 1 << 19": _WINDOWS,
    "fragments:<module>: _WINDOW = 1 << 18 -> _WINDOW = 1 << 17": _WINDOWS,
    "fragments:<module>: _WINDOW = 1 << 18 -> _WINDOW = 1 << 0": _WINDOWS,
    "fragments:<module>: _OVERLAP = 4096 -> _OVERLAP = 4097": _WINDOWS,
    "fragments:<module>: _OVERLAP = 4096 -> _OVERLAP = 4095": _WINDOWS,
    "fragments:_starts: if match.start() >= low + _WINDOW: -> if match.start() > low + _WINDOW:": (
        "a match starting exactly at the next window's start is taken here and skipped there:"
        " found once either way"
    ),
    "fragments:_starts: for low in range(0, len(text), _WINDOW):"
    " -> for low in range(-1, len(text), _WINDOW):": (
        "a search from position -1 starts at 0, and the windows overlap by more than one character"
    ),
    "fragments:_starts: if len(found) >= most: -> if len(found) > most:": _MOST,
    "fragments:_prefix: if len(_starts(_pattern(words + start_words), text, 2)) == 1:"
    " -> if len(_starts(_pattern(words + start_words), text, 3)) == 1:": _MOST,
    "fragments:text_fragment: if len(_starts(_pattern(start_words), text, 2)) > 1:"
    " -> if len(_starts(_pattern(start_words), text, 3)) > 1:": _MOST,
    "fragments:_lines: if '\\n' in text[position:match.start()]:"
    " -> if '\\n' in text[position:match.start() + 1]:": (
        "the extra character is the first of a word, never a line break"
    ),
    "fragments:_lines: if '\\n' in text[position:match.start()]:"
    " -> if '\\n' in text[position - 1:match.start()]:": (
        "the extra character is the last of the word before, or, before the first word, what"
        " precedes the quote: a line break there only makes an empty first line, which is dropped"
    ),
    "fragments:_prefix: line_start = text.rfind('\\n', 0, quote_start) + 1"
    " -> line_start = text.rfind('\\n', 1, quote_start) + 1": (
        "differs only for a line break at 0, before which there is nothing: the words read from"
        " 0 or from 1 are the same"
    ),
    "fragments:_end_words: for count in range(min(MIN_WORDS, most), most + 1):"
    " -> for count in range(min(MIN_WORDS, most), most + 2):": (
        "a count past `most` is tried only when none up to it is found: over lines that takes"
        " the whole last line again (slicing stops there) and finds the same; on one line, the"
        " rest after the start is always found where the quote ends"
    ),
    "fragments:_prefix: line_start = text.rfind('\\n', 0, quote_start) + 1"
    " -> line_start = text.rfind('\\n', 0, quote_start) + 0": (
        "the line break itself is white space: the words found from there are the same"
    ),
    "fragments:_prefix: for count in range(1, len(before) + 1):"
    " -> for count in range(1, len(before) + 2):": (
        "one count more takes before[-count:], all of `before` again: already tried"
    ),
    # passages.py
    "passages:_units: line = text[s:e] -> line = text[s:e + 1]": (
        "text[e] is the newline ending the line (or nothing): _HARD_END allows trailing white"
        " space and _LIST_ITEM looks at the start"
    ),
    "passages:_units: _LIST_ITEM.match(text[following[0]:following[1]]) is not None"
    " -> _LIST_ITEM.match(text[following[0] - 1:following[1]]) is not None": (
        "the character before a following line is the newline ending this one, which"
        " _LIST_ITEM's leading \\s* takes"
    ),
    "passages:_cut_long: return [] -> return None": (
        "its one caller only tests the result's truth, and [] and None are both false"
    ),
    "passages:_fit_chars: for j in range(1, len(words)): -> for j in range(0, len(words)):": (
        "j = 0 measures the first word alone, never longer than max_chars (_words cuts longer"
        " ones): no piece ends there"
    ),
    # rank.py
    "rank:candidates: index.idf(term_id) if term_id is not None else 0.0"
    " -> index.idf(term_id) if term_id is not None else -1.0": (
        "an unknown term's IDF only decides that it is not present (> 0), which -1 decides alike"
    ),
    # spelling.py
    "spelling:edits: range(len(term) + 1) -> range(len(term) + 2)": (
        "a split past the term's end is the term and '', as the last one is: the same edits"
    ),
    # postings.py and arrays.py (PassageIndex and its arrays)
    "arrays:<module>: SHIFT = 32 -> SHIFT = 31": (
        "counts and positions are < 2**31 and fit 31 bits; slots and term ids < 2**31 shifted"
        " by 31 fit an int64: every posting and sort key packs and unpacks the same"
    ),
    "postings:<module>: _SORT_BELOW = 8 -> _SORT_BELOW = 9": _SUMMING,
    "postings:<module>: _SORT_BELOW = 8 -> _SORT_BELOW = 7": _SUMMING,
    "postings:<module>: _SORT_BELOW = 8 -> _SORT_BELOW = 0": _SUMMING,
    "postings:PassageIndex._score_postings: if slots.size * _SORT_BELOW < n_slots:"
    " -> if not slots.size * _SORT_BELOW < n_slots:": _SUMMING,
    "postings:PassageIndex._score_postings: if slots.size * _SORT_BELOW < n_slots:"
    " -> if slots.size * _SORT_BELOW <= n_slots:": _SUMMING,
    "postings:PassageIndex._score_postings: if slots.size * _SORT_BELOW < n_slots:"
    " -> if slots.size * _SORT_BELOW >= n_slots:": _SUMMING,
    "postings:PassageIndex._score_postings: if len(known) == 1: -> if len(known) == 0:": (
        "the shortcut for one posting list gives what the general path gives: each live slot"
        " once, ascending, with its one contribution"
    ),
    "arrays:Column.__init__: self.data: npt.NDArray[Any] = np.empty(16, dtype)"
    " -> self.data: npt.NDArray[Any] = np.empty(17, dtype)": _CAPACITY,
    "arrays:Column.__init__: self.data: npt.NDArray[Any] = np.empty(16, dtype)"
    " -> self.data: npt.NDArray[Any] = np.empty(15, dtype)": _CAPACITY,
    "arrays:Column.__init__: self.data: npt.NDArray[Any] = np.empty(16, dtype)"
    " -> self.data: npt.NDArray[Any] = np.empty(0, dtype)": _CAPACITY,
    "arrays:Column.extend: if end > self.data.size: -> if end >= self.data.size:": _CAPACITY,
    "arrays:Column.reset: self.data = np.empty(0, self.data.dtype)"
    " -> self.data = np.empty(1, self.data.dtype)": _CAPACITY,
    "postings:PassageIndex._reserve_terms: need = int(terms.max()) + 1"
    " -> need = int(terms.max()) + 2": _CAPACITY,
    "postings:PassageIndex._reserve_terms: if need > self._df.size: -> if need >= self._df.size:": (
        _CAPACITY
    ),
    "postings:PassageIndex._reserve_terms: self._postings.extend([None] * (grown.size -"
    " len(self._postings))) -> self._postings.extend([None] * (grown.size +"
    " len(self._postings)))": _CAPACITY,
    "arrays:Column.extend: new = np.asarray(values, dtype=self.data.dtype).reshape(-1)"
    " -> new = np.asarray(values, dtype=self.data.dtype).reshape(-2)": _RESHAPE,
    "arrays:int_array: arr = np.asarray(values).reshape(-1)"
    " -> arr = np.asarray(values).reshape(-2)": _RESHAPE,
    "arrays:runs: return (np.zeros(1, np.int64), sorted_keys)"
    " -> return (np.zeros(0, np.int64), sorted_keys)": (
        "for no keys, bounds [0] and [] both give no runs: np.diff is empty and bounds[:-1] is"
        " empty either way"
    ),
    "postings:PassageIndex.__contains__: return False -> return None": (
        "`in` turns what __contains__ returns into a bool: None is False"
    ),
    "postings:PassageIndex.idf: return float(self._scorer.idf_of(len(self), df,"
    " self._get_average_idf)[0]) -> return float(self._scorer.idf_of(len(self), df,"
    " self._get_average_idf)[-1])": "the array has one element: [0] is [-1]",
    "postings:PassageIndex.search: if scores.size > k: -> if scores.size >= k:": (
        "with exactly k candidates the k-th largest is the smallest, and all are kept anyway"
    ),
}


def _growth(where: str, statement: str, changes: list[tuple[str, str]]) -> dict[str, str]:
    """Mutants of a growth statement that only change how much room is reserved."""
    return {
        f"{where}: {statement} -> {statement.replace(old, new)}": _CAPACITY for old, new in changes
    }


_FACTOR = [("* 3 // 2", change) for change in ("/ 3 // 2", "* 4 // 2", "* 2 // 2", "* 0 // 2")]
_FACTOR += [("* 3 // 2", "* 3 // 3"), ("* 3 // 2", "* 3 // 1")]
EQUIVALENT.update(
    _growth(
        "arrays:Column.extend",
        "grown = np.empty(max(end, self.data.size * 3 // 2, 16), self.data.dtype)",
        [*_FACTOR, ("16)", "17)"), ("16)", "15)"), ("16)", "0)")],
    )
)
EQUIVALENT.update(
    _growth(
        "postings:PassageIndex._reserve_terms",
        "grown = np.zeros(max(need, self._df.size * 3 // 2), np.int64)",
        _FACTOR,
    )
)
_COPY = (
    "copy=True only makes a copy where copy=False may share memory; nothing writes to either"
    " array afterwards"
)
EQUIVALENT.update(
    {
        "arrays:check_postings: term_ids.astype(np.int32, copy=False)"
        " -> term_ids.astype(np.int32, copy=True)": _COPY,
        "arrays:check_postings: tfs.astype(np.int32, copy=False)"
        " -> tfs.astype(np.int32, copy=True)": _COPY,
        "postings:PassageIndex.load: ids = int_array(doc_ids, 'doc ids').astype(np.int64,"
        " copy=False) -> ids = int_array(doc_ids, 'doc ids').astype(np.int64, copy=True)": _COPY,
        "postings:PassageIndex._score_postings: sums = np.bincount(slots, contrib,"
        " n_slots).astype(np.float64, copy=False) -> sums = np.bincount(slots, contrib,"
        " n_slots).astype(np.float64, copy=True)": _COPY,
        "postings:PassageIndex._score_postings: unique_slots = np.flatnonzero(hit).astype(np.int64,"
        " copy=False) -> unique_slots = np.flatnonzero(hit).astype(np.int64, copy=True)": _COPY,
    }
)

# --- mutants --------------------------------------------------------------------------------------


@dataclass
class Mutant:
    module: str  # "quotes"
    number: int  # 1-based, in source order
    line: int
    kind: str
    where: str  # enclosing function or class, dotted
    before: str
    after: str
    source: str = field(repr=False)
    occurrence: int = 1  # the same change in the same function: numbered in source order

    @property
    def key(self) -> str:
        key = f"{self.module}:{self.where}: {self.before} -> {self.after}"
        return key if self.occurrence == 1 else f"{key} #{self.occurrence}"

    @property
    def label(self) -> str:
        where = f"index/{self.module}.py:{self.line} ({self.where})"
        again = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{where} {self.kind}: {self.before} -> {self.after}{again}"


_CMP_SWAPS: dict[type[ast.cmpop], list[type[ast.cmpop]]] = {
    ast.Lt: [ast.LtE, ast.GtE],
    ast.LtE: [ast.Lt, ast.Gt],
    ast.Gt: [ast.GtE, ast.LtE],
    ast.GtE: [ast.Gt, ast.Lt],
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
}
_BIN_SWAPS: dict[type[ast.operator], list[type[ast.operator]]] = {
    ast.Add: [ast.Sub],
    ast.Sub: [ast.Add],
    ast.Mult: [ast.Div],
    ast.Div: [ast.Mult],
    ast.FloorDiv: [ast.Div],
    ast.Mod: [ast.FloorDiv],
    ast.LShift: [ast.RShift],
    ast.RShift: [ast.LShift],
    ast.BitOr: [ast.BitAnd],
    ast.BitAnd: [ast.BitOr],
}
_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
_LOG_OBJECTS = {"log", "logger", "logging", "_log", "_logger", "LOG", "LOGGER"}
_NO_MUTATION_FUNCTIONS = {"__repr__", "__str__", "__rich__", "__rich_repr__"}


@dataclass
class _Listed:
    node: ast.AST
    parent: _Listed | None
    fld: str  # the parent's field holding node
    scope: tuple[str, ...]  # enclosing classes and functions
    function: ast.AST | None  # the nearest enclosing function
    skip: bool  # left alone (see the module docstring)


@dataclass
class _Site:
    """One place and way to mutate: applied to a fresh parse, found again by its position."""

    position: int  # index of the node in _nodes() order
    kind: str
    # (node, parent, field) -> the node that now stands where node stood
    apply: Callable[[ast.AST, ast.AST, str], ast.AST]


def _nodes(tree: ast.AST) -> Iterator[_Listed]:
    """Every node in a fixed order, with its parent, field, scope and whether it is left alone."""

    def visit(node: ast.AST, parent: _Listed | None, fld: str, skip: bool) -> Iterator[_Listed]:
        scope = parent.scope if parent else ()
        function = parent.function if parent else None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = (*scope, node.name)
            if not isinstance(node, ast.ClassDef):
                function = node
            if node.name in _NO_MUTATION_FUNCTIONS or _only_raises(node):
                skip = True
        skip = skip or _skipped(node, parent.node if parent else None, fld)
        listed = _Listed(node, parent, fld, scope, function, skip)
        yield listed
        for name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, ast.AST):
                    yield from visit(item, listed, name, skip or _skip_field(node, name))

    yield from visit(tree, None, "", False)


def _only_raises(node: ast.AST) -> bool:
    """A function whose body (docstring aside) is one raise: nothing in it can change a result."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _skip_field(node: ast.AST, name: str) -> bool:
    """Fields whose content cannot change a result: annotations, decorators' type info."""
    if name in ("annotation", "returns", "type_comment"):
        return True
    if isinstance(node, ast.AnnAssign) and name == "value":
        # `X: TypeAlias = ...` is a type; a dataclass field default is not
        return isinstance(node.annotation, ast.Name | ast.Attribute) and (
            ast.unparse(node.annotation).endswith("TypeAlias")
        )
    return False


def _skipped(node: ast.AST, parent: ast.AST | None, fld: str) -> bool:
    if isinstance(node, ast.Assert | ast.JoinedStr):
        return True
    if isinstance(parent, ast.Raise) and fld in ("exc", "cause"):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        obj = node.func.value
        if node.func.attr in _LOG_METHODS and isinstance(obj, ast.Name) and obj.id in _LOG_OBJECTS:
            return True
    if isinstance(node, ast.keyword) and node.arg == "strict" and isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id == "zip"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstrings and bare strings
    if isinstance(node, ast.If):
        test = node.test
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ) or (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
    return False


def _index_names(tree: ast.AST) -> dict[ast.AST, set[str]]:
    """Per function, the names that are integer loop indices (``for i in range/enumerate``)."""
    found: dict[ast.AST, set[str]] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names: set[str] = set()
        for loop in ast.walk(fn):
            if not isinstance(loop, ast.For | ast.comprehension):
                continue
            it = loop.iter
            if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)):
                continue
            if it.func.id == "range" and isinstance(loop.target, ast.Name):
                names.add(loop.target.id)
            elif it.func.id == "enumerate" and isinstance(loop.target, ast.Tuple):
                first = loop.target.elts[0]
                if isinstance(first, ast.Name):
                    names.add(first.id)
        found[fn] = names
    return found


def _replace(parent: ast.AST, fld: str, old: ast.AST, new: ast.AST) -> None:
    value = getattr(parent, fld)
    if isinstance(value, list):
        value[value.index(old)] = new
    else:
        setattr(parent, fld, new)


def _has_number(node: ast.AST) -> bool:
    """A number, or arithmetic with a number (``x + 1``): its number is mutated already."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.BinOp):
        return _has_number(node.left) or _has_number(node.right)
    return isinstance(node, ast.Constant)


def _plus(node: ast.expr, n: int) -> ast.expr:
    return ast.BinOp(node, ast.Add() if n > 0 else ast.Sub(), ast.Constant(abs(n)))


def _sites(tree: ast.AST) -> tuple[list[_Listed], list[_Site]]:
    """Every node of ``tree`` and every mutation of it, in source order."""
    listed = list(_nodes(tree))
    index_names = _index_names(tree)
    sites: list[_Site] = []
    for position, item in enumerate(listed):
        if not item.skip:
            names = index_names.get(item.function, set()) if item.function else set()
            parent = item.parent.node if item.parent else None
            sites.extend(_sites_of(item.node, parent, position, names))
    return listed, sites


def _sites_of(
    node: ast.AST, parent: ast.AST | None, position: int, index_names: set[str]
) -> list[_Site]:
    out: list[_Site] = []

    def add(kind: str, apply: Callable[[ast.AST, ast.AST, str], ast.AST]) -> None:
        out.append(_Site(position, kind, apply))

    if isinstance(node, ast.Compare):
        for j, op in enumerate(node.ops):
            for new in _CMP_SWAPS.get(type(op), []):

                def flip(n: ast.AST, p: ast.AST, f: str, j: int = j, new: type = new) -> ast.AST:
                    assert isinstance(n, ast.Compare)
                    n.ops[j] = new()
                    return n

                add("comparison", flip)
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        for operator in _BIN_SWAPS.get(type(node.op), []):

            def swap(n: ast.AST, p: ast.AST, f: str, new: type = operator) -> ast.AST:
                assert isinstance(n, ast.BinOp | ast.AugAssign)
                n.op = new()
                return n

            add("operator", swap)
    elif isinstance(node, ast.BoolOp):

        def andor(n: ast.AST, p: ast.AST, f: str) -> ast.AST:
            assert isinstance(n, ast.BoolOp)
            n.op = ast.Or() if isinstance(n.op, ast.And) else ast.And()
            return n

        add("and/or", andor)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):

        def unnot(n: ast.AST, p: ast.AST, f: str) -> ast.AST:
            assert isinstance(n, ast.UnaryOp)
            _replace(p, f, n, n.operand)
            return n.operand

        add("not removed", unnot)
    elif isinstance(node, ast.Constant) and not isinstance(parent, ast.JoinedStr):
        value = node.value
        if isinstance(value, bool):

            def toggle(n: ast.AST, p: ast.AST, f: str) -> ast.AST:
                assert isinstance(n, ast.Constant)
                n.value = not n.value
                return n

            add("boolean", toggle)
        elif isinstance(value, int | float) and not isinstance(value, complex):
            for new_value in dict.fromkeys([value + 1, value - 1, type(value)(0)]):
                if new_value == value:
                    continue

                def renumber(n: ast.AST, p: ast.AST, f: str, v: Any = new_value) -> ast.AST:
                    assert isinstance(n, ast.Constant)
                    n.value = v
                    return n

                add("number", renumber)
    if isinstance(node, ast.If | ast.While | ast.IfExp):

        def negate(n: ast.AST, p: ast.AST, f: str) -> ast.AST:
            assert isinstance(n, ast.If | ast.While | ast.IfExp)
            test = n.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                n.test = test.operand  # "not not x" is "x": the same as removing the not
            else:
                n.test = ast.UnaryOp(ast.Not(), test)
            return n

        add("condition negated", negate)
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is None or _has_number(value):
                continue  # absent, or a number or `x + 1` (mutated as numbers)
            for delta in (1, -1):

                def shift(
                    n: ast.AST, p: ast.AST, f: str, b: str = bound, d: int = delta
                ) -> ast.AST:
                    setattr(n, b, _plus(getattr(n, b), d))
                    return n

                add("slice bound", shift)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Name)
        and node.slice.id in index_names
    ):
        for delta in (1, -1):

            def reindex(n: ast.AST, p: ast.AST, f: str, d: int = delta) -> ast.AST:
                assert isinstance(n, ast.Subscript)
                n.slice = _plus(n.slice, d)
                return n

            add("index", reindex)
    returned = node.value if isinstance(node, ast.Return) else None
    if returned is not None and not (isinstance(returned, ast.Constant) and returned.value is None):

        def return_none(n: ast.AST, p: ast.AST, f: str) -> ast.AST:
            assert isinstance(n, ast.Return)
            n.value = ast.Constant(None)
            return n

        add("return None", return_none)
    return out


_SIMPLE_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Expr)


def _shown(item: _Listed) -> ast.AST:
    """What describes a mutation of item.node: the largest short expression around it, or its
    statement (a compound statement's header) if that is short."""
    shown = item.node
    if isinstance(shown, ast.stmt):
        return shown
    ancestor = item.parent
    while ancestor is not None and isinstance(ancestor.node, ast.expr | ast.keyword | ast.arg):
        if len(ast.unparse(ancestor.node)) > 70:
            return shown
        shown, ancestor = ancestor.node, ancestor.parent
    if ancestor is not None and isinstance(ancestor.node, ast.stmt):
        statement = ancestor.node
        short = not isinstance(statement, _SIMPLE_STATEMENTS) or len(ast.unparse(statement)) <= 100
        if short and not isinstance(
            statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            return statement
    return shown


def _header(node: ast.AST) -> str:
    """A node as one short line (compound statements: their header only)."""
    if isinstance(node, ast.If | ast.While):
        text = f"{'if' if isinstance(node, ast.If) else 'while'} {ast.unparse(node.test)}:"
    elif isinstance(node, ast.For):
        text = f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}:"
    elif isinstance(node, ast.With):
        text = f"with {', '.join(ast.unparse(i) for i in node.items)}:"
    else:
        text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 100 else text[:97] + "..."


def generate(module: str, source: str) -> list[Mutant]:
    """The mutants of one module, each a complete mutated source, deduplicated."""
    seen = {ast.unparse(ast.parse(source))}
    mutants: list[Mutant] = []
    occurrences: dict[tuple[str, str, str], int] = {}
    for i in range(len(_sites(ast.parse(source))[1])):
        listed, sites = _sites(ast.parse(source))
        site = sites[i]
        item = listed[site.position]
        shown = _shown(item)
        before = _header(shown)
        parent = item.parent.node if item.parent else None
        replacement = site.apply(item.node, parent, item.fld)  # type: ignore[arg-type]
        after = _header(replacement if shown is item.node else shown)
        mutated = ast.unparse(listed[0].node)
        if mutated in seen:
            continue
        seen.add(mutated)
        line: int = getattr(item.node, "lineno", 0) or getattr(parent, "lineno", 0)
        where = ".".join(item.scope) or "<module>"
        occurrence = occurrences[where, before, after] = (
            occurrences.get((where, before, after), 0) + 1
        )
        mutants.append(
            Mutant(
                module, len(mutants) + 1, line, site.kind, where, before, after, mutated, occurrence
            )
        )
    return mutants


# --- the worker: runs one module's mutants ----------------------------------------------------


class _MutantFinder:
    """A meta path finder that supplies one module from mutated source (in the child only)."""

    def __init__(self, name: str, path: str, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> Any:
        import importlib.util

        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.path)  # type: ignore[arg-type]

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        module.__file__ = self.path
        exec(compile(self.source, self.path, "exec"), module.__dict__)


def _run_child(
    root: Path,
    test: str,
    log: Path | None,
    finder: _MutantFinder | None,
    record_modules: Path | None = None,
) -> int:
    """Fork, run pytest in the child; the child's exit status (pid for the caller to wait on)."""
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        out = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        if finder is not None:
            sys.meta_path.insert(0, finder)
        import pytest
        from hypothesis import Phase
        from hypothesis import settings as hypothesis_settings

        # Profiles registered later (conftest.py) inherit this one: no example database (every
        # mutant starts afresh) and no shrinking (a failure is all that counts, not its minimum).
        hypothesis_settings.register_profile(
            "mutation", database=None, phases=[Phase.explicit, Phase.generate]
        )
        hypothesis_settings.load_profile("mutation")
        args = [test, "-x", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0"]
        args += ["-W", "ignore::DeprecationWarning", "--rootdir", str(root)]
        code = int(pytest.main(args))
        if record_modules is not None:
            record_modules.write_text(json.dumps(_loaded_modules(root)))
    except BaseException:  # the child must never return into the worker's loop
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _loaded_modules(root: Path) -> dict[str, Any]:
    """Third-party and stdlib modules now imported, and where the project modules came from."""
    outside, inside = [], {}
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or ""
        if where.startswith(str(root)) or name.split(".")[0] in ("index", "bot", "tests"):
            inside[name] = where
        elif name != "__main__" and "conftest" not in name:
            outside.append(name)
    return {"outside": outside, "inside": inside}


def _wait(pid: int, timeout: float) -> tuple[str, float]:
    """Wait for a child: ("passed" | "failed" | "error" | "timeout", seconds)."""
    started = time.monotonic()
    delay = 0.002
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        elapsed = time.monotonic() - started
        if done:
            if os.WIFSIGNALED(status):
                return "failed", elapsed  # a crash (a segfault, say): the tests noticed
            code = os.WEXITSTATUS(status)
            if code == 0:
                return "passed", elapsed
            if code in (1, 2, 3):  # tests failed, interrupted (an import error), internal
                return "failed", elapsed
            return "error", elapsed  # usage error, no tests collected, or the child broke
        if elapsed > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", elapsed
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def worker(job_path: Path) -> int:
    """Run one module's mutants (the job file says which); results as JSON lines on stdout."""
    job = json.loads(job_path.read_text())
    root = Path(job["root"])
    sys.path.insert(0, str(root))
    os.chdir(root)
    sys.dont_write_bytecode = True
    scratch = Path(job["scratch"])
    name, path, test = job["module"], job["path"], job["test"]

    def emit(record: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    # the tests once, unchanged: they must pass, and they tell what to import before forking
    log, modules = scratch / "baseline.log", scratch / "modules.json"
    pid = _run_child(root, test, log, None, modules)
    outcome, seconds = _wait(pid, job["baseline_timeout"])
    if outcome != "passed" or not modules.exists():
        emit({"baseline": outcome, "seconds": seconds, "log": log.read_text()[-3000:]})
        return 1
    loaded = json.loads(modules.read_text())
    came_from = loaded["inside"].get(name, "")
    if not came_from.startswith(str(root)):
        emit({"baseline": "error", "seconds": seconds, "log": f"{name} came from {came_from!r}"})
        return 1
    for module in loaded["outside"]:
        with contextlib.suppress(Exception), contextlib.redirect_stderr(io.StringIO()):
            __import__(module)
    emit({"baseline": "passed", "seconds": seconds})

    timeout = max(job["min_timeout"], job["timeout_factor"] * seconds)
    for mutant in job["mutants"]:
        finder = _MutantFinder(name, path, mutant["source"])
        pid = _run_child(root, test, None, finder)
        outcome, seconds = _wait(pid, timeout)
        emit({"number": mutant["number"], "outcome": outcome, "seconds": round(seconds, 3)})
    return 0


# --- the driver -----------------------------------------------------------------------------------


_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis",
    "*.egg-info", "build", "*.db", "*.db-wal", "*.db-shm",
)  # fmt: skip


def _git_show(revision: str, path: str) -> bytes | None:
    """A file as committed at ``revision``, or None if it did not exist there."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:{path}"], capture_output=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def lay_out(
    base: str, dest: Path, overlay: list[str], tests: list[str], tests_from: str | None
) -> None:
    """The project in ``dest``: HEAD plus ``overlay`` and ``tests`` from the working tree, or the
    working tree; then ``tests`` as at ``tests_from`` if given (absent if they did not exist)."""
    if base == "worktree":
        shutil.copytree(ROOT, dest, ignore=_IGNORED, symlinks=True)
    else:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
            check=True,
            capture_output=True,
        ).stdout
        dest.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        for relative in [*overlay, *tests]:
            source = ROOT / relative
            if source.exists():
                (dest / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / relative)
    if tests_from is not None:
        for relative in tests:
            committed = _git_show(tests_from, relative)
            (dest / relative).unlink(missing_ok=True)
            if committed is not None:
                (dest / relative).write_bytes(committed)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (dest.parent / "shared").symlink_to(shared, target_is_directory=True)


@dataclass
class ModuleResult:
    module: str
    mutants: list[Mutant]
    outcomes: dict[int, str] = field(default_factory=dict)
    baseline: str = ""
    baseline_seconds: float = 0.0
    seconds: float = 0.0
    note: str = ""

    def count(self, *outcomes: str) -> int:
        return sum(o in outcomes for o in self.outcomes.values())

    @property
    def survivors(self) -> list[Mutant]:
        return [m for m in self.mutants if self.outcomes.get(m.number) == "passed"]

    @property
    def equivalent(self) -> list[Mutant]:
        return [m for m in self.survivors if m.key in EQUIVALENT]

    @property
    def score(self) -> float | None:
        counted = len(self.outcomes) - len(self.equivalent) - self.count("error")
        return self.count("failed", "timeout") / counted if counted else None


def run_module(
    module: str,
    mutants: list[Mutant],
    root: Path,
    scratch: Path,
    args: argparse.Namespace,
    lock: threading.Lock,
) -> ModuleResult:
    result = ModuleResult(module, mutants)
    if not (root / "tests" / "index" / f"test_{module}.py").exists():
        result.baseline, result.note = "passed", "no test file: every mutant survives"
        result.outcomes = dict.fromkeys((m.number for m in mutants), "passed")
        return result
    scratch.mkdir(parents=True)
    job = {
        "root": str(root),
        "scratch": str(scratch),
        "module": f"index.{module}",
        "path": str(root / "index" / f"{module}.py"),
        "test": str(root / "tests" / "index" / f"test_{module}.py"),
        "baseline_timeout": 600,
        "min_timeout": args.min_timeout,
        "timeout_factor": args.timeout_factor,
        "mutants": [{"number": m.number, "source": m.source} for m in mutants],
    }
    job_path = scratch / "job.json"
    job_path.write_text(json.dumps(job))
    started = time.monotonic()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(job_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env=env,
        start_new_session=True,  # its own process group: it and its forks end together
    )
    with lock:
        _WORKERS.append(proc)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            record = json.loads(line)
            if "baseline" in record:
                result.baseline = record["baseline"]
                result.baseline_seconds = record["seconds"]
                if record["baseline"] != "passed":
                    result.note = record.get("log", "")
                continue
            result.outcomes[record["number"]] = record["outcome"]
            if args.verbose or record["outcome"] == "passed":
                mutant = mutants[record["number"] - 1]
                with lock:
                    print(f"  {record['outcome']:8} {mutant.label}", file=sys.stderr, flush=True)
            done = len(result.outcomes)
            if done % 25 == 0 or done == len(mutants):
                with lock:
                    print(f"[{module}] {done}/{len(mutants)}", file=sys.stderr, flush=True)
    finally:
        _stop(proc)
    result.seconds = time.monotonic() - started
    return result


_WORKERS: list[subprocess.Popen[str]] = []


def _stop(proc: subprocess.Popen[str]) -> None:
    """End a worker and the children it forked (its process group), if still running."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def report(results: list[ModuleResult], total_seconds: float) -> str:
    lines = [
        "",
        "| module | mutants | killed | timeouts | survived | equivalent | errors | score | time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.baseline != "passed":
            failed = f"tests {r.baseline} unmutated"
            lines.append(f"| {r.module} | {len(r.mutants)} | - | - | - | - | - | {failed} | - |")
            continue
        score = "n/a" if r.score is None else f"{100 * r.score:.1f}%"
        lines.append(
            f"| {r.module} | {len(r.outcomes)} | {r.count('failed')} | {r.count('timeout')} "
            f"| {len(r.survivors) - len(r.equivalent)} | {len(r.equivalent)} | {r.count('error')} "
            f"| {score} | {r.seconds:.0f} s |"
        )
    lines.append(f"\nwall time: {total_seconds:.0f} s")
    for r in results:
        if r.baseline != "passed":
            lines.append(f"\n{r.module}: the unmutated tests did not pass ({r.baseline}):")
            lines.append(r.note)
            continue
        if r.note:
            lines.append(f"\n{r.module}: {r.note}")
        live = [m for m in r.survivors if m.key not in EQUIVALENT]
        if live:
            lines.append(f"\nsurvivors in index/{r.module}.py:")
            lines.extend(f"  {m.label}" for m in live)
        if r.equivalent:
            lines.append(f"\nequivalent (not counted) in index/{r.module}.py:")
            lines.extend(f"  {m.label}\n      {EQUIVALENT[m.key]}" for m in r.equivalent)
        killed_equivalent = [
            m for m in r.mutants if m.key in EQUIVALENT and r.outcomes.get(m.number) != "passed"
        ]
        lines.extend(f"  NOTE: listed as equivalent but killed: {m.key}" for m in killed_equivalent)
        errors = [m for m in r.mutants if r.outcomes.get(m.number) == "error"]
        lines.extend(f"  error (not counted): {m.label}" for m in errors)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=TARGETS, help="repeatable")
    parser.add_argument("--limit", type=int, help="only the first N mutants of each module")
    parser.add_argument("--sample", type=int, help="a random N mutants of each module")
    parser.add_argument("--seed", type=int, default=0, help="for --sample")
    parser.add_argument("--jobs", type=int, default=2, help="modules run at once (default 2)")
    parser.add_argument("--base", choices=["head", "worktree"], default="head")
    parser.add_argument(
        "--tests-from", metavar="REV", help="the modules' test files as committed at REV"
    )
    parser.add_argument("--timeout-factor", type=float, default=5.0)
    parser.add_argument("--min-timeout", type=float, default=10.0, help="seconds")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--verbose", action="store_true", help="print every outcome")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker)

    modules: list[str] = []
    for module in args.module or TARGETS:
        if (ROOT / "index" / f"{module}.py").exists():
            modules.append(module)
        else:
            print(f"index/{module}.py does not exist: skipped", file=sys.stderr)
    planned: dict[str, list[Mutant]] = {}
    for module in modules:
        mutants = generate(module, (ROOT / "index" / f"{module}.py").read_text())
        if args.sample is not None and args.sample < len(mutants):
            mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=_number)
        if args.limit is not None:
            mutants = mutants[: args.limit]
        planned[module] = mutants
    if args.list:
        for mutants in planned.values():
            for m in mutants:
                print(f"#{m.number} {m.label}")
        return 0

    started = time.monotonic()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="citebot-mutation-") as tmp:
        root = Path(tmp) / "main"
        overlay = [f"index/{m}.py" for m in modules]
        tests = [f"tests/index/test_{m}.py" for m in modules]
        lay_out(args.base, root, overlay, tests, args.tests_from)
        pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            futures = [
                pool.submit(run_module, m, planned[m], root, Path(tmp) / f"scratch-{m}", args, lock)
                for m in modules
            ]
            results = [f.result() for f in futures]
        finally:  # on an interrupt too: end every worker before the directory goes
            pool.shutdown(wait=False, cancel_futures=True)
            with lock:
                workers = list(_WORKERS)
            for proc in workers:
                _stop(proc)
            pool.shutdown(wait=True)
    text = report(results, time.monotonic() - started)
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "module": r.module,
                        "score": r.score,
                        "baseline": r.baseline,
                        "seconds": r.seconds,
                        "mutants": [
                            {**asdict(m), "source": None, "outcome": r.outcomes.get(m.number)}
                            for m in r.mutants
                        ],
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    return 0 if all(r.baseline == "passed" for r in results) else 1


def _number(mutant: Mutant) -> int:
    return mutant.number


if __name__ == "__main__":
    sys.exit(main())
