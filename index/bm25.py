"""BM25 scored with rank-bm25's formulas, evaluated over posting lists.

The scorers are rank-bm25's own classes (``BM25Okapi`` by default, ``BM25L`` and ``BM25Plus``
selectable), subclassed: each subclass keeps its parent's parameters and defaults (k1, b, epsilon /
delta) and its parent's IDF and term-weight formulas, but takes no corpus (rank-bm25's constructor
builds everything from one, and divides by zero on an empty one) and evaluates the formulas with
numpy over posting lists instead of over every document. ``PassageIndex.scores`` equals
rank-bm25's ``get_scores`` for the same variant, parameters and corpus (a query term repeated n
times counts n times, as in rank-bm25's query list), with one deliberate departure:

*Okapi IDF floor.* rank-bm25's Okapi IDF is ``log(N - df + 0.5) - log(df + 0.5)``; where that is
negative it substitutes ``epsilon * average_idf`` (the mean over every term of the collection),
which can itself be zero or negative. In tiny collections (1, 2 or 3 passages) most or all terms
are then worth <= 0, so a passage that obviously matches scores 0 or less and can rank below one
that does not match at all. Wherever the IDF rank-bm25 would use is <= 0, this module uses
``epsilon * ln 2`` instead: rank-bm25's own epsilon rule, with ``ln 2`` standing in for the average
IDF. ``ln 2`` is the value the always-positive BM25 IDF ``log(1 + (N - df + 0.5) / (df + 0.5))``
(Lucene's) takes exactly where rank-bm25's IDF reaches zero (df = N / 2): a floored term weighs
epsilon times a term on that boundary — small, fixed, independent of N. So every passage
containing a query term scores > 0 and each further matched term adds to its score. Wherever the
IDF is positive, the scores are rank-bm25's. (Also, rank-bm25 scores a passage without any term
0 / 0 = NaN when b = 1; here it scores like any passage lacking the query terms.)

*Terms a passage lacks.* BM25Plus gives every document ``idf * delta`` for each query term it does
NOT contain (BM25Okapi and rank-bm25's BM25L give 0: their weight is a multiple of the term
frequency). Scoring only the postings stays exact by adding, once per query term, that constant to
every score: ``scores()`` adds it to all documents; ``search()`` adds it to the candidates, which
leaves their ranking unchanged. ``search()`` returns only documents containing at least one query
term, ranked exactly as rank-bm25 ranks them.

The postings themselves live in `index.postings`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]

Variant = Literal["okapi", "l", "plus"]


def _default_of(cls: Any, name: str) -> float:
    """The default value of a parameter of a rank-bm25 constructor."""
    return float(inspect.signature(cls.__init__).parameters[name].default)


@dataclass(frozen=True)
class BM25Params:
    """The variant and its parameters; defaults are rank-bm25's. Scoring only: changing them
    needs no re-indexing."""

    variant: Variant = "okapi"
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # okapi only, as rank-bm25
    delta: float | None = None  # l / plus; None = rank-bm25's default for the variant

    def __post_init__(self) -> None:
        if self.variant not in ("okapi", "l", "plus"):
            raise ValueError(f"unknown BM25 variant: {self.variant!r}")
        if not (math.isfinite(self.k1) and self.k1 > 0):
            raise ValueError(f"k1 must be a positive number, not {self.k1!r}")
        if not 0 <= self.b <= 1:
            raise ValueError(f"b must be between 0 and 1, not {self.b!r}")
        if not (math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ValueError(f"epsilon must be a positive number, not {self.epsilon!r}")
        if self.delta is not None:
            if self.variant == "okapi":
                raise ValueError("delta applies to the 'l' and 'plus' variants only")
            if not (math.isfinite(self.delta) and self.delta >= 0):
                raise ValueError(f"delta must be a number >= 0, not {self.delta!r}")


# --- scorers: rank-bm25's classes, fed from posting lists -------------------------------------


class _PostingScorer:
    """The part of a rank-bm25 variant that PassageIndex needs, vectorised over postings.

    Subclasses also derive from the rank-bm25 class whose formulas they restate, but skip its
    constructor: the corpus lives in PassageIndex, so the corpus-based methods are disabled.
    """

    k1: float
    b: float
    # Weight (per unit of IDF) a document gets for a query term it does not contain.
    absent_weight: float = 0.0

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        """The IDF scoring uses for terms with document frequencies ``df`` (all >= 1)."""
        raise NotImplementedError

    def tf_weight(self, tf: FloatArray, doc_len: FloatArray, avgdl: float) -> FloatArray:
        """Weight per unit of IDF of a term occurring ``tf`` times in a document of ``doc_len``."""
        return self.tf_weight_normed(tf, self.length_norm(doc_len, avgdl))

    def length_norm(self, doc_len: FloatArray, avgdl: float) -> FloatArray:
        """The part of `tf_weight` that depends on the document alone (its length): computed
        once for every passage, it gives `tf_weight_normed` the same weights, to the bit (the
        same operations in the same order on each element)."""
        raise NotImplementedError

    def tf_weight_normed(self, tf: FloatArray, norm: FloatArray) -> FloatArray:
        """`tf_weight` from the documents' `length_norm`."""
        raise NotImplementedError

    def get_scores(self, query: object) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.scores()")

    def get_batch_scores(self, query: object, doc_ids: object) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.scores()")

    def get_top_n(self, query: object, documents: object, n: int = 5) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.search()")


