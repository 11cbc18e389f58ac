"""Where documents come from: files, uploads, web pages and feeds (see the README's map).

`Sources` owns the resources that reading needs, one of each for the library's lifetime: the
reader child process (documents are parsed there, with a time limit) and the HTTP session (its
connector enforces the SSRF guard). The library calls it and never sees either.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from index.analyzer import Analyzer
from index.errors import InputError
from index.indexing import Analysed, Preparation
from index.ingest import Document, RawDocument, decode, read_file
from index.ingest.reader import Reader
from index.store.base import NewArticle
from index.web import Fetched, FetchSettings, ParsedFeed, discover_feed, normalize_url, parse_feed

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

Progress = Callable[[str], Awaitable[None]]  # told short steps: "fetching", "indexing", ...


async def report(progress: Progress | None, step: str) -> None:
    if progress is not None:
        await progress(step)


class Sources:
    """Reads documents from bytes, files and links; close it when done."""

    def __init__(self, fetch_settings: FetchSettings, time_limit: float) -> None:
        self.settings = fetch_settings
        self._reader = Reader(time_limit)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        await self._reader.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def read_bytes(self, data: bytes, name: str, content_type: str | None = None) -> Document:
        """A file's or upload's bytes as a Document (.txt, .md, .html, .pdf).

        `content_type` is the upload's media type or whole Content-Type header, if any.
        """
        return await self._read(data, name, content_type, None)

    async def read_file(self, path: Path) -> Document:
        """A file from disk (its size checked before it is read)."""
        data = await asyncio.to_thread(read_file, path, self.settings.max_bytes)
        return await self._read(data, path.name, None, None)

    async def prepare(self, job: Preparation, analyzer: Analyzer) -> tuple[Analysed, NewArticle]:
        """An article analysed: in a thread with `analyzer`, or in the reader child when it is
        large (see `Preparation`), where it costs this process's event loop nothing."""
        if not job.large:
            return await asyncio.to_thread(job.prepared, analyzer)
        title = job.document.title or "the article"
        prepared: tuple[Analysed, NewArticle] = await self._reader.run(job, title, "analysing")
        return prepared[0], job.with_text(prepared[1])

    async def fetch(
        self, url: str, validators: tuple[str | None, str | None] = (None, None)
    ) -> Fetched:
        """A page, fetched safely (see `index.web.fetch`) over the one session. The first one
        imports `index.web.fetch` (and aiohttp: 0.1 s) in a thread, not on the event loop."""
        web = sys.modules.get("index.web.fetch")
        if web is None:
            web = await asyncio.to_thread(importlib.import_module, "index.web.fetch")
        if self._session is None or self._session.closed:
            self._session = web.make_session(self.settings)
        fetched: Fetched = await web.fetch(self._session, url, self.settings, validators)
        return fetched

    async def fetch_document(self, url: str, progress: Progress | None = None) -> Document:
        """A page's article; the Document's url is its canonical link, its source the page."""
        await report(progress, "fetching")
        page = await self.fetch(url)
        await report(progress, "extracting")
        document = await self._read(page.data, page.url, page.content_type, page.charset)
        canonical = page.url
        if document.url:
            try:
                canonical = normalize_url(document.url)
            except InputError:
                log.info("ignoring the canonical link %r of %s", document.url, page.url)
        return replace(document, url=canonical, source=page.url)

    async def read_feed(
        self, url: str, validators: tuple[str | None, str | None] = (None, None)
    ) -> tuple[ParsedFeed | None, Fetched]:
        """The feed at `url` and the page it came in; None for the feed when the server says
        it did not change since it had these `validators`; an InputError if it no longer
        serves a feed."""
        page = await self.fetch(url, validators)
        if page.not_modified:
            return None, page
        parsed = await asyncio.to_thread(parse_feed, page.data)
        if parsed is None:
            raise InputError("this link no longer serves an RSS or Atom feed")
        return parsed, page

    async def find_feed(self, url: str) -> tuple[str, ParsedFeed]:
        """The feed at `url`, or the one a page at `url` links to: (its url, the feed)."""
        page = await self.fetch(normalize_url(url))
        parsed = await asyncio.to_thread(parse_feed, page.data)
        if parsed is None:
            html = await asyncio.to_thread(decode, page.data, page.charset)
            link = discover_feed(html, page.url)
            if link is None:
                raise InputError("no RSS or Atom feed found at that link")
            page = await self.fetch(normalize_url(link))
            parsed = await asyncio.to_thread(parse_feed, page.data)
            if parsed is None:
                raise InputError(f"the page links to a feed that cannot be read: {page.url}")
        return page.url, parsed

    async def _read(
        self, data: bytes, name: str, content_type: str | None, charset: str | None
    ) -> Document:
        """Bytes read in the reader child, with the media type and charset known, if any."""
        max_bytes = self.settings.max_bytes
        return await self._reader.read(RawDocument(data, name, content_type, charset, max_bytes))
