"""`Document`: an article as read from a file, an upload, pasted text or a web page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """An article ready to be indexed; `title` is None when it has none (shown as "Untitled")."""

    title: str | None
    text: str  # the article's main text: paragraphs separated by one blank line ("\n\n")
    url: str | None = None
    author: str | None = None
    date: str | None = None  # ISO date when known
    site: str | None = None
    source: str | None = None  # where it came from, e.g. the file name
