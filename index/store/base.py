"""The store interface: the records a store keeps and returns, and the `Store` protocol.

SQL lives in the backends (`sqlite.py`); the library sees only this module. Writes that belong
together are one transaction inside a backend's method.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from index.analyzer import Token
from index.guilds import Shards
from index.passages import Span
from index.store.columns import NewPassages


@dataclass(frozen=True)
class ArticleInfo:
    """An article's metadata (not its text). `title` is None when the article has none."""

    id: int
    collection: str
    title: str | None
    url: str | None
    author: str | None
    date: str | None
    site: str | None
    source: str | None
    added_by: str | None
    added_at: str
    passages: int


@dataclass(frozen=True)
class FeedInfo:
    """A feed registered for a collection, with how its last poll went."""

    id: int
    collection: str
    url: str
    title: str | None
    added_by: str | None
    added_at: str
    last_polled: str | None
    last_error: str | None
    entries: int  # entries seen so far
    articles: int  # of which added as articles
    etag: str | None = None  # the validators of the last full read: an unchanged feed is
    last_modified: str | None = None  # then one small request (answered 304 Not Modified)


Validators = tuple[str | None, str | None]  # a feed's (ETag, Last-Modified), to ask if it changed


@dataclass(frozen=True)
class FeedEntry:
    """An entry of a feed, as seen: the article it became, or why it did not (yet). Stored
    in this order (`astuple`)."""

    key: str
    url: str | None
    article_id: int | None
    error: str | None
    attempts: int = 0  # failed tries so far
    retry_at: str | None = None  # when it may be tried (again); None: added, or given up


@dataclass(frozen=True)
class NewArticle:
    """An article ready to be written: text, metadata and its passages' stored form."""

    collection: str
    title: str | None
    text: str
    content_hash: str
    url: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    source: str | None = None
    added_by: str | None = None
    id: int | None = None  # given by the store, except when a library is copied
    added_at: str | None = None  # now, except when a library is copied


@dataclass(frozen=True)
class StoredPassage:
    """A passage as returned for an answer: its text, sentence spans relative to it, its article,
    which ends of its sentences cut them (one entry a sentence) and its heading's text."""

    id: int
    text: str
    start: int
    sentences: tuple[Span, ...]
    article: ArticleInfo
    cuts: tuple[int, ...] = ()
    heading: str | None = None
    stored_tokens: bytes | None = None  # `NewPassages.columns`; None: stored before tokens were
    tokens: Sequence[Token] | None = None  # as the ranking reads them; None: it analyses


@dataclass(frozen=True)
class PassageHead:
    """A candidate passage as read before it is quoted (`PassageReader.heads`): its article,
    its span of the article's text, its sentences (relative to it), which ends of them are cuts,
    its heading's text and stored tokens; its own text only where no tokens are stored (it is
    analysed then). Its text and article are read when it is quoted (`PassageReader.whole`)."""

    id: int
    article_id: int
    start: int
    end: int
    sentences: tuple[Span, ...]
    cuts: tuple[int, ...] = ()
    heading: str | None = None
    stored_tokens: bytes | None = None
    text: str | None = None


@dataclass(frozen=True)
class StoredArticle:
    """An article's id, collection, title and text, as read back for re-indexing."""

    id: int
    collection: str
    title: str | None
    text: str


def now(later: float = 0.0) -> str:
    """The time now (or `later` seconds from now) as stored (UTC, ISO 8601, to the second)."""
    return (datetime.now(UTC) + timedelta(seconds=later)).isoformat(timespec="seconds")


def int32_blob(values: Iterable[int] | np.ndarray) -> bytes:
    """Integers as stored: little-endian int32."""
    return np.asarray(values, dtype="<i4").tobytes()


def ints_of_blob(blob: bytes) -> list[int]:
    """Stored int32 values as Python ints."""
    return [int(i) for i in np.frombuffer(blob, dtype="<i4")]


_SPAN = struct.Struct("<ii")  # a stored (start, end) pair


def spans_of_blob(blob: bytes, offset: int = 0) -> tuple[Span, ...]:
    """Stored (start, end) int32 pairs as spans, shifted by -`offset` (read by `struct`: a
    third of numpy's time for the few sentences of a passage, which every answer reads)."""
    return tuple([(start - offset, end - offset) for start, end in _SPAN.iter_unpack(blob)])


