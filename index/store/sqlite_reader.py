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

from index.store.base import ArticleInfo, StoredPassage, stored_passage
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


def passage_rows(rows: Iterable[Sequence[Any]]) -> dict[int, StoredPassage]:
    """Rows of `PASSAGES` as stored passages, by id."""
    return {row[0]: stored_passage(row, ArticleInfo(*row[7:18])) for row in rows}


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
