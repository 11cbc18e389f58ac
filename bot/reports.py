"""What curators read: a server's settings (`/config show`), where the bot answers, topics, and
`/article stats`. Pure functions over `index` records, every message within Discord's limits
(the helpers of `bot.render`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot import render
from index import ArticleInfo, PassageVotes, ServerSettings, Usage

TOPICS_SHOWN = 100  # characters of an article's topics in a list line
QUESTION_SHOWN = 150  # characters of a logged question in the stats

MESSAGE_CONTENT_NEEDED = (
    "Ask channels need Discord's Message Content intent, which this bot runs without. To turn "
    "it on: Discord Developer Portal → your application → **Bot** → *Privileged Gateway "
    "Intents* → **Message Content Intent**; then set `CITEBOT_MESSAGE_CONTENT=1` in citebot's "
    "settings (.env) and restart it. Nothing was changed."
)


def channels(ids: Iterable[int]) -> str:
    """Channels as Discord shows them (links, never pings), or "none"."""
    return ", ".join(f"<#{channel}>" for channel in sorted(ids)) or "none"


def answer_channels_hint(settings: ServerSettings) -> str:
    """The private hint for `/ask` outside the channels where the bot answers."""
    where = channels(settings.answer_channels | settings.ask_channels)
    return render.fit(f"In this server I answer in {where} only: ask there.")


def topic_list(topics: Sequence[str]) -> str:
    return render.escape(render.shorten(", ".join(topics), TOPICS_SHOWN))


def settings_text(settings: ServerSettings, message_content: bool) -> str:
    """`/config show`: every setting, one line each."""
    answers = (
        f"only in {channels(settings.answer_channels)}"
        if settings.answer_channels
        else "everywhere (mentions and replies)"
    )
    asks = channels(settings.ask_channels)
    if settings.ask_channels and not message_content:
        asks += " (inactive: the bot runs without the Message Content intent)"
    bound = [
        f"{channels([channel])}: {topic_list(topics)}"
        for channel, topics in sorted(settings.channel_topics.items())
    ]
    log = (
        f"on, each kept {render.plural(settings.retention_days, 'day')}"
        if settings.keep_questions
        else f"off (when on, kept {render.plural(settings.retention_days, 'day')})"
    )
    return render.fit(
        "\n".join(
            [
                "**citebot's settings in this server**",
                f"**Answers** mentions and replies: {answers}",
                f"**Ask channels** (every message a question): {asks}",
                f"**Channel topics**: {'; '.join(bound) or 'none (every channel searches all)'}",
                f"**Question log** (for `/article stats`): {log}",
            ]
        )
    )


def article_line(article: ArticleInfo, topics: Sequence[str]) -> str:
    """A line of `/article list`, with the article's topics."""
    line = render.article_line(article)
    return f"{line} · {topic_list(topics)}" if topics else line


def article_pages(articles: list[ArticleInfo], topics: dict[int, list[str]]) -> list[str]:
    header = f"**{render.plural(len(articles), 'article')}** in this server's library"
    return render.pages(header, [article_line(a, topics.get(a.id, [])) for a in articles])


def _question(text: str) -> str:
    return render.escape(render.shorten(" ".join(text.split()), QUESTION_SHOWN))


def _unhelpful(passage: PassageVotes) -> str:
    asked = "; ".join(f"“{_question(q)}”" for q in passage.questions[:3])
    excerpt = render.escape(render.shorten(passage.excerpt, QUESTION_SHOWN))
    return (
        f"{render.article_title(passage.article)}, the passage “{excerpt}…”:"
        f" {passage.unhelpful} not helpful, {passage.helpful} helpful"
        + (f"; asked: {asked}" if asked else "")
    )


def stats_pages(usage: Usage, keeps_questions: bool) -> list[str]:
    """`/article stats`: questions that found nothing, passages voted not helpful, the
    articles answering most often."""
    lines = ["**Questions that found nothing** (most frequent first)"]
    if not keeps_questions and not usage.logged:
        lines.append("-# The question log is off: turn it on with `/config questions`.")
    lines += [f"{n}× {_question(q)}" for q, n in usage.unanswered] or ["none"]
    lines.append("**Passages most often marked not helpful**")
    lines += [_unhelpful(p) for p in usage.unhelpful] or ["none"]
    lines.append("**Articles answering most often**")
    lines += [
        f"{render.article_title(a)}: {render.plural(n, 'answer')}" for a, n in usage.answering
    ] or ["none"]
    header = f"**Stats** · {render.plural(usage.logged, 'question')} in the log"
    return render.pages(header, lines, per_page=25)
