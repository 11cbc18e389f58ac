"""Copying a library between backends: everything arrives, numbers kept, twice is once."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from index.errors import StorageError
from index.ingest import Document
from index.library import Library
from index.settings import LibrarySettings
from index.web import FetchSettings
from tests.helpers.databases import query
from tests.helpers.documents import LIGHTHOUSE, page, rss
from tests.helpers.postgres import PostgresServer
from tests.helpers.website import Site

SETTINGS = LibrarySettings(fetch=FetchSettings(allow_private=True))
QUESTIONS = ["Who was the first keeper?", "When do otters sleep?", "What do herons do?"]


async def _fill(library: Library, site: Site) -> None:
    """Two collections, a removed article (a gap in the numbers), a feed with a seen entry."""
    await library.add("c", Document("Otters", "Sea otters hold hands while they sleep."))
    await library.add("c", Document("Gone", "This article is removed again."))
    await library.add("guild:81384788765712384", Document("Herons", "Herons stand still."))
    await library.remove("c", 2)
    story = site.put("/light", page("Northern light", LIGHTHOUSE))
    feed = site.put("/feed.xml", rss([("Light", story)]), "application/rss+xml")
    await library.add_feed("c", feed)
    await library.poll_feeds()


async def _snapshot(library: Library) -> tuple[object, ...]:
    collections = await library.collections()
    articles = [(a.id, a.collection, a.title, a.added_at, a.passages) for c in collections
                for a in await library.articles(c)]  # fmt: skip
    feeds = [(f.collection, f.url, f.entries, f.articles) for c in collections
             for f in await library.feeds(c)]  # fmt: skip
    answers = [[(r.article.id, r.quote) for r in (await library.ask(c, q)).results]
               for c in collections for q in QUESTIONS]  # fmt: skip
    return collections, articles, feeds, answers


@pytest.mark.parametrize("direction", ["sqlite to postgres", "postgres to sqlite"])
async def test_a_copy_holds_everything_and_a_second_run_copies_nothing(
    direction: str, tmp_path: Path, postgres: PostgresServer, site: Site
) -> None:
    """Articles with their numbers and dates, passages, feeds and seen entries arrive; the
    answers are the same; running it again copies nothing; the next article gets a new
    number (the removed one's is not given again)."""
    file, url = str(tmp_path / "lib.db"), postgres.new_database()
    source, target = (file, url) if direction == "sqlite to postgres" else (url, file)
    async with Library.open(source, SETTINGS) as original, Library.open(target) as copy:
        await _fill(original, site)
        first = await original.copy_to(copy)
        again = await original.copy_to(copy)
        assert await _snapshot(copy) == await _snapshot(original)
        assert (first.copied, first.present, first.feeds) == (3, 0, 1)
        assert (again.copied, again.present) == (0, 3)
        assert first.counts == {"c": (2, 2, 1), "guild:81384788765712384": (1, 1, 0)}
        assert await copy.feeds("c") and not (await copy.poll_feeds())[0].added
        added = await copy.add("c", Document("New", "A new article after the copy."))
    assert added.article.id == 5


async def test_a_copy_into_a_library_with_other_articles_is_refused(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    """The target already numbers another article #1: one line, and nothing copied."""
    async with (
        Library.open(tmp_path / "lib.db") as original,
        Library.open(postgres.new_database()) as other,
    ):
        await original.add("c", Document("Otters", "Sea otters hold hands while they sleep."))
        await other.add("c", Document("Herons", "Herons stand still in shallow water."))
        with pytest.raises(StorageError, match=r"already holds another article #1 .* empty"):
            await original.copy_to(other)
        assert [a.title for a in await other.articles("c")] == ["Herons"]


_FILL = """
import asyncio, sys
from index import Document, Library

async def main():
    async with Library.open(sys.argv[1]) as library:
        for n in range(int(sys.argv[2])):
            words = " ".join(f"word{n}x{i}" for i in range(300))
            await library.add("c", Document(title=f"Article {n}", text=f"{words}."))

asyncio.run(main())
"""


def test_an_interrupted_copy_leaves_whole_articles_and_a_rerun_finishes_it(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    """`citebot copy` killed (-9) part way: the target holds whole articles only; the same
    command again completes the copy."""
    source, target = str(tmp_path / "lib.db"), postgres.new_database()
    subprocess.run([sys.executable, "-c", _FILL, source, "60"], check=True, timeout=300)
    citebot = [str(Path(sys.executable).parent / "citebot"), "--db", source, "copy", "--to"]
    copying = subprocess.Popen([*citebot, target], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _articles_in(target) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    copying.send_signal(signal.SIGKILL)
    copying.wait()
    half = _articles_in(target)
    assert 10 <= half < 60
    orphans = "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM passages)"
    assert query(target, orphans) == [(0,)]
    done = subprocess.run([*citebot, target], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"copied {60 - half} articles ({half} were there already)")
    assert _articles_in(target) == 60


def _articles_in(location: str) -> int:
    try:
        return int(query(location, "SELECT count(*) FROM articles")[0][0])
    except asyncpg.UndefinedTableError:  # not migrated yet
        return 0
