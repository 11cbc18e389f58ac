"""Markdown as text (index/ingest/markdown.py): no marks in what can be quoted, headings kept."""

from index.ingest.markdown import clean_markdown, markdown_text


def test_inline_marks_become_their_text() -> None:
    """Emphasis, strong, strikethrough, code, links, autolinks, images, entities, escapes."""
    source = (
        'Some **bold**, _em_, ~~old~~ and `code`; [the guide](https://x.example/g "t"),'
        " <https://y.example>, ![a lighthouse](l.png), &amp; \\*stars\\* <b>tag</b>."
    )
    assert markdown_text(source) == (
        "Some bold, em, old and code; the guide, https://y.example, a lighthouse, & *stars* tag."
    )


def test_headings_stay_as_lines_of_their_own_one_hash_a_level() -> None:
    """ATX (with closing #s) and setext headings alike; their own marks are dropped."""
    source = "Intro.\n\n## Asking *a* question ##\n\nText.\n\nDetails\n-------\n\n#### Deep\n"
    assert markdown_text(source) == (
        "Intro.\n\n## Asking a question\n\nText.\n\n## Details\n\n#### Deep"
    )


def test_paragraphs_are_joined_lines_and_hard_breaks_are_kept() -> None:
    """A soft line break is a space; a hard one (two spaces or a backslash) stays a break."""
    assert markdown_text("one\ntwo  \nthree\\\nfour") == "one two\nthree\nfour"


def test_lists_keep_their_markers_one_item_a_line() -> None:
    """Bullets become '-', numbers stay, nested items are indented; the list is one block."""
    source = "- first\n- second **item**\n  - inner\n\n3. three\n4. four\n\nAfter."
    assert markdown_text(source) == (
        "- first\n- second item\n  - inner\n\n3. three\n4. four\n\nAfter."
    )


def test_tables_quotes_and_code_are_text() -> None:
    """A table row is its cells; a block quote its paragraphs; code its lines; HTML blocks and
    rules are dropped."""
    source = (
        "| a | b |\n|---|---|\n| 1 | *2* |\n\n> Quoted **text**.\n\n```py\nx = 1\n```\n\n"
        "    indented code\n\n<div>\nhtml\n</div>\n\n---\n\nEnd."
    )
    assert markdown_text(source) == (
        "a | b\n1 | 2\n\nQuoted text.\n\nx = 1\n\nindented code\n\nEnd."
    )


def test_the_title_comes_from_a_leading_heading() -> None:
    """'# Title' (or a setext one) is split off as the title; without one, no title is made up
    from a sentence."""
    assert clean_markdown("# The *citebot* guide\n\nIt answers.") == (
        "The citebot guide",
        "It answers.",
    )
    assert clean_markdown("Guide\n=====\n\nIt answers.") == ("Guide", "It answers.")
    assert clean_markdown("It answers questions.\n\nWith quotes.")[0] is None


def test_a_document_of_marks_alone_is_empty() -> None:
    """Nothing but an HTML block and a rule: no text."""
    assert markdown_text("<div></div>\n\n---\n") == ""
