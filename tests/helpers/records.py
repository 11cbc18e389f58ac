"""Records for store tests: an article, a passage of given term ids, a collection's postings."""

from __future__ import annotations

import numpy as np

from index.store import Store
from index.store.base import Articles, NewArticle, PostingsBatch
from index.store.columns import NewPassage, NewPassages


def article(text: str = "Some text.", collection: str = "c") -> NewArticle:
    return NewArticle(collection=collection, title="T", text=text, content_hash=text)


def passage(*term_ids: int) -> NewPassage:
    """A passage of the given term ids (default: the first new term, -1), each counted twice."""
    ids = np.array(term_ids or (-1,), np.int32)
    return NewPassage(0, 10, [(0, 10)], ids, np.full(ids.size, 2, np.int32))


def passages(*each: NewPassage) -> NewPassages:
    """An article's passages, as the stores take them."""
    return NewPassages.of(each)


def batch(n: int, start: int = 0, collection: str = "c") -> Articles:
    """`n` articles ("text <start>", ...), the i-th with i % 3 + 1 passages."""
    return [
        (article(f"text {i}", collection), passages(*[passage()] * (i % 3 + 1)))
        for i in range(start, start + n)
    ]


async def postings(store: Store, collection: str) -> PostingsBatch:
    """Every stored passage of a collection, its batches joined."""
    ids: list[int] = []
    terms: list[bytes] = []
    freqs: list[bytes] = []
    async for batch_ids, batch_terms, batch_freqs in store.load_postings(collection):
        ids += batch_ids
        terms += batch_terms
        freqs += batch_freqs
    return ids, terms, freqs