class OkapiScorer(_PostingScorer, BM25Okapi):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25Okapi without a corpus, plus the IDF floor (see the module docstring)."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        self.idf_floor = epsilon * math.log(2)

    @staticmethod
    def raw_idf(n_docs: int, df: FloatArray) -> FloatArray:
        """BM25Okapi._calc_idf's IDF before its epsilon rule; negative where df > N / 2."""
        return np.log(n_docs - df + 0.5) - np.log(df + 0.5)

    def average_idf(self, n_docs: int, df: IntArray) -> float:
        """BM25Okapi.average_idf: the mean raw IDF over every term of the collection.

        ``df`` holds the document frequency of every term id (0 for terms not in the collection).
        Terms are grouped by document frequency (a histogram), so the logs are taken once per
        distinct frequency, and the sum is exact (fsum): where the true mean is 0, as when the
        terms' IDFs cancel in pairs, it comes out as 0, not as rounding noise of either sign.
        """
        terms_with = np.bincount(df)  # terms_with[d]: how many terms occur in d documents
        freqs = np.flatnonzero(terms_with[1:]) + 1
        counts = terms_with[freqs]
        raw = self.raw_idf(n_docs, freqs.astype(np.float64))
        return math.fsum((counts * raw).tolist()) / int(counts.sum())

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        idf = self.raw_idf(n_docs, df)
        negative = idf < 0
        if negative.any():
            idf[negative] = self.epsilon * average_idf()
        idf[idf <= 0] = self.idf_floor  # the departure from rank-bm25
        return idf

    def length_norm(self, doc_len: FloatArray, avgdl: float) -> FloatArray:
        k1, b = self.k1, self.b
        return k1 * (1 - b + b * doc_len / avgdl)

    def tf_weight_normed(self, tf: FloatArray, norm: FloatArray) -> FloatArray:
        return tf * (self.k1 + 1) / (tf + norm)  # tf * (k1 + 1) / (tf + k1 * (1 - b + ...))


class BM25LScorer(_PostingScorer, BM25L):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25L without a corpus."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, delta: float | None = None) -> None:
        self.k1 = k1
        self.b = b
        self.delta = _default_of(BM25L, "delta") if delta is None else delta

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        return math.log(n_docs + 1) - np.log(df + 0.5)

    def length_norm(self, doc_len: FloatArray, avgdl: float) -> FloatArray:
        b = self.b
        return 1 - b + b * doc_len / avgdl

    def tf_weight_normed(self, tf: FloatArray, norm: FloatArray) -> FloatArray:
        k1, delta = self.k1, self.delta
        ctd = tf / norm  # tf / (1 - b + b * doc_len / avgdl)
        return tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)


