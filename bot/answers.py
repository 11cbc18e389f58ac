"""Answer messages: what they say, what they carry, and what is remembered or logged of them.

An answer message opens with its question (`-# Q: ...`), and a follow-up's also with the earlier
question (`-# After: ...`). The message is the state its buttons need once the process that
sent it is gone: a button that must re-ask reads the question back from it (`asked_in`). While
the process lives, it remembers its recent answers (`AnswerCache`), so that paging shows exactly
what was found. Questions are logged only where a server's curators turned the log on.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, replace

from bot import render
from index import Answer, Library, guild_collection

log = logging.getLogger(__name__)

QUESTION_PREFIX = "-# Q: "
EARLIER_PREFIX = "-# After: "
EARLIER_MAX = 300  # characters of earlier questions a follow-up carries
REMEMBERED = 512  # answers a process keeps in memory for their buttons
_ESCAPED = re.compile(r"\\([\\*_~`|>#\-\[\]()<:])")


@dataclass(frozen=True)
class Asked:
    """A question as asked: its words, the earlier question of a follow-up (else ""), the
    topics searched (none: every article) and the topic chosen in `/ask` (carried by the
    buttons; else the channel's topics apply)."""

    question: str
    earlier: str = ""
    topics: tuple[str, ...] = ()
    topic: str = ""


def _line(text: str) -> str:
    return render.escape(render.shorten(" ".join(text.split()), render.QUESTION_LIMIT))


def header(asked: Asked) -> str:
    """The lines that open an answer: the question, and a follow-up's earlier question."""
    lines = [QUESTION_PREFIX + _line(asked.question)]
    if asked.earlier:
        lines.append(EARLIER_PREFIX + _line(asked.earlier))
    return "\n".join(lines)


def content(asked: Asked, answer: Answer, index: int = 0, retry: str | None = None) -> str:
    """An answer message showing result `index` (or the no-match, with the question `retry`
    suggests), under its header."""
    if answer.results:
        body = render.render_answer(answer, index)
    else:
        body = render.render_no_match(answer)
        if asked.topics and answer.searched:
            topics = render.escape(render.shorten(", ".join(asked.topics), 200))
            body += f"\n-# Only the articles of these topics were searched: {topics}."
        if retry:
            body += f"\nDid you mean: **{render.escape(render.shorten(retry, 300))}**?"
    return render.fit(f"{header(asked)}\n{body}")


def unescape(text: str) -> str:
    """`render.escape` undone: the text as it was asked."""
    return _ESCAPED.sub(r"\1", text.replace("@\u200b", "@"))


def asked_in(message: str) -> tuple[str, str] | None:
    """The question and earlier question an answer message shows (as shown: a question longer
    than `render.QUESTION_LIMIT` is cut); None for any other message."""
    lines = message.split("\n")
    if not lines[0].startswith(QUESTION_PREFIX):
        return None
    question = unescape(lines[0].removeprefix(QUESTION_PREFIX)).removesuffix("…")
    earlier = ""
    if len(lines) > 1 and lines[1].startswith(EARLIER_PREFIX):
        earlier = unescape(lines[1].removeprefix(EARLIER_PREFIX)).removesuffix("…")
    return question, earlier


def follow_up_of(message: str) -> str | None:
    """What a follow-up to this answer message carries as its earlier question: the answer's
    question and its own earlier one; None when the message is not an answer."""
    found = asked_in(message)
    if found is None:
        return None
    return render.shorten(" ".join(" ".join(found).split()), EARLIER_MAX)


class AnswerCache:
    """The answers this process sent most recently, by message id (a bounded memory)."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._answers: OrderedDict[int, tuple[Asked, Answer]] = OrderedDict()

    def put(self, message_id: int, asked: Asked, answer: Answer) -> None:
        self._answers[message_id] = (asked, answer)
        self._answers.move_to_end(message_id)
        while len(self._answers) > self._size:
            self._answers.popitem(last=False)

    def get(self, message_id: int) -> tuple[Asked, Answer] | None:
        return self._answers.get(message_id)


async def ask(library: Library, guild_id: int, asked: Asked, k: int) -> Answer:
    """The library's answer to a question in a server (within its topics, after its earlier
    question)."""
    return await library.ask(
        guild_collection(guild_id), asked.question, k, topics=asked.topics, earlier=asked.earlier
    )


async def log_question(
    library: Library, guild_id: int, asked: Asked, answer: Answer, message_id: int | None
) -> None:
    """Log the question if the server keeps questions; a failure is logged, never raised (the
    answer was sent already)."""
    top = answer.results[0].article.id if answer.results else None
    try:
        await library.community.log_question(
            guild_collection(guild_id), asked.question, message_id, top
        )
    except Exception:
        log.warning("could not log a question in guild %s", guild_id, exc_info=True)


async def did_you_mean(library: Library, guild_id: int, asked: Asked, answer: Answer) -> str | None:
    """For a question that found nothing because of words no article holds, the question
    with the closest words the library holds instead; None when no word is close enough, or
    when the corrected question would find nothing either (no suggestion beats a bad one)."""
    if answer.results or not answer.searched or not answer.unknown_words:
        return None
    corrected = await library.suggestions.did_you_mean(
        guild_collection(guild_id), answer.question, answer.unknown_words
    )
    if corrected is None:
        return None
    corrected = " ".join(corrected.split())  # one line: it is carried in a button's custom_id
    found = await ask(library, guild_id, replace(asked, question=corrected), 1)
    return corrected if found.results else None
