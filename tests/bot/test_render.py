"""Discord Markdown for article lists and details (bot/render.py)."""

from __future__ import annotations

from bot import render
from index import AddResult, Answer, ArticleInfo, FeedInfo, Result, TextFragment


def article(
    n: int = 1, title: str | None = "Otters", url: str | None = None, **kw: str
) -> ArticleInfo:
    fields = {"author": None, "date": None, "site": None, "source": None, "added_by": None}
    fields.update(kw)
    return ArticleInfo(
        id=n,
        collection="guild:1",
        title=title,
        url=url,
        added_at="2026-11-27T20:00:00+00:00",
        passages=3,
        **fields,
    )


def test_article_pages_hold_ten_lines_and_say_where_they_are() -> None:
    """25 articles make three pages of at most ten, each with its page number."""
    pages = render.article_pages([article(n, f"Title {n}") for n in range(1, 26)])
    assert len(pages) == 3
    assert pages[0].count("\n`#") == 10 and pages[2].count("\n`#") == 5
    assert pages[1].endswith("-# Page 2 of 3")


def test_article_pages_show_every_article_however_long_their_lines() -> None:
    """Long titles and links make fewer articles a page, never a page cut short: every
    article is on exactly one page, and every page fits Discord."""
    url = "https://example.com/" + "a" * 400
    pages = render.article_pages([article(n, f"Title {n} " + "x" * 90, url) for n in range(1, 26)])
    assert all(len(p) <= render.MESSAGE_LIMIT for p in pages)
    assert not any(p.endswith("…") for p in pages)
    for n in range(1, 26):
        assert sum(p.count(f"`#{n}` ") for p in pages) == 1, n
    assert pages[-1].endswith(f"-# Page {len(pages)} of {len(pages)}")


def feed(title: str | None = "Coast News", url: str = "https://example.com/feed.xml") -> FeedInfo:
    return FeedInfo(1, "guild:1", url, title, None, "2026-11-27T20:00:00", None, None, 3, 1)


def test_feed_pages_show_every_feed() -> None:
    """/feed list pages by what fits, like the article list."""
    feeds = [
        FeedInfo(n, "c", f"https://example.com/{n}/" + "f" * 300, "T" * 200, None, "", None,
                 "e" * 300, 0, 0)
        for n in range(1, 31)
    ]  # fmt: skip
    pages = render.feed_pages(feeds)
    assert len(pages) > 1 and all(len(p) <= render.MESSAGE_LIMIT for p in pages)
    for n in range(1, 31):
        assert sum(p.count(f"`#{n}` ") for p in pages) == 1, n


def test_every_reply_fits_discord_whatever_the_source() -> None:
    """Titles, links, authors, errors and words of any length still make messages within
    Discord's limit (a feed's title of 150,000 characters was stored once)."""
    huge = "W" * 150_000
    a = article(title=huge, url="https://example.com/" + huge, author=huge, site=huge, date=huge)
    f = FeedInfo(1, "c", "https://example.com/" + huge, huge, None, "", huge, huge, 1, 1)
    answer = Answer("q", 1.0, [], [huge] * 5, 10)
    messages = [
        render.following_message(f, 30),
        render.unfollowed_message(f),
        *render.feed_pages([f]),
        *render.article_pages([a]),
        render.article_details(a, huge),
        render.added_message(AddResult("added", a)),
        render.remove_question(a),
        render.removed_message(a),
        render.render_answer(answer),
        render.render_passage(Result(1, 1.0, a, huge, 0, 10, ())),
        render.render_answer(Answer("q", 1.0, [Result(1, 1.0, a, huge, 0, 10, ())], [], 1)),
        render.help_text("<@1>", huge),
    ]
    assert all(len(m) <= render.MESSAGE_LIMIT for m in messages)
    assert len(render.choice_name(1, huge)) <= render.CHOICE_LIMIT


EVIL = "https://ok.example/a>)[Click to verify](https://evil.example/login)(<https://ok.example/b"


def test_a_stored_url_cannot_make_another_link() -> None:
    """A URL that tries to close its link and open another is shown as one link to its own
    site: every link shown (sources, titles, feeds) is encoded the same way."""
    a = article(url=EVIL)
    shown = [
        render.source_line(a),
        render.source_line(a, TextFragment("Otters hold hands.")),
        render.article_title(a),
        render.feed_line(feed(url=EVIL)),
    ]
    for line in shown:
        assert line.count("](") == 1 and line.count("<") == 1 and line.count(">") == 1, line
        assert "(<https://ok.example/a%3E%29%5BClick%20to%20verify%5D%28https://evil" in line
        assert line.index(">)") > line.index("ok.example/b")


