"""Every message the bot posts, as Discord Markdown; the console shows the same in a terminal.

Pure functions over `index` results: article text is escaped so it cannot format, mention or link
anything; matched terms are bold; every message fits Discord's limits. The words that tell what
adding an article did (`added_words`) and the name of an untitled article (`title_text`) are the
ones the command line and the console use too.
"""

from __future__ import annotations

import re
from urllib.parse import quote as percent_encode

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
HEADING_LIMIT = 100  # characters of the heading a passage is under
UNTITLED = "Untitled"

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)")
_LINE_START = re.compile(r"^", re.MULTILINE)
_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def escape(text: str) -> str:
    """Text shown verbatim: no Markdown, no mentions, no masked links."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub("@\u200b\\1", text)


def fit(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message cut to Discord's length limit."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def title_text(title: str | None) -> str:
    """A title as shown (not escaped), on one line: "Untitled" when the article has none."""
    return " ".join((title or "").split()) or UNTITLED


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
    return [escape(d) for d in (article.author, article.site, article.date) if d]


def source_line(
    article: ArticleInfo, fragment: TextFragment | None = None, heading: str | None = None
) -> str:
    """The article's title (linked to its source where it has one, to the quote `fragment`
    names where there is one), the heading the passage is under, and what is known of the
    article."""
    title = escape(title_text(article.title))
    if article.url:
        link = text_fragment_url(article.url, fragment) if fragment else article.url
        title = f"[{title}](<{link}>)"
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
        return render_no_match(answer)
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
        words = ", ".join(escape(w) for w in answer.unknown_words[:5])
        message += f" These words occur in no article: {words}."
    return message + " Try other words, or ask an admin to add an article about it."


def render_asked(question: str, message: str) -> str:
    """A message under a one-line header repeating the question (slash answers show no question)."""
    header = f"-# Q: {escape(shorten(' '.join(question.split()), QUESTION_LIMIT))}"
    return fit(f"{header}\n{message}")


# --- articles --------------------------------------------------------------------------------

ARTICLES_PER_PAGE = 10
_TITLE_LIMIT = 100
_LINK_LIMIT = 500  # longer links are not linked: they would crowd out the list


def _title_link(article: ArticleInfo) -> str:
    title = escape(shorten(title_text(article.title), _TITLE_LIMIT))
    if article.url and len(article.url) <= _LINK_LIMIT and "<" not in article.url:
        return f"[{title}](<{article.url.replace('>', '%3E')}>)"
    return title


def article_title(article: ArticleInfo) -> str:
    """An article's number and title, linked to its source."""
    return f"`#{article.id}` {_title_link(article)}"


def choice_name(number: int, name: str | None) -> str:
    """An autocomplete choice: plain text (not Markdown), at most 100 characters."""
    return shorten(f"#{number} {title_text(name)}", CHOICE_LIMIT)


def article_line(article: ArticleInfo) -> str:
    """One line of the article list: number, linked title, size and date."""
    added = article.added_at[:10]
    return f"{article_title(article)} · {article.passages} passages · {added}"


def article_pages(articles: list[ArticleInfo], per_page: int = ARTICLES_PER_PAGE) -> list[str]:
    """The article list as pages of Markdown, each within Discord's limit."""
    total = len(articles)
    chunks = [articles[i : i + per_page] for i in range(0, total, per_page)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, 1):
        lines = [f"**{total} article{'s' if total != 1 else ''}** in this server's library"]
        lines += [article_line(a) for a in chunk]
        if len(chunks) > 1:
            lines.append(f"-# Page {number} of {len(chunks)}")
        pages.append(fit("\n".join(lines)))
    return pages


def article_text(text: str) -> str:
    """An article's stored text as shown: its Markdown headings as "§ Heading" lines."""
    return _HEADING_LINE.sub(r"§ \1", text)


def article_details(article: ArticleInfo, text: str, excerpt: int = 600) -> str:
    """An article's details and the start of its text."""
    lines = [article_title(article)]
    details = _details(article)
    if details:
        lines.append(" · ".join(details))
    added = f"{article.passages} passages, added {article.added_at[:10]}"
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
    return f"added {label} ({passages} passages)"


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
        f"Remove {article_title(article)} ({article.passages} passages)? "
        "Its quotes will no longer appear in answers."
    )


def removed_message(article: ArticleInfo) -> str:
    return f"{REMOVED} Removed {article_title(article)}."


# --- feeds -----------------------------------------------------------------------------------


def feed_name(feed: FeedInfo) -> str:
    return escape(feed.title or feed.url)


def feed_line(feed: FeedInfo) -> str:
    """One feed of `/feed list`: number, title and link, what it brought, how its last poll went."""
    state = f"error: {escape(feed.last_error)}" if feed.last_error else "ok"
    polled = feed.last_polled[:16].replace("T", " ") if feed.last_polled else "not yet"
    link = f"`#{feed.id}` [{feed_name(feed)}](<{feed.url}>)"
    return f"{link}: {feed.articles} articles; last read {polled}, {state}"


def feed_list(feeds: list[FeedInfo]) -> str:
    if not feeds:
        return "This server follows no feeds: add one with `/feed add`."
    return fit("\n".join(feed_line(f) for f in feeds))


def following_message(feed: FeedInfo, interval_minutes: float) -> str:
    return (
        f"Following {feed_line(feed)}\n"
        f"Its new articles are added every {interval_minutes:g} minutes."
    )


def unfollowed_message(feed: FeedInfo) -> str:
    return f"Stopped following {feed_name(feed)}; its articles stay."


# --- asking and help -------------------------------------------------------------------------

DM_REPLY = (
    "Hello! I answer questions with quotes from the articles each server keeps, so I work in "
    "servers only: use `/ask` there, or mention me with your question. `/help` explains more."
)
EMPTY_MENTION = (
    "Ask me something about this server's articles: mention me with your question, or use `/ask`."
)


def help_text(bot_mention: str, admin_role: str | None) -> str:
    curators = "Manage Server" + (f" or the {escape(admin_role)} role" if admin_role else "")
    return (
        "**citebot** answers questions with quotes, word for word, from the articles this "
        "server keeps, and links each quote to its source. No AI: what it shows is what the "
        "article says.\n"
        f"**Ask:** `/ask` with your question (`private: True` shows the answer only to you), "
        f"or mention me: {bot_mention} who is Russia's ambassador to China? "
        "The buttons page through other results and show the whole passage.\n"
        f"**Add articles** ({curators}): `/article add` with a `url`, a `file` (.txt, .md, "
        ".html, .pdf) or `text`; with none of them, a form opens to paste a long text. "
        "`/article list`, `/article show` and `/article remove` do the rest.\n"
        "Each server has its own library: nothing added here appears anywhere else."
    )