def cuts_of_blob(blob: bytes | None, sentences: int) -> tuple[int, ...]:
    """Stored cut flags (`cuts_blob`) for a passage of `sentences` sentences."""
    return tuple(blob) if blob else (0,) * sentences


def stored_passage(row: Sequence[Any], article: ArticleInfo) -> StoredPassage:
    """A passage read back from a row (id, text, start, sentences, cuts, heading, tokens,
    ...)."""
    sentences = spans_of_blob(row[3], row[2])
    cuts = cuts_of_blob(row[4], len(sentences))
    return StoredPassage(row[0], row[1], row[2], sentences, article, cuts, row[5], row[6])


PostingsBatch = tuple[list[int], list[bytes], list[bytes]]  # passage ids, term ids, term counts
Passages = NewPassages
Terms = Sequence[str]  # terms the writer has no id for; its passages name them -1, -2, ...
Articles = Sequence[tuple[NewArticle, Passages]]  # articles to write at once, their passages
IdTerms = Sequence[tuple[int, str]]  # (id, term) pairs
Rebuilt = Sequence[tuple[int, str, Passages]]  # (article id, collection, its passages)
SettingsRead = Mapping[str, str | None]  # stored index settings, None where unset


@dataclass(frozen=True)
class Written:
    """What a committed write stored: the article, its passages as stored (every term id real)
    with their ids, the passages it replaced, and the ids the new terms were given. A
    `duplicate` wrote nothing: `article` is the one already stored with the same content."""

    article: ArticleInfo
    passage_ids: list[int]
    passages: NewPassages
    terms: list[tuple[int, str]]
    removed: list[int] = field(default_factory=list)
    duplicate: bool = False


@dataclass(frozen=True)
class Change:
    """One committed write as the change log keeps it: the passages it removed and added and
    the terms it created. `collection` None: every passage and the vocabulary were replaced."""

    seq: int
    collection: str | None
    removed: list[int]
    added: list[int]
    terms: list[int]


ImagePart = tuple[int, str, bytes]  # an image's seq and header, and one of its parts