def test_only_web_links_are_linked() -> None:
    """A URL that is not http(s), or has no host, is not linked at all."""
    for url in ("javascript:alert(1)", "ftp://example.com/a", "https://", "file:///etc/passwd"):
        assert "](" not in render.source_line(article(url=url)), url
        assert "](" not in render.article_title(article(url=url)), url


def test_titles_cannot_mention_or_format() -> None:
    """A title with @everyone and Markdown is shown inert."""
    line = render.article_line(article(title="**Big** news for @everyone"))
    assert "@everyone" not in line and "\\*\\*Big\\*\\*" in line


def test_bidi_controls_and_surrogates_never_reach_a_message() -> None:
    """A stored title or question with bidi controls (or a lone surrogate) is shown without
    them: they would reorder the bot's own words."""
    line = render.article_line(article(title="Otters \u202egnilttes\u202c \u2066now\u2069"))
    asked = render.render_asked("Where \u202edo\u202c otters\ud800 sleep?", "They float.")
    for shown in (line, asked, render.title_text("\u2067Otters\u2069")):
        assert not any(c in shown for c in "\u202e\u202c\u2066\u2067\u2069\ud800")
    assert "Otters gnilttes now" in line and "otters\ufffd sleep" in asked


def test_a_title_links_to_its_source() -> None:
    """An article with a URL links its title, without an embed."""
    line = render.article_line(article(url="https://example.com/a"))
    assert "[Otters](<https://example.com/a>)" in line


def test_details_name_who_added_it_without_pinging() -> None:
    """Details show the adder as a mention (messages are sent with no pings allowed)."""
    details = render.article_details(article(added_by="discord:1234"), "Otters hold hands.")
    assert "by <@1234>" in details and "> Otters hold hands." in details


def test_details_do_not_trust_a_forged_adder() -> None:
    """Only a numeric Discord id becomes a mention."""
    details = render.article_details(article(added_by="discord:everyone"), "Text.")
    assert "<@" not in details


def test_asked_header_repeats_the_question_escaped_and_short() -> None:
    """The question header is one escaped line of at most 200 characters of question."""
    message = render.render_asked("**why** " + "x" * 500, "> answer")
    header, body = message.split("\n", 1)
    assert header.startswith("-# Q: \\*\\*why\\*\\*") and len(header) < 230
    assert body == "> answer"


def test_choice_name_is_plain_and_short() -> None:
    """Autocomplete names are plain text of at most 100 characters."""
    name = render.choice_name(7, "A " * 120)
    assert name.startswith("#7 A A") and len(name) <= 100


def test_every_message_fits_discord() -> None:
    """fit cuts anything longer than 2,000 characters."""
    assert len(render.fit("x" * 5000)) == render.MESSAGE_LIMIT


def result(quote: str, highlights: tuple[tuple[int, int], ...]) -> Result:
    return Result(1, 1.0, article(), quote, 0, len(quote), highlights)


def test_matched_words_are_bold_and_neighbours_share_one_run() -> None:
    """Adjacent matched words make one bold run; others stay apart."""
    quote = "Xi Jinping met Putin in Moscow."
    shown = render.render_result(result(quote, ((0, 2), (3, 10), (15, 20))))
    assert shown.startswith("> **Xi Jinping** met **Putin** in Moscow.")


def test_quotes_cannot_format_or_ping() -> None:
    """Markdown and mentions inside a quote are shown as text."""
    quote = "Hi @everyone, see *this* [link](http://x) <@123>."
    shown = render.render_result(result(quote, ()))
    assert "@everyone" not in shown and "<@123>" not in shown
    assert "\\*this\\*" in shown and "\\[link\\]" in shown


def test_the_source_link_scrolls_to_the_quote() -> None:
    """A web source's link carries the quote's text directive, its parts percent-encoded
    ("-", "," and "&" too) and any fragment of the link replaced."""
    fragment = TextFragment("US-China ties, they", "said & left.", prefix="zero")
    url = render.text_fragment_url("https://example.com/a#top", fragment)
    assert url == (
        "https://example.com/a#:~:text=zero-,US%2DChina%20ties%2C%20they,said%20%26%20left."
    )
    assert render.text_fragment_url("https://example.com/a", TextFragment("Two words")) == (
        "https://example.com/a#:~:text=Two%20words"
    )


