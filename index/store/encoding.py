"""An article's passages as the rows the stores write, their arrays encoded as blobs.

Encoding a 10 MB article's 20,000 passages held the event loop about 100 ms: the stores call
`encoded_passages` in a worker thread.
"""

from __future__ import annotations

from typing import Any

from index.store.base import NewArticle, Passages, cuts_blob, int32_blob, tokens_blob


def encoded_passages(passages: Passages, *before: object) -> list[tuple[Any, ...]]:
    """Each passage as the stores write it: `before`, then its place, start and end, sentences,
    term ids, counts, cuts, heading start and end, and tokens."""
    return [
        (
            *before,
            ord_,
            p.start,
            p.end,
            int32_blob([offset for span in p.sentences for offset in span]),
            int32_blob(p.term_ids),
            int32_blob(p.term_freqs),
            cuts_blob(p.cuts),
            *(p.heading or (None, None)),
            tokens_blob(p.tokens),
        )
        for ord_, p in enumerate(passages)
    ]


def article_values(article: NewArticle) -> tuple[object, ...]:
    """An article's collection, title, url, author, date, site, source, text and content hash,
    as both stores write them."""
    return (
        article.collection,
        article.title,
        article.url,
        article.author,
        article.date,
        article.site,
        article.source,
        article.text,
        article.content_hash,
    )
