"""`/article add, list, show, remove` (bot/exts/articles.py), against simcord."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
import simcord
from discord import app_commands

from bot.app import ASK_PER
from bot.errors import NotCurator
from bot.exts.articles import TEXT_MAX
from index import Document, InputError
from index.store import sqlite_access
from tests.helpers.documents import LIGHTHOUSE, make_pdf, page
from tests.helpers.world import ADMIN_ROLE, World

OTTERS = (
    "Otters in the Bay\n\n"
    "Sea otters hold hands while they sleep so that they do not drift apart. "
    "A group of resting otters is called a raft, and a raft can number a hundred animals."
)


async def article_command(world: World) -> app_commands.AppCommand:
    """/article as Discord has it registered."""
    registered = await world.env.bot.tree.fetch_commands()
    return next(c for c in registered if c.name == "article")


async def allow_everyone(world: World) -> None:
    """Let every member see /article (a server admin can do this in Integrations)."""
    command = await article_command(world)
    world.guild.set_command_permissions(command, {world.guild.default_role: True})


# --- add -----------------------------------------------------------------------------------


async def test_add_text_reports_the_article_and_its_passages(world: World) -> None:
    """/article add text: the reply, edited in place, names the article and its passages."""
    result = await world.curator.slash(world.channel, "article add", text=OTTERS)
    assert result.ephemeral and result.response is not None
    content = result.response.content
    assert content.startswith("\N{WHITE HEAVY CHECK MARK} Added `#1` Otters in the Bay")
    assert "(1 passage)" in content
    assert [a.title for a in await world.library.articles(world.collection)] == [
        "Otters in the Bay"
    ]


async def test_add_same_text_twice_says_already_in_the_library(world: World) -> None:
    """Adding the same text again reports it is already there, without a second copy."""
    await world.curator.slash(world.channel, "article add", text=OTTERS)
    again = await world.curator.slash(world.channel, "article add", text=OTTERS)
    assert again.response is not None
    assert "Already in the library: `#1` Otters in the Bay" in again.response.content
    assert len(await world.library.articles(world.collection)) == 1


async def test_add_file_reads_the_attachment(world: World) -> None:
    """/article add file: a .md attachment is read and added under its heading."""
    data = b"# Lighthouse notes\n\n" + " ".join(LIGHTHOUSE).encode()
    result = await world.curator.slash(world.channel, "article add", file=("notes.md", data))
    assert result.response is not None
    assert "Added `#1` Lighthouse notes" in result.response.content


async def test_add_pdf_file_reads_its_text(world: World) -> None:
    """/article add file: a PDF attachment is read (in a worker process) and added."""
    pdf = make_pdf([LIGHTHOUSE], title="The Northern Light")
    result = await world.curator.slash(world.channel, "article add", file=("light.pdf", pdf))
    assert result.response is not None
    assert "Added `#1` The Northern Light" in result.response.content


async def test_add_unreadable_file_says_why(world: World) -> None:
    """A file of an unsupported kind is refused with the library's one-line reason."""
    result = await world.curator.slash(
        world.channel, "article add", file=("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    )
    assert result.response is not None
    content = result.response.content
    assert content.startswith("\N{CROSS MARK} Not added: ")
    assert "png" in content
    assert not await world.library.articles(world.collection)


async def test_add_url_fetches_the_page(world: World, site) -> None:
    """/article add url: the page is fetched, its article extracted and added with its link."""
    url = site.put("/lighthouse", page("The Northern Light", LIGHTHOUSE))
    result = await world.curator.slash(world.channel, "article add", url=url)
    assert result.response is not None
    assert "Added `#1` [The Northern Light](<http://127.0.0.1" in result.response.content
    [article] = await world.library.articles(world.collection)
    assert article.url == url


async def test_add_url_shows_its_progress_in_the_same_message(world: World, site) -> None:
    """While adding a link, the first reply is edited with each step before the outcome."""
    url = site.put("/lighthouse", page("The Northern Light", LIGHTHOUSE))
    await world.curator.slash(world.channel, "article add", url=url)
    edits = [
        r.json["content"]
        for r in world.env.http_requests
        if r.method == "PATCH" and r.path.endswith("/messages/@original")
    ]
    steps = [e for e in edits if e.startswith("\N{HOURGLASS WITH FLOWING SAND}")]
    assert any("Fetching the page" in e for e in steps)
    assert any("Indexing" in e for e in steps)
    assert edits[-1].startswith("\N{WHITE HEAVY CHECK MARK} Added")


async def test_add_url_that_fails_says_why(world: World, site) -> None:
    """A link that cannot be fetched is reported with the library's one-line reason."""
    result = await world.curator.slash(world.channel, "article add", url=site.base + "/gone")
    assert result.response is not None
    content = result.response.content
    assert content.startswith("\N{CROSS MARK} Not added: ") and "404" in content
    assert not await world.library.articles(world.collection)


@pytest.fixture
def short_busy_timeout() -> Iterator[None]:
    """Libraries opened meanwhile wait 0.2 s, not 10 s, for another process's write."""
    with mock.patch.object(sqlite_access, "BUSY_TIMEOUT", 0.2):
        yield


async def test_add_while_another_process_writes_too_long_says_busy(
    short_busy_timeout: None, world: World
) -> None:
    """Another process holding the library's write lock past the busy timeout: the reply says
    the library is busy and to try again; once it is free, the same add works."""
    other = sqlite3.connect(world.library.location, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process, writing
    try:
        busy = await world.curator.slash(world.channel, "article add", text=OTTERS)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert busy.response is not None
    assert "the library is busy: another process is writing; try again" in busy.response.content
    again = await world.curator.slash(world.channel, "article add", text=OTTERS)
    assert again.response is not None and "Added `#1`" in again.response.content


async def test_add_with_several_sources_is_refused(world: World) -> None:
    """Giving both a url and a text is refused privately: one source at a time."""
    result = await world.curator.slash(
        world.channel, "article add", url="https://example.com/", text=OTTERS
    )
    assert result.ephemeral and result.response is not None
    assert "one of url, file or text" in result.response.content
    simcord.assert_error(world.env, contains="one of url")


async def test_add_without_options_opens_a_modal_for_pasting(world: World) -> None:
    """/article add with no option opens a modal; submitting it adds the pasted article."""
    shown = await world.curator.slash(world.channel, "article add")
    assert shown.modal is not None
    submitted = await world.curator.submit_modal(
        shown, {"title": "Raft facts", "text": OTTERS.split("\n\n", 1)[1]}
    )
    assert submitted.response is not None
    assert "Added `#1` Raft facts" in submitted.response.content


async def test_pasted_text_without_a_title_is_untitled(world: World) -> None:
    """Text whose first line is no title is added without one, and shown as "Untitled"."""
    body = OTTERS.split("\n\n", 1)[1]
    result = await world.curator.slash(world.channel, "article add", text=body)
    assert result.response is not None
    assert "Added `#1` Untitled" in result.response.content
    [article] = await world.library.articles(world.collection)
    assert article.title is None


async def test_text_with_a_lone_surrogate_and_bidi_controls_is_added_cleanly(
    world: World,
) -> None:
    """A lone surrogate in the text option is added (not "Something went wrong"), and bidi
    controls reach neither the stored text nor the answer to a question."""
    text = OTTERS.replace("hold hands", "hold\ud800 \u202ehands\u202c") + " \u2067Rafts\u2069."
    added = await world.curator.slash(world.channel, "article add", text=text)
    assert added.response is not None
    assert "Added `#1` Otters in the Bay" in added.response.content
    [article] = await world.library.articles(world.collection)
    _info, stored = await world.library.get(world.collection, article.id)
    assert "\ufffd" in stored and not any(c in stored for c in "\u202e\u202c\u2067\u2069")
    asked = await world.member.slash(world.channel, "ask", question="rafts \u202ehands\u202c?")
    assert asked.response is not None
    assert "hands" in asked.response.content
    assert not any(c in asked.response.content for c in "\u202e\u202c\u2067\u2069\ud800")


async def test_text_option_takes_the_samples_headline_as_its_title(
    world: World, shared: Path
) -> None:
    """The sample pasted into the text option (one line: Discord's options drop line breaks)
    is titled with its headline, not "Untitled", and its text starts at the first sentence."""
    raw = (shared / "samples/china-russia-article.txt").read_text(encoding="utf-8")
    result = await world.curator.slash(world.channel, "article add", text=" ".join(raw.split()))
    assert result.response is not None
    headline = raw.splitlines()[0].strip()
    assert f"Added `#1` {headline}" in result.response.content
    [article] = await world.library.articles(world.collection)
    _info, stored = await world.library.get(world.collection, article.id)
    assert article.title == headline
    assert stored.startswith("The relationship between China and Russia")


HOSTILE_TEXTS = [
    "\ud800" * 50,
    "Otters\x00 hold\x00 hands.",
    "\u202e\u2066\u2069" * 100,
    "\u200b\u200d\ufeff" * 100,
    "[" * 6000,
    "<script>alert(1)</script>" * 100,
    "@everyone <@&123> ||spoiler|| `code` **bold** " * 40,
    "?",
    "\x1b[31m red \x1b[0m" * 100,
]


async def test_hostile_text_is_added_or_refused_never_something_went_wrong(
    world: World,
) -> None:
    """Whatever the text (surrogates, NUL, bidi or invisible only, markup, mentions), the
    reply says it was added or why not, and asking about it answers: never "Something went
    wrong"."""
    for text in HOSTILE_TEXTS:
        added = await world.curator.slash(world.channel, "article add", text=text)
        assert added.response is not None
        content = added.response.content
        assert "Added" in content or "Not added" in content, (text[:20], content)
        assert "went wrong" not in content, (text[:20], content)
        asked = await world.member.slash(world.channel, "ask", question=text[:200])
        assert asked.response is not None
        assert "went wrong" not in asked.response.content, (text[:20], asked.response.content)
        await world.env.advance_time(ASK_PER)  # past the rate limit: ask the next at once
    # the only errors the bot met were the user's ("the question is empty")
    assert all(isinstance(getattr(e, "original", e), InputError) for e in world.env.errors)


async def test_text_option_allows_discords_maximum(world: World) -> None:
    """The text option accepts up to 6,000 characters (Discord's limit for an option)."""
    command = await article_command(world)
    add = next(o for o in command.options if o.name == "add")
    assert isinstance(add, app_commands.AppCommandGroup)
    text = next(o for o in add.options if o.name == "text")
    assert isinstance(text, app_commands.Argument)
    assert text.max_length == TEXT_MAX == 6000


# --- who may curate ------------------------------------------------------------------------


async def test_member_without_permission_cannot_see_article_commands(world: World) -> None:
    """By default, /article is hidden from members without Manage Server."""
    with pytest.raises(simcord.SetupError, match="not visible"):
        await world.member.slash(world.channel, "article add", text=OTTERS)


async def test_bot_refuses_to_add_for_a_member_without_permission(world: World) -> None:
    """Even where a server lets everyone see /article, the bot refuses to add for a member."""
    await allow_everyone(world)
    result = await world.member.slash(world.channel, "article add", text=OTTERS)
    assert result.ephemeral and result.response is not None
    assert "Only members with the Manage Server permission or the Librarians role" in (
        result.response.content
    )
    simcord.assert_error(world.env, NotCurator)
    assert not await world.library.articles(world.collection)


async def test_admin_role_may_add(world: World) -> None:
    """A member with the configured admin role (and no Manage Server) can add."""
    await allow_everyone(world)
    role = world.guild.create_role(ADMIN_ROLE)
    librarian = world.guild.add_member(world.env.create_user("librarian"), roles=[role])
    result = await librarian.slash(world.channel, "article add", text=OTTERS)
    assert result.response is not None and "Added `#1`" in result.response.content


# --- list, show ----------------------------------------------------------------------------


async def test_list_pages_through_the_articles(world: World) -> None:
    """/article list shows ten articles a page; Next shows the rest."""
    for n in range(1, 13):
        await world.add(f"Article number {n}", f"Sentence {n} about lighthouses and keepers.")
    listed = await world.curator.slash(world.channel, "article list")
    assert listed.ephemeral and listed.response is not None
    first = listed.response.content
    assert "**12 articles**" in first and "Page 1 of 2" in first
    assert "Article number 10" in first and "Article number 11" not in first
    await world.curator.click(listed.response, label="Next")
    second = listed.response.message.content
    assert "Page 2 of 2" in second and "Article number 12" in second


async def test_list_shows_every_article_however_long_their_titles(world: World) -> None:
    """Ten articles with long titles and links: no article is left off a page (#9 and #10
    were cut off page 1 before, and page 2 began at #11)."""
    for n in range(1, 13):
        url = f"https://example.com/{n}/" + "a" * 400
        await world.add(f"Article number {n} " + "x" * 80, f"Sentence {n} about keepers.", url)
    listed = await world.curator.slash(world.channel, "article list")
    assert listed.response is not None
    seen = listed.response.content
    while "`#12`" not in listed.response.message.content:
        await world.curator.click(listed.response, label="Next")
        seen += listed.response.message.content
    assert all(f"`#{n}` " in seen for n in range(1, 13))


async def test_list_of_an_empty_library_says_how_to_add(world: World) -> None:
    """/article list with no articles says how to add one."""
    listed = await world.curator.slash(world.channel, "article list")
    assert listed.response is not None and "/article add" in listed.response.content


async def test_show_autocompletes_titles_of_this_server_only(world: World) -> None:
    """The article option suggests this server's matching titles, by number."""
    await world.add("Lighthouse keepers", " ".join(LIGHTHOUSE))
    await world.add("Otters", OTTERS)
    await world.library.add("guild:1", Document("Lighthouse elsewhere", OTTERS))
    choices = await world.curator.autocomplete(world.channel, "article show", "article", "light")
    assert choices == [{"name": "#1 Lighthouse keepers", "value": 1}]


async def test_show_gives_details_and_the_full_text(world: World) -> None:
    """/article show shows the title, size and start of the text, with the text attached."""
    article_id = await world.add("Lighthouse keepers", " ".join(LIGHTHOUSE))
    shown = await world.curator.slash(world.channel, "article show", article=article_id)
    assert shown.ephemeral and shown.response is not None
    assert "`#1` Lighthouse keepers" in shown.response.content
    assert "> The lighthouse on the northern rock" in shown.response.content
    [attachment] = shown.response.attachments
    assert attachment.filename == "article-1.txt"


async def test_show_unknown_article_says_so(world: World) -> None:
    """/article show with a number that is not in this server's library says so privately."""
    shown = await world.curator.slash(world.channel, "article show", article=42)
    assert shown.response is not None and "42" in shown.response.content
    simcord.assert_error(world.env)


# --- remove --------------------------------------------------------------------------------


async def test_remove_asks_for_confirmation_then_removes(world: World) -> None:
    """/article remove asks first; Remove deletes the article."""
    article_id = await world.add("Otters", OTTERS)
    asked = await world.curator.slash(world.channel, "article remove", article=article_id)
    assert asked.ephemeral and asked.response is not None
    assert asked.response.content.startswith("Remove `#1` Otters")
    assert await world.library.articles(world.collection)
    await world.curator.click(asked.response, label="Remove")
    assert "Removed `#1` Otters" in asked.response.message.content
    assert not await world.library.articles(world.collection)


async def test_remove_cancelled_keeps_the_article(world: World) -> None:
    """Cancel leaves the article in place."""
    article_id = await world.add("Otters", OTTERS)
    asked = await world.curator.slash(world.channel, "article remove", article=article_id)
    assert asked.response is not None
    await world.curator.click(asked.response, label="Cancel")
    assert "nothing was changed" in asked.response.message.content
    assert len(await world.library.articles(world.collection)) == 1


async def test_remove_unanswered_expires_without_removing(world: World) -> None:
    """With no answer within a minute, the question closes and nothing is removed."""
    article_id = await world.add("Otters", OTTERS)
    asked = await world.curator.slash(world.channel, "article remove", article=article_id)
    assert asked.response is not None
    await world.env.advance_time(61)
    assert "no answer in time" in asked.response.message.content
    assert len(await world.library.articles(world.collection)) == 1


async def test_bot_refuses_to_remove_for_a_member_without_permission(world: World) -> None:
    """A member without the permission cannot remove, even where /article is visible."""
    await allow_everyone(world)
    article_id = await world.add("Otters", OTTERS)
    result = await world.member.slash(world.channel, "article remove", article=article_id)
    assert result.response is not None and "Only members with" in result.response.content
    simcord.assert_error(world.env, NotCurator)
    assert len(await world.library.articles(world.collection)) == 1


async def test_an_attachment_over_the_size_limit_is_refused_before_download(world: World) -> None:
    """A file larger than the limit is refused by its announced size, in the library's words."""
    settings = world.library.settings
    world.library.settings = replace(settings, fetch=replace(settings.fetch, max_bytes=1024))
    result = await world.curator.slash(
        world.channel, "article add", file=("notes.md", b"# Notes\n\n" + b"Lighthouses. " * 200)
    )
    assert result.response is not None
    assert result.response.content == (
        "\N{CROSS MARK} Not added: notes.md is too large (3 KB); the limit is 1 KB"
    )
    assert not await world.library.articles(world.collection)