def test_a_result_without_a_fragment_links_its_quote_by_its_passage() -> None:
    """A result the library gave no fragment is linked by the quote's words in its passage."""
    passage = "Intro words here. One two three four five six seven eight nine, ten."
    start = passage.index("One")
    shown = render.render_result(
        Result(1, 1.0, article(url="https://example.com/a"), passage, start, len(passage), ())
    )
    assert (
        "(<https://example.com/a#:~:text=One%20two%20three%20four,seven%20eight%20nine%2C%20ten.>)"
        in (shown)
    )


def test_an_untitled_article_is_shown_as_untitled() -> None:
    """An article without a title is listed, detailed and cited as "Untitled"."""
    untitled = article(title=None)
    assert render.article_line(untitled).startswith("`#1` Untitled · ")
    assert render.article_details(untitled, "Text.").startswith("`#1` Untitled\n")
    assert render.render_result(Result(1, 1.0, untitled, "Otters.", 0, 7, ())).endswith(
        "— Untitled"
    )


def test_added_words_say_what_adding_did() -> None:
    """An add's outcome: added with its passages, or already in the library."""
    assert render.added_words("added", "#1 Otters", 3) == "added #1 Otters (3 passages)"
    assert render.added_words("added", "#1 Otters", 1) == "added #1 Otters (1 passage)"
    assert render.added_words("duplicate", "#1 Otters", 3) == "already in the library: #1 Otters"


def test_added_message_makes_the_words_a_sentence() -> None:
    """In Discord the outcome is a sentence with a mark, the title linked where it can be."""
    added = render.added_message(AddResult("added", article(url="https://example.com/a")))
    assert added == (
        "\N{WHITE HEAVY CHECK MARK} Added `#1` [Otters](<https://example.com/a>) (3 passages): "
        "ask about it with `/ask`."
    )
    again = render.added_message(AddResult("duplicate", article()))
    assert again.endswith(" Already in the library: `#1` Otters.")


def test_a_quote_cut_inside_its_sentence_is_marked_at_each_cut() -> None:
    """'…' where the quote begins or ends inside its sentence, nowhere else."""
    quote = "we are stronger when we are flanked by nations"

    def shown(cut: tuple[bool, bool]) -> str:
        result = Result(1, 1.0, article(), quote, 0, len(quote), (), quote_cut=cut)
        return render.render_result(result).split("\n")[0]

    assert shown((True, False)) == f"> …{quote}"
    assert shown((False, True)) == f"> {quote}…"
    assert shown((True, True)) == f"> …{quote}…"
    assert shown((False, False)) == f"> {quote}"


def test_a_quote_over_the_length_limit_is_marked_once() -> None:
    """A quote cut to 1,000 characters that already ends inside its sentence gets one '…'."""
    quote = "word " * 300
    result = Result(1, 1.0, article(), quote, 0, len(quote), (), quote_cut=(False, True))
    first = render.render_result(result).split("\n")[0]
    assert first.endswith("word…") and "……" not in first


def test_the_heading_is_shown_as_the_passage_context() -> None:
    """'§ heading' after the title, escaped, in the answer and in the whole passage."""
    result = Result(1, 1.0, article(url="https://example.com/a"), "To ask.", 0, 7, ())
    result = Result(1, 1.0, result.article, "To ask.", 0, 7, (), heading="Asking *a* question")
    for shown in (render.render_result(result), render.render_passage(result)):
        source = shown.split("\n— ")[1]
        assert source.startswith("[Otters](<https://example.com/a#:~:text=To%20ask.>)")
        assert source.endswith(" · § Asking \\*a\\* question")


def test_headings_of_a_shown_article_are_rendered_not_raw() -> None:
    """The stored '## Heading' lines are shown as '§ Heading' (closing #s dropped); a '#tag'
    is not a heading."""
    text = "Intro.\n\n## Asking a question ##\n\n#tag stays.\n\n### Deep"
    assert render.article_text(text) == "Intro.\n\n§ Asking a question\n\n#tag stays.\n\n§ Deep"
    details = render.article_details(article(), text)
    assert details.endswith("> Intro. § Asking a question \\#tag stays. § Deep")
