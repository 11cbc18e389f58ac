"""Every message the bot posts, as Discord Markdown; the console shows the same in a terminal.

Pure functions over `index` results: article text is escaped so it cannot format, mention or link
anything; matched terms are bold; every message fits Discord's limits. The words that tell what
adding an article did (`added_words`) and the name of an untitled article (`title_text`) are the
ones the command line and the console use too.
"""

from __future__ import annotations

import re
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

from index import (
    AddResult,
    Answer,
    ArticleInfo,
    FeedInfo,
    Result,
    TextFragment,
    is_link,
    text_fragment,
)

MESSAGE_LIMIT = 2000
QUOTE_LIMIT = 1000  # characters of quote shown; a 60-word quote is far below this
QUESTION_LIMIT = 200  # characters of a question repeated above its answer
CHOICE_LIMIT = 100  # characters of an autocomplete choice's name
TITLE_LIMIT = 100  # characters of a title in a list or a reply
LINK_LIMIT = 500  # longer links are not linked: they would crowd out the message
HEADING_LIMIT = 100  # characters of the heading a passage is under
UNTITLED = "Untitled"

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)")
_LINE_START = re.compile(r"^", re.MULTILINE)
# What a link may hold as it is; anything else (<, >, (, ), [, ], spaces, quotes, |, `, \,
# controls, non-ASCII) is percent-encoded, so nothing can end the link or start another.
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]")
# Bidirectional controls reorder what follows them, the bot's own words too; a lone surrogate
# cannot be sent. Neither is ever shown, whatever the text's source.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def visible(text: str) -> str:
    """Text without bidirectional controls, lone surrogates made U+FFFD."""
    return _SURROGATE.sub("\ufffd", _BIDI.sub("", text))


_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def escape(text: str) -> str:
    """Text shown verbatim: no Markdown, no mentions, no masked links, no bidi controls."""
    text = _MARKDOWN.sub(r"\\\1", visible(text))
    return _MENTION.sub("@\u200b\\1", text)


