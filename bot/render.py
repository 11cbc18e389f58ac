"""Rendering answers as Discord messages (Markdown), shared by the bot and the console.

Pure functions over `index` results: article text is escaped so it cannot format, mention or link
anything; matched terms are bold; every message fits Discord's limits.
"""

from __future__ import annotations

import re
from urllib.parse import quote as percent_encode

from index.library import Answer, Result
from index.store import ArticleInfo

MESSAGE_LIMIT = 2000
QUOTE_LIMIT = 1000  # characters of quote shown; a 60-word quote is far below this
QUESTION_LIMIT = 200  # characters of a question repeated above its answer

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)")
_LINE_START = re.compile(r"^", re.MULTILINE)


def escape(text: str) -> str:
    """Text shown verbatim: no Markdown, no mentions, no masked links."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub("@\u200b\\1", text)


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


def text_fragment_url(url: str, quote: str) -> str:
    """A link that scrolls to and highlights `quote` in browsers that support text fragments."""
    words = quote.split()
    if not words or not url.startswith(("http://", "https://")):
        return url

    def encode(part: list[str]) -> str:
        # "-", "," and "&" delimit a text fragment's parts: they must be escaped in the text
        return percent_encode(" ".join(part), safe="").replace("-", "%2D")

    base = url.split("#", 1)[0]
    if len(words) <= 8:
        return f"{base}#:~:text={encode(words)}"
    return f"{base}#:~:text={encode(words[:4])},{encode(words[-4:])}"


def source_line(article: ArticleInfo, quote: str | None = None) -> str:
    """The article's title (linked to its source where it has one) and what is known of it."""
    title = escape(article.title)
    if article.url:
        link = text_fragment_url(article.url, quote) if quote else article.url
        title = f"[{title}](<{link}>)"
    details = [escape(d) for d in (article.author, article.site, article.date) if d]
    return " · ".join([title, *details])


def blockquote(text: str) -> str:
    return _LINE_START.sub("> ", text)


def render_result(result: Result) -> str:
    """The best result: the quote as a block quote, then where it comes from."""
    quote = _highlighted(result)
    if len(quote) > QUOTE_LIMIT:
        quote = escape(result.quote[:QUOTE_LIMIT]) + "…"
    return f"{blockquote(quote)}\n— {source_line(result.article, result.quote)}"


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
    return fit(f"{blockquote(text)}\n— {source_line(result.article, result.quote)}")


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
    header = f"-# Q: {escape(_shorten(' '.join(question.split()), QUESTION_LIMIT))}"
    return fit(f"{header}\n{message}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message cut to Discord's length limit."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


# --- articles --------------------------------------------------------------------------------

ARTICLES_PER_PAGE = 10
_TITLE_LIMIT = 100
_LINK_LIMIT = 500  # longer links are not linked: they would crowd out the list


def _title_link(article: ArticleInfo) -> str:
    title = escape(_shorten(" ".join(article.title.split()), _TITLE_LIMIT))
    if article.url and len(article.url) <= _LINK_LIMIT and "<" not in article.url:
        return f"[{title}](<{article.url.replace('>', '%3E')}>)"
    return title


def article_title(article: ArticleInfo) -> str:
    """An article's number and title, linked to its source."""
    return f"`#{article.id}` {_title_link(article)}"


def choice_name(article: ArticleInfo) -> str:
    """An article as an autocomplete choice: plain text (not Markdown), at most 100 characters."""
    return _shorten(f"#{article.id} {' '.join(article.title.split())}", 100)


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


def article_details(article: ArticleInfo, text: str, excerpt: int = 600) -> str:
    """An article's details and the start of its text."""
    lines = [article_title(article)]
    details = [escape(d) for d in (article.author, article.site, article.date) if d]
    if details:
        lines.append(" · ".join(details))
    added = f"{article.passages} passages, added {article.added_at[:10]}"
    user_id = (article.added_by or "").removeprefix("discord:")
    if article.added_by != user_id and user_id.isdigit():
        added += f" by <@{user_id}>"  # shown as a name; messages never ping
    lines.append(added)
    start = " ".join(text[: excerpt * 2].split())
    if start:
        lines.append(blockquote(escape(_shorten(start, excerpt))))
    return fit("\n".join(lines))


def added_line(status: str, article: ArticleInfo) -> str:
    """The outcome of adding an article."""
    if status == "duplicate":
        return f"Already in the library: {article_title(article)}."
    passages = f"{article.passages} passages"
    return f"Added {article_title(article)} ({passages}): ask about it with `/ask`."
