"""Markdown as text (`clean_markdown`): what a reader sees, with the headings kept as structure.

The Markdown is parsed (markdown-it, CommonMark with tables and strikethrough) and written out as
plain text, so that no quote shows its marks: emphasis, links and inline code become their text,
an image its description, inline and block HTML is dropped. Headings stay on lines of their own
as ``## Heading`` (one ``#`` a level): the passages under a heading carry it as their context
(`index.passages`), and it is shown rendered (``§ Heading``), never quoted. List items keep a
``-`` (or their number), one a line; a table row is its cells joined by `` | ``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from index.ingest.clean import split_markdown

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _inline(token: Token) -> str:
    """An inline token's text: marks dropped, soft line breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)  # an image's content is its description
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts).strip()


def markdown_text(source: str) -> str:
    """Markdown -> plain text, paragraphs separated by a blank line, headings as ``## ...``."""
    blocks: list[str] = []
    lines: list[str] = []  # the lines of the list or table being read
    markers: list[str] = []  # the open lists' item markers, innermost last
    row: list[str] | None = None  # the cells of the table row being read
    heading = ""
    for token in _parser().parse(source):
        kind = token.type
        if kind == "heading_open":
            heading = "#" * int(token.tag[1:]) + " "
        elif kind in ("bullet_list_open", "ordered_list_open"):
            markers.append("-")
        elif kind == "list_item_open" and markers:
            markers[-1] = f"{token.info}{token.markup}" if token.info else "-"
        elif kind in ("bullet_list_close", "ordered_list_close"):
            markers.pop()
            if not markers:
                blocks.append("\n".join(lines))
                lines = []
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            lines.append(" | ".join(row))
            row = None
        elif kind == "table_close":
            blocks.append("\n".join(lines))
            lines = []
        elif kind == "inline" and row is not None:
            row.append(_inline(token))
        elif kind == "inline":
            text = _inline(token)
            if markers:
                lines.append(f"{'  ' * (len(markers) - 1)}{markers[-1]} {text}")
            elif text:
                blocks.append(heading + text)
            heading = ""
        elif kind in ("fence", "code_block"):
            blocks.append(token.content.rstrip())
    return "\n\n".join(block for block in blocks if block.strip())


def clean_markdown(source: str) -> tuple[str | None, str]:
    """A Markdown document -> (title, text): the text as `markdown_text` writes it, the title
    from a leading ``# Heading`` (else the first line, when it looks like one)."""
    return split_markdown(markdown_text(source))
