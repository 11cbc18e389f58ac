"""Hostile input, through every way the library takes it: files and uploads (`add_bytes`),
links (`add_url`), documents built by callers (a JSONL line, Discord text: `add`) and
questions (`ask`). Each is added or refused with one clear line (an InputError), within a time
limit, and what was stored before is never changed.

The fixed corpus is `tests.helpers.hostile`; hypothesis adds random bytes, texts and
questions."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import AddResult
from index.errors import CitebotError, InputError
from index.ingest import Document, load_bytes, normalise
from index.library import Library, LibrarySettings
from index.web import FetchSettings
from tests.helpers.documents import LIGHTHOUSE, make_pdf
from tests.helpers.hostile import BIDI, PROSE, hostile_files
from tests.helpers.website import Site

TIME_LIMIT = 20.0  # the reader's limit here; a hostile file may use it, never more
SETTINGS = LibrarySettings(fetch=FetchSettings(allow_private=True), extract_time_limit=TIME_LIMIT)
KEEPER = "Who was the first keeper of the lighthouse?"
# Never stored, whatever came in: bidi controls, lone surrogates, NUL and other controls.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
CONTENT_TYPES = {".html": "text/html", ".xhtml": "application/xhtml+xml", ".pdf": "application/pdf"}

Snapshot = tuple[dict[int, tuple[Any, ...]], list[str]]


async def snapshot(library: Library) -> Snapshot:
    """Everything stored (each article's details and text) and the answer to a question."""
    articles = {}
    for info in await library.articles("c"):
        _, text = await library.get("c", info.id)
        articles[info.id] = (info.title, info.url, info.passages, text)
    answer = await library.ask("c", KEEPER)
    return articles, [r.passage for r in answer.results]


async def attempt(add: Callable[[], Awaitable[AddResult]]) -> AddResult | str:
    """What adding did: its result, or the message it was refused with (within the limit)."""
    try:
        async with asyncio.timeout(TIME_LIMIT + 10):
            return await add()
    except CitebotError as exc:
        return str(exc)


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message and len(message) < 300


async def check_outcome(
    library: Library, name: str, add: Callable[[], Awaitable[AddResult]]
) -> str:
    """Add one input: added (nothing stored before changed, nothing unstorable stored) or one
    line of refusal (nothing changed at all). Returns what happened, for the failure report."""
    before = await snapshot(library)
    outcome = await attempt(add)
    if not isinstance(outcome, AddResult):
        assert one_line(outcome), f"{name}: {outcome!r}"
        assert await snapshot(library) == before, f"{name} changed the library: {outcome}"
        return f"refused: {outcome}"
    result = outcome
    after = await snapshot(library)
    kept = {n: a for n, a in after[0].items() if n in before[0]}
    assert kept == before[0], f"{name} changed stored articles"
    if result.status == "duplicate":
        assert after[0] == before[0], name
    _, text = await library.get("c", result.article.id)
    assert not UNSTORABLE.search(text + (result.article.title or "")), name
    text.encode("utf-8")
    return result.status


async def test_every_hostile_file_is_added_or_refused_in_one_line(tmp_path: Path) -> None:
    """Random bytes, broken HTML and PDF, bombs, NUL, surrogates and bidi, as uploads."""
    async with Library.open(tmp_path / "lib.db", SETTINGS) as library:
        await library.add("c", Document(title="The northern light", text=PROSE))
        outcomes = {
            name: await check_outcome(
                library, name, lambda d=data, n=name: library.add_bytes("c", d, n)
            )
            for name, data in hostile_files()
        }
    assert outcomes["gzip-bomb.txt"].startswith("refused")
    assert outcomes["flate-bomb.pdf"].startswith("refused")
    assert outcomes["nested-100k.html"] == "duplicate"  # its paragraph is the stored article


async def test_every_hostile_page_is_added_or_refused_in_one_line(
    tmp_path: Path, site: Site
) -> None:
    """The same files served as web pages, with the content type their name suggests."""
    async with Library.open(tmp_path / "lib.db", SETTINGS) as library:
        await library.add("c", Document(title="The northern light", text=PROSE))
        for name, data in hostile_files():
            kind = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
            url = site.put(f"/{name}", data, kind)
            await check_outcome(library, name, lambda u=url: library.add_url("c", u))


# --- random input (hypothesis) -------------------------------------------------------------

NAMES = st.sampled_from(["a.txt", "a.md", "a.html", "a.pdf", "a.xhtml", "upload", "a.htm"])
TRICKY = st.text(
    alphabet=st.one_of(
        st.characters(),  # any code point, lone surrogates and controls included
        st.sampled_from(f"{BIDI}\u200b\u200c\u200d\ufeff\x00\r\n <>&;#*[]()"),
    ),
    max_size=300,
)
TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<script>", "<!--", "<title>", "&l;"])


@st.composite
def markup(draw: st.DrawFn) -> bytes:
    """HTML made of random tags, entities and text, sometimes around real prose."""
    parts = draw(st.lists(st.one_of(TAGS, TRICKY), max_size=40))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), f"<p>{PROSE}</p>")
    return "".join(parts).encode("utf-8", "surrogatepass")


@st.composite
def damaged_pdf(draw: st.DrawFn) -> bytes:
    """A real PDF with some bytes changed, cut short or both."""
    data = bytearray(make_pdf([LIGHTHOUSE], title="The light"))
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        TRICKY.map(lambda t: t.encode("utf-8", "surrogatepass")),
        TRICKY.map(lambda t: t.encode("utf-16", "surrogatepass")),
        markup(),
        damaged_pdf(),
    ),
    name=NAMES,
)
def test_any_bytes_are_read_or_refused_in_one_line(data: bytes, name: str) -> None:
    """Whatever the bytes and the name, reading gives a Document or one line of refusal."""
    refusal: str | None = None
    try:
        text = load_bytes(data, name).text
    except InputError as exc:
        text, refusal = "", str(exc)
    assert refusal is None or one_line(refusal)
    assert not UNSTORABLE.search(text)  # details (title, author) are normalised when added


@pytest.fixture
async def stocked(tmp_path: Path) -> Any:
    async with Library.open(tmp_path / "lib.db", SETTINGS) as library:
        await library.add("c", Document(title="The northern light", text=PROSE))
        yield library


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.one_of(st.none(), TRICKY), text=TRICKY, url=st.one_of(st.none(), TRICKY))
async def test_any_document_is_added_or_refused_in_one_line(
    stocked: Library, title: str | None, text: str, url: str | None
) -> None:
    """A document built by a caller (a JSONL line, Discord text) with any characters at all."""
    document = Document(title=title, text=text, url=url)
    await check_outcome(stocked, "a document", lambda: stocked.add("c", document))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=TRICKY)
async def test_any_question_is_answered_or_refused_in_one_line(
    stocked: Library, question: str
) -> None:
    """A question of any characters gets an answer (nothing unstorable in what it echoes), or,
    when nothing visible is left of it, "the question is empty"."""
    if not normalise(question).strip():
        with pytest.raises(InputError, match="empty"):
            await stocked.ask("c", question)
        return
    answer = await stocked.ask("c", question)
    assert not UNSTORABLE.search(answer.question + "".join(answer.unknown_words))
