"""Tests for index.ingest.clean: whitespace, invisible characters and titles of pasted text."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.ingest import clean
from index.ingest.clean import clean_text, normalise
from tests.index.ingest.samples import ARTICLES, PARAGRAPH, SAMPLE, SHARED


def test_sample_title_is_first_line() -> None:
    """The pasted article's headline (ending in 'U.S.') becomes the title."""
    raw = SAMPLE.read_text(encoding="utf-8")
    title, _ = clean_text(raw)
    assert title == raw.splitlines()[0].strip()


def test_sample_keeps_the_article() -> None:
    """The body keeps the first and the last real paragraphs verbatim."""
    _, body = clean_text(SAMPLE.read_text(encoding="utf-8"))
    assert "cannot be broken" in body
    assert body.endswith("cooperation in the development of the Arctic waterways.")
    assert "Belt and Road initiative" in body.split("\n\n")[-1]


def test_whitespace_normalised() -> None:
    """CRLF becomes LF, trailing spaces go, runs of blank lines collapse to one."""
    _, body = clean_text("Title\r\n\r\nFirst line.  \r\n\r\n\r\n\r\nSecond line.\t\r\n")
    assert body == "First line.\n\nSecond line."


def test_invisible_characters_removed() -> None:
    """Zero-width spaces, stray joiners, soft hyphens and control characters are removed."""
    _, body = clean_text("Title\n\nThe \u200ciPhone\u200c is in\u00adformation\u200b.\x07")
    assert body == "The iPhone is information."


def test_bidi_controls_removed() -> None:
    """Bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069) are removed."""
    controls = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
    assert normalise(f"Pay {controls}the harbour\u202e fee\u2069.") == "Pay the harbour fee."


def test_lone_surrogate_made_a_replacement_character() -> None:
    """A lone surrogate (from a JSON escape) becomes U+FFFD, so the text can be encoded."""
    text = normalise("The harbour\ud800 and the \udcff quay.")
    assert text == "The harbour\ufffd and the \ufffd quay."
    text.encode("utf-8")


# Characters whose handling depends on their neighbours, and others around them.
_TRICKY = st.text(alphabet=st.sampled_from("ab é\u200c\u200d\r\n\u2029\u200b\u202e\x01\ud800"))


@given(_TRICKY)
def test_long_text_normalised_in_chunks_as_in_one_piece(text: str) -> None:
    """Normalising in chunks (so the event loop is never held long) changes nothing."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clean, "_CHUNK", 4)
        chunked = normalise(text)
    assert chunked == normalise(text)


@pytest.mark.parametrize("start", range(0, 0x110000, 0x8000))
def test_text_left_alone_holds_nothing_normalising_would_change(start: int) -> None:
    """Text in which one pass finds no character to change is given back as it is: every
    code point, between letters, accents and a joiner, normalised the long way comes out the
    same wherever that pass finds nothing."""
    touched = clean._TOUCHED
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clean, "_TOUCHED", re.compile("(?s:.)"))  # finds something in any text
        for code in range(start, start + 0x8000):
            for context in ("a{}b", "{}", "\u00e9{}\u00e9", "\u200c{}", "{}\n"):
                text = context.format(chr(code))
                if touched.search(text) is None:
                    assert clean._normalise(text) == text


def test_text_of_joiners_only_is_empty() -> None:
    """A run of zero-width joiners (nothing visible) is removed whole, not kept as text."""
    assert normalise("\u200d" * 500 + "\u200c\u200d" * 100) == ""
    assert clean_text("Title\n\n" + "\u200b\u200d\ufeff\u00ad" * 500) == (None, "Title")


def test_joiners_inside_words_kept() -> None:
    """A zero-width non-joiner between two Persian letters is part of the word."""
    word = "می\u200cخواهم"
    _, body = clean_text(f"Title\n\n{word} text.")
    assert body == f"{word} text."


def test_paragraph_per_line_text_split() -> None:
    """Long lines separated by single newlines become paragraphs separated by a blank line."""
    text = f"Title\n{PARAGRAPH}\n{PARAGRAPH}"
    title, body = clean_text(text)
    assert title == "Title"
    assert body == f"{PARAGRAPH}\n\n{PARAGRAPH}"


def test_hard_wrapped_text_kept() -> None:
    """Hard-wrapped lines of one paragraph stay together, and its first line is no title."""
    text = "The council met on Tuesday\nto discuss the new budget.\n\nThen it went home."
    title, body = clean_text(text)
    assert title is None
    assert body == text


def test_sentence_is_not_a_title() -> None:
    """A first line that ends a sentence stays in the body."""
    title, body = clean_text("It rained.\n\nThen it stopped.")
    assert title is None
    assert body == "It rained.\n\nThen it stopped."


def test_single_line_is_text_not_title() -> None:
    """A one-line text is the body; there is no title."""
    assert clean_text("Just one short line") == (None, "Just one short line")


def test_one_line_text_takes_its_title_case_headline() -> None:
    """The sample with its line breaks lost (as Discord's text option sends it) still takes its
    headline as the title, and the body starts at the first sentence."""
    raw = SAMPLE.read_text(encoding="utf-8")
    title, body = clean_text(" ".join(raw.split()))
    assert title == raw.splitlines()[0].strip()
    assert body.startswith("The relationship between China and Russia cannot be broken")


CELLS = "Cells That Taste Danger Set Off Immune Responses"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"{CELLS} When the immunologist looked inside the lungs, he saw them.", CELLS),
        ("Storm Hits The Coast The storm reached the coast at dawn.", "Storm Hits The Coast"),
        ("The United Nations Security Council met on Monday to discuss the war.", None),
        ("In The Beginning God Created The Heaven And The Earth and it was good.", None),
        ("Sea otters hold hands while they sleep so that they do not drift apart.", None),
    ],
)
def test_one_line_headline_only_before_a_sentence_opening(text: str, title: str | None) -> None:
    """A Title Case run is a headline only when a function word ("The", "When") starts the
    sentence after it; a sentence opening with a name is not split."""
    assert clean_text(text)[0] == title


def test_no_real_paragraph_run_together_is_taken_for_a_headline() -> None:
    """None of the 913 SQuAD paragraphs and the real articles' paragraphs, each on one line,
    gets a title: the run-in headline rule does not fire on ordinary prose."""
    paragraphs = [
        p
        for line in (SHARED / "eval/squad-dev-a/articles.jsonl").read_text().splitlines()
        for p in json.loads(line)["text"].split("\n\n")
    ]
    for gold in sorted((ARTICLES / "gold").glob("*.txt")):
        paragraphs += gold.read_text(encoding="utf-8").split("\n\n")
    titled = [p[:80] for p in paragraphs if p.strip() and clean_text(" ".join(p.split()))[0]]
    assert len(paragraphs) > 1000
    assert titled == []
