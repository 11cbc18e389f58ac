"""What `citebot add` reads: links, files, and the lines of a JSONL file, each an `Input`
that adds itself to a library (read lazily: a bad line fails alone, when its turn comes)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index import AddResult, Document, InputError, Library, is_link

Adder = Callable[[Library, str], Awaitable[AddResult]]  # (library, collection) -> result


@dataclass(frozen=True)
class Input:
    """One thing to add, named as the user gave it."""

    name: str
    add: Adder


def one_input(arg: str) -> Input:
    """A command-line argument: a link to fetch or a file to read."""
    if is_link(arg, any_scheme=True):
        return Input(arg, lambda library, collection: library.add_url(collection, arg, "cli"))
    path = Path(arg)
    return Input(arg, lambda library, collection: library.add_file(collection, path, "cli"))


def jsonl_inputs(path: Path) -> Iterator[Input]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield Input(f"{path}:{number}", _jsonl_adder(line, f"{path}:{number}"))


def _jsonl_adder(line: str, where: str) -> Adder:
    async def add(library: Library, collection: str) -> AddResult:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(f"{where} is not valid JSON: nested too deeply") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f'{where} needs an object with a "text" string')
        title, url = obj.get("title"), obj.get("url")
        if title is not None and not isinstance(title, str):
            raise InputError(f'{where}: "title" must be a string')
        if url is not None and not isinstance(url, str):
            raise InputError(f'{where}: "url" must be a string')
        document = Document(title=title or None, text=obj["text"], url=url, source=where)
        return await library.add(collection, document, added_by="cli")

    return add
