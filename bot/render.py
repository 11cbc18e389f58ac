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

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)")
_LINE_START = re.compile(r"^", re.MULTILINE)
_FRAGMENT_UNSAFE = re.compile(r"[-,&]")


def escape(text: str) -> str:
    """Text shown verbatim: no Markdown, no mentions, no masked links."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub("@\u200b\\1", text)


def _highlighted(result: Result) -> str:
    quote = result.quote
    parts: list[str] = []
    position = 0
    for start, end in result.highlights:
        if start < position:
            continue
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
        joined = " ".join(part)
        return percent_encode(_FRAGMENT_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", joined))

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
    return _fit(message)


def render_passage(result: Result) -> str:
    """The whole passage a quote comes from, with the quote's terms bold."""
    text = escape(result.passage)
    return _fit(f"{blockquote(text)}\n— {source_line(result.article, result.quote)}")


def render_no_match(answer: Answer) -> str:
    if not answer.searched:
        return "This library has no articles yet: an admin can add some."
    message = "No passage in this library matches that question."
    if answer.unknown_words:
        words = ", ".join(escape(w) for w in answer.unknown_words[:5])
        message += f" These words occur in no article: {words}."
    return message + " Try other words, or ask an admin to add an article about it."


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(message: str) -> str:
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"
