"""Files and uploads to a `Document`: `read_file` (bytes from disk, size checked first),
`load_bytes` (bytes of a given kind) and `load_file` (both).

The kind of a document (text, Markdown, HTML, PDF) comes from its content type, else its name's
extension, else its first bytes. Every failure is an InputError with a one-line message that
names the file.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from urllib.parse import urlsplit

from index.errors import InputError
from index.ingest.clean import clean_text, normalise
from index.ingest.decode import decode
from index.ingest.document import Document
from index.ingest.html import extract_html
from index.ingest.markdown import clean_markdown
from index.ingest.pdf import extract_pdf
from index.web.messages import show, too_large
from index.web.pages import parse_content_type
from index.web.url import is_link

MAX_TEXT_BYTES = 10 * 1024 * 1024  # the default cap on an article's size

# The kinds of document read: by file extension, by media type, and what says nothing.
_SUFFIX_KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
_MIME_KINDS = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
_GENERIC_MIMES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)
_HTML_START = (b"<!doctype html", b"<html", b"<?xml")
_KINDS_HINT = "use .txt, .md, .html or .pdf"


@dataclass(frozen=True)
class RawDocument:
    """A document's bytes and what is known of them, to be read (`load_bytes`)."""

    data: bytes
    name: str  # a file name or a link: shown in messages, and its extension may tell the kind
    content_type: str | None = None  # a media type, or a whole Content-Type header
    charset: str | None = None  # declared apart from the content type (wins over the header's)
    max_bytes: int = MAX_TEXT_BYTES

    def load(self) -> Document:
        """The Document (`load_bytes`); an InputError when it cannot be read."""
        return load_bytes(
            self.data,
            self.name,
            self.content_type,
            charset=self.charset,
            max_bytes=self.max_bytes,
        )


def load_bytes(
    data: bytes,
    name: str,
    content_type: str | None = None,
    *,
    charset: str | None = None,
    max_bytes: int = MAX_TEXT_BYTES,
) -> Document:
    """Bytes of a file or upload -> Document, by content type or else file extension.

    `content_type` is a media type or a whole Content-Type header; `charset`, when given, is
    the declared charset and wins over the header's. .txt/.text: decoded and cleaned
    (`clean_text`); .md/.markdown: as text, headings kept (`clean_markdown`), the title from a
    leading '# Heading';
    .html/.htm/.xhtml: the article extracted (`extract_html`); .pdf: its text (`extract_pdf`).
    A name without extension is sniffed (PDF, HTML or text). The title comes from the document
    (metadata, a heading, a first line that looks like one), never from the file name: when it
    has none, it is None.
    """
    shown = show(name, keep_end=True)
    if len(data) > max_bytes:
        raise InputError(too_large(shown, max_bytes, len(data)))
    if not data.strip():
        raise InputError(f"{shown} is empty")
    mime, declared = parse_content_type(content_type)
    kind = _kind(name, mime or "", data)
    with _naming(shown):
        if kind == "pdf":
            return replace(extract_pdf(data), source=name)
        text = decode(data, charset or declared)
    if not normalise(text).strip():
        raise InputError(f"{shown} is empty")
    if kind == "html":
        with _naming(shown):
            return replace(extract_html(text), source=name)
    title, body = clean_markdown(text) if kind == "markdown" else clean_text(text)
    if not body.strip():
        raise InputError(f"{shown} is empty")
    return Document(title=title, text=body, source=name)


def read_file(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes, its size checked before it is read; every failure an InputError."""
    shown = show(path, keep_end=True)
    try:
        path = path.expanduser()
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{shown} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{shown} is not a regular file")
        if info.st_size > max_bytes:
            raise InputError(too_large(shown, max_bytes, info.st_size))
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # + 1: notice a file that grew since stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"file not found: {shown}") from None
    except PermissionError:
        raise InputError(f"cannot read {shown}: permission denied") from None
    except (OSError, ValueError) as err:  # ValueError: e.g. a NUL byte in the path
        reason = getattr(err, "strerror", None) or "invalid path"
        raise InputError(f"cannot read {shown}: {reason}") from None
    if len(data) > max_bytes:
        raise InputError(too_large(shown, max_bytes, len(data)))
    return data


def load_file(path: Path, *, max_bytes: int = MAX_TEXT_BYTES) -> Document:
    """Read a file -> Document, via `read_file` and `load_bytes`."""
    return load_bytes(read_file(path, max_bytes), path.name, max_bytes=max_bytes)


@contextmanager
def _naming(shown: str) -> Iterator[None]:
    """InputErrors raised inside name the file: 'photo.txt: this looks like a binary file'."""
    try:
        yield
    except InputError as err:
        raise InputError(f"{shown}: {err}") from err


def _kind(name: str, mime: str, data: bytes) -> str:
    """What a document is: its content type, else its name's extension, else its content.

    A link's extension (.php, .aspx, ...) says nothing about what the server sends, so a page
    without a content type is sniffed unless its extension is one we read.
    """
    if mime in _MIME_KINDS:
        return _MIME_KINDS[mime]
    link = is_link(name)
    suffix = PurePath(urlsplit(name).path if link else name).suffix.lower()
    if suffix in _SUFFIX_KINDS:
        return _SUFFIX_KINDS[suffix]
    if (link or not suffix) and mime in _GENERIC_MIMES:  # no hint: look at the content
        if data.startswith(b"%PDF-"):
            return "pdf"
        head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return "html" if head.startswith(_HTML_START) else "text"
    shown = show(suffix or mime, 40, keep_end=True)
    raise InputError(f"cannot read this kind of file ({shown}): {_KINDS_HINT}")