class BM25PlusScorer(_PostingScorer, BM25Plus):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25Plus without a corpus; a document lacking a query term still gets delta."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, delta: float | None = None) -> None:
        self.k1 = k1
        self.b = b
        self.delta = _default_of(BM25Plus, "delta") if delta is None else delta
        self.absent_weight = self.delta

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        return np.log((n_docs + 1) / df)

    def length_norm(self, doc_len: FloatArray, avgdl: float) -> FloatArray:
        k1, b = self.k1, self.b
        return k1 * (1 - b + b * doc_len / avgdl)

    def tf_weight_normed(self, tf: FloatArray, norm: FloatArray) -> FloatArray:
        # rank-bm25: idf * (delta + tf * (k1 + 1) / (k1 * (1 - b + b * doc_len / avgdl) + tf));
        # the delta part is absent_weight
        return tf * (self.k1 + 1) / (norm + tf)


class TfWeights:
    """The term-frequency weight (`tf_weight_normed`) of postings (their counts and slots), as
    after each change (the average length changes with it).

    In a collection of at least `TABLE_FROM` slots where every passage is at most `TABLED` terms
    long (rank-bm25's lengths: the sums of their counts, so that no count is longer either), the
    weight of each (count, length) pair is computed once, in a table (65,536 of them, 512 KB),
    and a posting's is read there at ``count << 8 | length``: no random read of an 8-byte norm
    per slot (1 byte a slot instead) and no arithmetic per posting. The table's weights are
    `tf_weight_normed` of the same values in the same operations, so the same bits. Otherwise
    each slot's `length_norm` is computed once, and the weights from it: a small collection
    reads few postings, and a bot holds thousands of them (1,000 collections of 200 passages
    took 652 KB each with a table, 165 KB without)."""

    TABLED = 255
    TABLE_FROM = 32_768  # slots: the norms' 8 bytes a slot weigh about what the table does

    def __init__(
        self, scorer: OkapiScorer | BM25LScorer | BM25PlusScorer, lengths: FloatArray, avgdl: float
    ) -> None:
        self.slots = lengths.size
        self._scorer = scorer
        self._norms: FloatArray | None = None
        self._lengths = np.zeros(0, np.uint8)
        self._table = np.zeros(0)
        if lengths.size < self.TABLE_FROM or lengths.max() > self.TABLED:
            self._norms = scorer.length_norm(lengths, avgdl)
            return
        self._lengths = lengths.astype(np.uint8)
        every = np.arange(self.TABLED + 1, dtype=np.float64)
        norms = scorer.length_norm(every, avgdl)
        counts = np.repeat(every, every.size)  # the table's row is the count, its column the length
        # a count of 0 or a length of 0 (0 / 0 where b = 1) is never read: a posting counts at
        # least once in a passage at least as long
        with np.errstate(divide="ignore", invalid="ignore"):
            self._table = scorer.tf_weight_normed(counts, np.tile(norms, every.size))

    def __call__(self, tfs: npt.NDArray[Any], slots: npt.NDArray[Any]) -> FloatArray:
        """The weights of postings with counts ``tfs`` in ``slots``."""
        if self._norms is not None:
            return self._scorer.tf_weight_normed(tfs.astype(np.float64), self._norms[slots])
        at = tfs.astype(np.intp)
        at <<= 8
        at |= self._lengths[slots]
        weights: FloatArray = self._table[at]
        return weights


def make_scorer(params: BM25Params) -> OkapiScorer | BM25LScorer | BM25PlusScorer:
    """The scorer for a variant and its parameters."""
    if params.variant == "okapi":
        return OkapiScorer(params.k1, params.b, params.epsilon)
    if params.variant == "l":
        return BM25LScorer(params.k1, params.b, params.delta)
    return BM25PlusScorer(params.k1, params.b, params.delta)