def fit(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message cut to Discord's length limit."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plural(count: int, word: str) -> str:
    """A count and its word: "1 passage", "3 passages"."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def safe_url(url: str | None) -> str | None:
    """`url` as it may stand inside `[text](<url>)`: an http(s) link with a host, every
    character that could end it or start other Markdown percent-encoded; None for anything
    else (no link, another scheme, longer than `LINK_LIMIT`)."""
    if not url or not is_link(url):
        return None
    encoded = _URL_UNSAFE.sub(
        lambda m: percent_encode(m.group(), safe="", errors="replace"), url.strip()
    )
    try:
        host = urlsplit(encoded).hostname
    except ValueError:
        return None
    return encoded if host and len(encoded) <= LINK_LIMIT else None


def link(text: str, url: str | None) -> str:
    """`text` (Markdown already) linked to `url` without an embed, or `text` alone when `url`
    is not a safe link: every link shown goes through here."""
    target = safe_url(url)
    return f"[{text}](<{target}>)" if target else text


def title_text(title: str | None) -> str:
    """A title as shown (not escaped), on one line: "Untitled" when the article has none."""
    return " ".join(visible(title or "").split()) or UNTITLED


def blockquote(text: str) -> str:
    return _LINE_START.sub("> ", text)


# --- answers ---------------------------------------------------------------------------------


def _runs(quote: str, highlights: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Highlights merged where only spaces separate them ("**Xi Jinping**", not two runs)."""
    runs: list[tuple[int, int]] = []
    for start, end in sorted(highlights):
        if runs and (start <= runs[-1][1] or quote[runs[-1][1] : start].strip(" ") == ""):
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
        else:
            runs.append((start, end))
    return runs


def _highlighted(result: Result) -> str:
    quote = result.quote
    parts: list[str] = []
    position = 0
    for start, end in _runs(quote, result.highlights):
        parts.append(escape(quote[position:start]))
        parts.append(f"**{escape(quote[start:end])}**")
        position = end
    parts.append(escape(quote[position:]))
    return "".join(parts)


def text_fragment_url(url: str, fragment: TextFragment) -> str:
    """A link that scrolls to and highlights the text `fragment` names, in browsers that
    support text fragments (`#:~:text=[prefix-,]start[,end]`)."""
    if not is_link(url):
        return url

    def encode(part: str) -> str:
        # "-", "," and "&" delimit a text fragment's parts: they must be escaped in the text
        return percent_encode(part, safe="").replace("-", "%2D")

    parts = [encode(fragment.start)]
    if fragment.prefix:
        parts.insert(0, encode(fragment.prefix) + "-")
    if fragment.end:
        parts.append(encode(fragment.end))
    return f"{url.split('#', 1)[0]}#:~:text={','.join(parts)}"


def _details(article: ArticleInfo) -> list[str]:
    return [
        escape(shorten(d, TITLE_LIMIT)) for d in (article.author, article.site, article.date) if d
    ]


def source_line(
    article: ArticleInfo, fragment: TextFragment | None = None, heading: str | None = None
) -> str:
    """The article's title (linked to its source where it has one, to the quote `fragment`
    names where there is one), the heading the passage is under, and what is known of the
    article."""
    title = escape(shorten(title_text(article.title), TITLE_LIMIT))
    if article.url:
        title = link(title, text_fragment_url(article.url, fragment) if fragment else article.url)
    section = [f"§ {escape(shorten(' '.join(heading.split()), HEADING_LIMIT))}"] if heading else []
    return " · ".join([title, *section, *_details(article)])


def _result_source(result: Result) -> str:
    """A result's source line; a quote whose fragment the library did not find is named by
    its words within its passage."""
    fragment = result.fragment
    if fragment is None and result.quote.strip():
        fragment = text_fragment(result.passage, result.quote_start, result.quote_end)
    return source_line(result.article, fragment, result.heading)


def render_result(result: Result) -> str:
    """The best result: the quote as a block quote ("…" where it cuts a sentence), then where
    it comes from."""
    quote = _highlighted(result)
    cut_start, cut_end = result.quote_cut
    if len(quote) > QUOTE_LIMIT:
        quote, cut_end = escape(result.quote[:QUOTE_LIMIT].rstrip()), True
    quote = ("…" if cut_start else "") + quote + ("…" if cut_end else "")
    return f"{blockquote(quote)}\n— {_result_source(result)}"


def render_answer(answer: Answer, index: int = 0) -> str:
    """An answer message showing result `index`: its quote, its source, and where it stands."""
    if not answer.results:
        return fit(render_no_match(answer))
    result = answer.results[index]
    message = render_result(result)
    if len(answer.results) > 1:
        message += f"\n-# Result {index + 1} of {len(answer.results)}"
    return fit(message)


def render_passage(result: Result) -> str:
    """The whole passage a quote comes from, with the quote's terms bold."""
    text = escape(result.passage)
    return fit(f"{blockquote(text)}\n— {_result_source(result)}")


def render_no_match(answer: Answer) -> str:
    if not answer.searched:
        return "This library has no articles yet: an admin can add some."
    message = "No passage in this library matches that question."
    if answer.unknown_words:
        words = ", ".join(escape(shorten(w, 40)) for w in answer.unknown_words[:5])
        message += f" These words occur in no article: {words}."
    return message + " Try other words, or ask an admin to add an article about it."


def render_asked(question: str, message: str) -> str:
    """A message under a one-line header repeating the question (slash answers show no question)."""
    header = f"-# Q: {escape(shorten(' '.join(question.split()), QUESTION_LIMIT))}"
    return fit(f"{header}\n{message}")


# --- articles --------------------------------------------------------------------------------

PER_PAGE = 10  # lines of a list on one page, at most (fewer when they are long)


def _title_link(article: ArticleInfo) -> str:
    return link(escape(shorten(title_text(article.title), TITLE_LIMIT)), article.url)


def article_title(article: ArticleInfo) -> str:
    """An article's number and title, linked to its source."""
    return f"`#{article.id}` {_title_link(article)}"


def choice_name(number: int, name: str | None) -> str:
    """An autocomplete choice: plain text (not Markdown), at most 100 characters."""
    return shorten(f"#{number} {title_text(name)}", CHOICE_LIMIT)


def article_line(article: ArticleInfo) -> str:
    """One line of the article list: number, linked title, size and date."""
    added = article.added_at[:10]
    return f"{article_title(article)} · {plural(article.passages, 'passage')} · {added}"


def pages(header: str, lines: list[str], per_page: int = PER_PAGE) -> list[str]:
    """`lines` under `header`, as many to a page as fit in a message (at most `per_page`),
    each page numbered when there are several: no line is ever cut off or left out."""
    footer = len(f"\n-# Page {len(lines)} of {len(lines)}")
    room = MESSAGE_LIMIT - len(header) - footer
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        line = fit(line, room - 1)  # a line longer than a page (none is) would be cut, not lost
        if chunks[-1] and (used + 1 + len(line) > room or len(chunks[-1]) == per_page):
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += 1 + len(line)
    shown = []
    for number, chunk in enumerate(chunks, 1):
        page = "\n".join([header, *chunk])
        shown.append(page + (f"\n-# Page {number} of {len(chunks)}" if len(chunks) > 1 else ""))
    return shown


def article_pages(articles: list[ArticleInfo], per_page: int = PER_PAGE) -> list[str]:
    """The article list as pages of Markdown, each within Discord's limit."""
    header = f"**{plural(len(articles), 'article')}** in this server's library"
    return pages(header, [article_line(a) for a in articles], per_page)


def article_text(text: str) -> str:
    """An article's stored text as shown: its Markdown headings as "§ Heading" lines."""
    return _HEADING_LINE.sub(r"§ \1", text)


def article_details(article: ArticleInfo, text: str, excerpt: int = 600) -> str:
    """An article's details and the start of its text."""
    lines = [article_title(article)]
    details = _details(article)
    if details:
        lines.append(" · ".join(details))
    added = f"{plural(article.passages, 'passage')}, added {article.added_at[:10]}"
    user_id = (article.added_by or "").removeprefix("discord:")
    if article.added_by != user_id and user_id.isdigit():
        added += f" by <@{user_id}>"  # shown as a name; messages never ping
    lines.append(added)
    start = " ".join(article_text(text[: excerpt * 2]).split())
    if start:
        lines.append(blockquote(escape(shorten(start, excerpt))))
    return fit("\n".join(lines))


# --- adding and removing ---------------------------------------------------------------------

WORKING = "\N{HOURGLASS WITH FLOWING SAND}"
FAILED = "\N{CROSS MARK}"
DONE = "\N{WHITE HEAVY CHECK MARK}"
KNOWN = "\N{INFORMATION SOURCE}\N{VARIATION SELECTOR-16}"
REMOVED = "\N{WASTEBASKET}\N{VARIATION SELECTOR-16}"
STEPS = {
    "fetching": "Fetching the page",
    "extracting": "Finding the article in the page",
    "downloading": "Downloading the file",
    "reading": "Reading the file",
    "indexing": "Indexing its passages",
}


def added_words(status: str, label: str, passages: int) -> str:
    """What adding an article did, in the words of every surface (Discord, CLI, console).

    `label` names the article as the surface shows it ("#1 Otters", or Discord's linked title);
    the words start in lower case, as a terminal line does; Discord makes them a sentence.
    """
    if status == "duplicate":
        return f"already in the library: {label}"
    return f"added {label} ({plural(passages, 'passage')})"


def added_message(result: AddResult) -> str:
    """The outcome of `/article add`, replacing its progress message."""
    words = added_words(result.status, article_title(result.article), result.article.passages)
    sentence = words[0].upper() + words[1:]
    if result.status == "duplicate":
        return f"{KNOWN} {sentence}."
    return f"{DONE} {sentence}: ask about it with `/ask`."


def adding_message(step: str | None = None) -> str:
    """The progress message of `/article add`: the step under way."""
    label = "Adding the article" if step is None else STEPS.get(step, step.capitalize())
    return f"{WORKING} {label}…"


def failed_message(what: str, reason: str) -> str:
    """An action that did not happen, and why (`what`: "added", "removed")."""
    return fit(f"{FAILED} Not {what}: {reason}")


def remove_question(article: ArticleInfo) -> str:
    return (
        f"Remove {article_title(article)} ({plural(article.passages, 'passage')})? "
        "Its quotes will no longer appear in answers."
    )


def removed_message(article: ArticleInfo) -> str:
    return f"{REMOVED} Removed {article_title(article)}."


# --- feeds -----------------------------------------------------------------------------------


def feed_name(feed: FeedInfo) -> str:
    """A feed's title (or else its link), escaped and short."""
    return escape(shorten(title_text(feed.title or feed.url), TITLE_LIMIT))


def feed_line(feed: FeedInfo) -> str:
    """One feed of `/feed list`: number, title and link, what it brought, how its last poll went."""
    state = f"error: {escape(shorten(feed.last_error, 300))}" if feed.last_error else "ok"
    polled = feed.last_polled[:16].replace("T", " ") if feed.last_polled else "not yet"
    articles = plural(feed.articles, "article")
    return (
        f"`#{feed.id}` {link(feed_name(feed), feed.url)}: {articles}; last read {polled}, {state}"
    )


def feed_pages(feeds: list[FeedInfo]) -> list[str]:
    """`/feed list` as pages, each within Discord's limit."""
    if not feeds:
        return ["This server follows no feeds: add one with `/feed add`."]
    header = f"**{plural(len(feeds), 'feed')}** followed in this server"
    return pages(header, [feed_line(f) for f in feeds])


def following_message(feed: FeedInfo, interval_minutes: float) -> str:
    return fit(
        f"Following {feed_line(feed)}\n"
        f"Its new articles are added every {interval_minutes:g} minutes."
    )


def unfollowed_message(feed: FeedInfo) -> str:
    return fit(f"Stopped following {feed_name(feed)}; its articles stay.")


# --- asking and help -------------------------------------------------------------------------

DM_REPLY = (
    "Hello! I answer questions with quotes from the articles each server keeps, so I work in "
    "servers only: use `/ask` there, or mention me with your question. `/help` explains more."
)
EMPTY_MENTION = (
    "Ask me something about this server's articles: mention me with your question, or use `/ask`."
)


def help_text(bot_mention: str, admin_role: str | None) -> str:
    """/help's opening: what citebot does, how to ask, who curates (the commands follow)."""
    role = f" or the {escape(shorten(admin_role, TITLE_LIMIT))} role" if admin_role else ""
    return fit(
        "**citebot** answers with quotes, word for word, from the articles this server keeps, "
        "each linked to its source. No AI: what it shows is what the article says.\n"
        f"**Ask:** `/ask`, or mention me: {bot_mention} who is Russia's ambassador to China? "
        "Reply to an answer (or press Follow up) to ask a follow-up; the buttons page through "
        "results, show the whole passage and tell curators whether it helped.\n"
        f"**Curators** (Manage Server{role}) add articles and change settings. "
        "Each server has its own library: nothing added here appears anywhere else."
    )
