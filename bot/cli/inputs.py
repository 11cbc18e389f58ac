"""What `citebot add` reads: links, files, and the lines of a JSONL file, each an `Input`
that adds itself to a library (read lazily: a bad line fails alone, when its turn comes)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from index import AddResult, CitebotError, Document, InputError, Library, is_link, normalize_url

Adder = Callable[[Library, str], Awaitable[AddResult]]  # (library, collection) -> result


@dataclass(frozen=True)
class Input:
    """One thing to add, named as the user gave it; `place` (a JSONL line's `file:line`) is
    put before its error when it fails."""

    name: str
    add: Adder
    place: str | None = None
    document: Callable[[], Document] | None = None  # a JSONL line's: added in bulk


def one_input(arg: str) -> Input:
    """A command-line argument: a link to fetch or a file to read."""
    if is_link(arg, any_scheme=True):
        return Input(arg, lambda library, collection: library.add_url(collection, arg, "cli"))
    path = Path(arg)
    return Input(arg, lambda library, collection: library.add_file(collection, path, "cli"))


def jsonl_inputs(path: Path) -> Iterator[Input]:
    """Each non-blank line of a JSONL file, named `file:line`; a line is read when its turn
    comes, so a bad one (not UTF-8, not JSON, no text, a bad link) fails alone."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {(exc.strerror or 'error').lower()}") from None
    # Split at newlines only: str.splitlines would also split at U+2028 inside a JSON string.
    for number, line in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), 1):
        if line.strip():
            where = f"{path}:{number}"
            yield Input(
                where, _jsonl_adder(line, where), where, partial(jsonl_document, line, where)
            )


def _jsonl_adder(line: bytes, where: str) -> Adder:
    async def add(library: Library, collection: str) -> AddResult:
        return await library.add(collection, jsonl_document(line, where), added_by="cli")

    return add


def bulk_documents(inputs: Sequence[Input]) -> Iterator[Document | CitebotError]:
    """Each JSONL input's document, or why it cannot be read (in its place), one by one."""
    for item in inputs:
        assert item.document is not None
        try:
            yield item.document()
        except CitebotError as exc:
            yield exc


def jsonl_document(line: bytes, source: str) -> Document:
    """One JSONL line as a Document; an InputError saying what is wrong with it."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        byte = f"{line[exc.start]:#04x}"
        raise InputError(f"not UTF-8 (byte {byte} at column {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise InputError('not an object with a "text" string')
    title, url = obj.get("title"), obj.get("url")
    if title is not None and not isinstance(title, str):
        raise InputError('"title" must be a string')
    if url is not None and not (isinstance(url, str) and is_link(url)):
        raise InputError('"url" must be an http or https link')
    for name, value in (("text", obj["text"]), ("title", title), ("url", url)):
        if value is not None and not _encodable(value):
            raise InputError(f'"{name}" holds an invalid character (a lone surrogate)')
    url = normalize_url(url) if url is not None else None
    return Document(title=title or None, text=obj["text"], url=url, source=source)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