class PassageReader(Protocol):
    """Synchronous reads for the thread that computes answers: no hop to the event loop
    between searching and quoting. A backend that reads only asynchronously has none."""

    def passages(self, collection: str, ids: Sequence[int]) -> dict[int, StoredPassage]:
        """As `Store.get_passages`."""

    def texts(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The whole text of each of these articles that still exists, by id."""
        ...

    def heads(self, collection: str, ids: Sequence[int]) -> dict[int, PassageHead]:
        """What ranking reads of these passages (in this collection) before quoting them: no
        article's text is read, but for a heading (or a passage without stored tokens)."""
        ...

    def whole(self, head: PassageHead) -> StoredPassage | None:
        """The passage of `head` with its text and article (None if its article is gone)."""
        ...


class Store(Protocol):
    """A database of articles, their passages (with terms), the vocabulary and feeds."""

    location: str  # what to call it in messages: a file's path, or a URL without its password
    read_only: bool  # opened read-only (the process may not write): every write is refused

    async def get_settings(self, keys: Sequence[str]) -> dict[str, str | None]:
        """The stored index settings named `keys` (None where unset), read at one moment."""
        ...

    async def load_vocabulary(self) -> dict[str, int]: ...

    async def get_terms(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        """The (id, term) pairs of these term ids."""
        ...

    # --- changes -------------------------------------------------------------------------

    async def version(self) -> int:
        """A number that changes when another process commits a write: the cheap test made
        before every question (SQLite's `data_version`)."""
        ...

    async def latest_change(self) -> int:
        """The newest change's number (0 when nothing was ever written)."""
        ...

    async def changes_since(self, seq: int) -> list[Change] | None:
        """Every change after `seq`, oldest first; None when the log no longer reaches back
        that far (old changes are dropped): the caller reloads instead."""
        ...

    # --- articles ------------------------------------------------------------------------

    async def find_by_hash(self, collection: str, content_hash: str) -> ArticleInfo | None: ...

    async def find_by_url(self, collection: str, url: str) -> ArticleInfo | None: ...

    async def insert_article(
        self, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        """Write an article, its passages and new terms at once (the terms get their ids
        inside the transaction: any number of processes may write at once); nothing if the
        collection already holds the same content (`duplicate`)."""
        ...

    async def insert_articles(self, articles: Articles, new_terms: Terms) -> list[Written]:
        """`insert_article` for many, in one transaction (bulk adding): one `Written` each."""

    async def replace_article(
        self, article_id: int, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        """Replace an article's text and passages at once (`removed`: the old passages)."""
        ...

    async def delete_article(
        self, collection: str, article_id: int
    ) -> tuple[ArticleInfo, list[int]]:
        """Delete an article and its passages; it and the deleted passage ids."""
        ...

    async def get_article(self, collection: str, article_id: int) -> ArticleInfo: ...

    async def get_text(self, article_id: int) -> str: ...

    async def list_articles(self, collection: str) -> list[ArticleInfo]: ...

    async def list_collections(self) -> list[str]:
        """Every collection that holds (or held) articles or feeds."""
        ...

    # --- feeds ---------------------------------------------------------------------------

    async def add_feed(
        self, collection: str, url: str, title: str | None, added_by: str | None
    ) -> FeedInfo: ...

    async def list_feeds(
        self, collection: str | None = None, shards: Shards | None = None
    ) -> list[FeedInfo]:
        """The feeds of a collection (or of every one); with `shards`, only those of the
        servers on these shards (by the server id the collection carries)."""
        ...

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo: ...

    async def seen_entries(self, feed_id: int) -> set[str]: ...

    async def list_entries(self, feed_id: int) -> list[FeedEntry]:
        """A feed's entries seen so far, oldest first."""
        ...

    async def claim_entry(self, feed_id: int, key: str, url: str | None, hold: str) -> bool:
        """Take a feed entry to add it: a new one, or one whose retry is due. It is held until
        `hold` (a time as `now` gives it): others skip it meanwhile, and if this poller dies it
        is tried again then. False when it is added, given up, waiting or held by another
        poller (the entry's key is unique per feed), so that no entry is added twice."""
        ...

    async def record_entry(self, feed_id: int, entry: FeedEntry) -> None:
        """Keep what became of an entry (written whole, over what was there)."""
        ...

    async def record_poll(
        self,
        feed_id: int,
        title: str | None,
        error: str | None,
        validators: Validators | None = None,
    ) -> None:
        """Keep how a poll went: a new `title` (None keeps it), the error, and the feed's new
        `(etag, last_modified)` when it was read in full (None keeps them)."""
        ...

    # --- passages ------------------------------------------------------------------------

    def load_postings(self, collection: str) -> AsyncIterator[PostingsBatch]:
        """Every passage of a collection, in batches (to keep start-up's memory peak low)."""

    async def get_postings(self, collection: str, ids: Sequence[int]) -> PostingsBatch:
        """The stored terms of these passages (those that still exist), as `load_postings`."""

    async def count_passages(self, collection: str) -> int:
        """How many passages the collection holds (counted on an index: 40 ms at a million)."""
        ...

    async def get_passages(
        self, collection: str, ids: Sequence[int]
    ) -> dict[int, StoredPassage]: ...

    def reader(self) -> PassageReader | None:
        """The synchronous reader of answers, if this backend has one."""
        ...

    # --- saved index images (`index.images`) -------------------------------------------------

    def load_image(self, collection: str) -> AsyncGenerator[ImagePart, None]:
        """The collection's saved image, part after part, all from one snapshot (nothing if
        it has none)."""

    async def save_image(
        self, collection: str, seq: int, header: str, parts: Sequence[bytes | memoryview]
    ) -> bool:
        """Save an image reflecting the changes up to `seq` as the collection's, unless the
        one stored is more recent (one as recent is replaced: it may be corrupt); whether it
        was kept. The parts are written first, a few per transaction, so that other writers
        wait little; the image is the collection's only once all are. Any other image's parts
        of the collection are dropped then."""
        ...

    def iter_articles(self) -> AsyncIterator[StoredArticle]: ...

    async def replace_index(
        self, old: SettingsRead, new: dict[str, str], terms: IdTerms, rebuilt: Rebuilt
    ) -> bool:
        """Replace every passage and the whole vocabulary (a settings change), atomically, if
        the stored settings are still `old` and the articles still those rebuilt; else change
        nothing and say so (another process re-indexed or wrote meanwhile)."""
        ...
