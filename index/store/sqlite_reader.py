"""Reads an answer needs, made synchronously on the thread that computes it (no event-loop hop).

A question's candidate passages are read by one prepared query on a connection of the reader's
own (read-only, serialised by a lock), from the compute thread, between the search and the
quoting; the cheap test made before every question (`PRAGMA data_version`) is made on it too.
With WAL, readers never wait for a writer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from index.store.base import (
    ArticleInfo,
    PassageHead,
    StoredPassage,
    cuts_of_blob,
    spans_of_blob,
    stored_passage,
)
from index.store.sqlite_access import reader_connection

ARTICLE_COLUMNS = (
    "a.id, a.collection, a.title, a.url, a.author, a.published, a.site, a.source, a.added_by, "
    "a.added_at, (SELECT count(*) FROM passages p2 WHERE p2.article_id = a.id)"
)
# (no substr of the article at all for a passage without a heading: most of them)
PASSAGES = (
    'SELECT p.id, substr(a.text, p.start + 1, p."end" - p.start), p.start, p.sentences,'
    " p.cuts, CASE WHEN p.heading_start IS NOT NULL THEN"
    " substr(a.text, p.heading_start + 1, p.heading_end - p.heading_start) END, p.tokens,"
    f" {ARTICLE_COLUMNS} FROM passages p JOIN articles a ON a.id = p.article_id"
    " WHERE p.collection = ? AND p.id IN ({marks})"
)

# a candidate before it is quoted: the passages table only, an article's text read only for a
# heading, or for a passage without stored tokens (analysed when ranked)
HEADS = (
    'SELECT p.id, p.article_id, p.start, p."end", p.sentences, p.cuts, CASE WHEN'
    " p.heading_start IS NOT NULL THEN (SELECT substr(a.text, p.heading_start + 1,"
    " p.heading_end - p.heading_start) FROM articles a WHERE a.id = p.article_id) END, p.tokens,"
    ' CASE WHEN p.tokens IS NULL THEN (SELECT substr(a.text, p.start + 1, p."end" - p.start)'
    " FROM articles a WHERE a.id = p.article_id) END"
    " FROM passages p WHERE p.id IN ({marks}) AND +p.collection = ?"
)  # each row found by its id alone (`+`: not through the index on (collection, id), which
# made two searches a row)
# the text and article of a candidate that is quoted, read through its passage row: a refresh
# replaces an article's text in place and its passages with new ids in one transaction, so the
# passage still there means the text its spans were cut from
WHOLE = (
    f"SELECT substr(a.text, ?, ?), {ARTICLE_COLUMNS}"
    " FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id = ?"
)


def passage_rows(rows: Iterable[Sequence[Any]]) -> dict[int, StoredPassage]:
    """Rows of `PASSAGES` as stored passages, by id."""
    return {row[0]: stored_passage(row, ArticleInfo(*row[7:18])) for row in rows}


def passage_head(row: Sequence[Any]) -> PassageHead:
    """A row of `HEADS` as a passage's head."""
    sentences = spans_of_blob(row[4], row[2])
    cuts = cuts_of_blob(row[5], len(sentences))
    return PassageHead(row[0], row[1], row[2], row[3], sentences, cuts, row[6], row[7], row[8])


class SQLiteReader:
    """A connection of its own for the reads of answering, usable from any one thread at a
    time (a lock)."""

    def __init__(self, path: Path, read_only: bool) -> None:
        self._db = reader_connection(path, read_only)
        self._lock = threading.Lock()

    def version(self) -> int:
        """`PRAGMA data_version` on this connection: changes when any other connection (this
        process's writer included) commits."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def passages(self, collection: str, ids: Sequence[int]) -> dict[int, StoredPassage]:
        """The passages with these ids (in this collection), with text and article."""
        if not ids:
            return {}
        sql = PASSAGES.format(marks=",".join("?" * len(ids)))
        with self._lock:
            rows = self._db.execute(sql, (collection, *ids)).fetchall()
        return passage_rows(rows)

    def heads(self, collection: str, ids: Sequence[int]) -> dict[int, PassageHead]:
        """What ranking reads of these passages before quoting them (`PassageHead`)."""
        if not ids:
            return {}
        sql = HEADS.format(marks=",".join("?" * len(ids)))
        with self._lock:
            rows = self._db.execute(sql, (*ids, collection)).fetchall()
        return {row[0]: passage_head(row) for row in rows}

    def whole(self, head: PassageHead) -> StoredPassage | None:
        """The passage of `head` with its text and article (None if it is gone: removed, or
        its article refreshed)."""
        with self._lock:
            row = self._db.execute(
                WHOLE, (head.start + 1, head.end - head.start, head.id)
            ).fetchone()
        if row is None:
            return None
        article, h = ArticleInfo(*row[1:]), head
        return StoredPassage(
            h.id, row[0], h.start, h.sentences, article, h.cuts, h.heading, h.stored_tokens
        )

    def texts(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The whole text of each of these articles (those that still exist), by id."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, text FROM articles WHERE id IN ({marks})", list(article_ids)
            ).fetchall()
        return dict(rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()
