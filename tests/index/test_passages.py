"""Splitting articles into sentences and passages with exact offsets."""

import json
from pathlib import Path

from index.passages import PassageSettings, split_passages, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for para in split_sentences(text) for s, e in para]


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    """'Dr.', 'J. R. R.', 'e.g.', 'U.S.' and '3.50' stay inside their sentences."""
    text = "Dr. J. R. R. Tolkien paid $3.50 for it, e.g. on a Monday. U.S. officials agreed."
    assert _sentences(text) == [
        "Dr. J. R. R. Tolkien paid $3.50 for it, e.g. on a Monday.",
        "U.S. officials agreed.",
    ]


def test_quoted_sentences_keep_their_closing_quote() -> None:
    """A sentence inside quotation marks ends after the closing mark."""
    text = 'He said "Stop. Now." Then he left.'
    assert _sentences(text)[-1] == "Then he left."


def test_paragraphs_and_lines_are_boundaries() -> None:
    """A heading line without a full stop does not run into the next sentence."""
    text = "A heading\nFirst sentence here.\n\nSecond paragraph."
    assert _sentences(text) == ["A heading", "First sentence here.", "Second paragraph."]


def test_a_very_long_sentence_is_cut_into_quotable_pieces() -> None:
    """No sentence longer than the limit survives; the pieces cover the words in order."""
    text = "word, " * 130 + "end."
    pieces = _sentences(text)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 50 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_passages_are_whole_sentences_within_the_word_range(shared: Path) -> None:
    """On real articles, passages are 40–120 words (short articles aside) of whole sentences."""
    settings = PassageSettings()
    with (shared / "eval/squad-dev-a/articles.jsonl").open() as f:
        articles = [json.loads(line)["text"] for line in f][:5]
    lengths = []
    for text in articles:
        for passage in split_passages(text, settings):
            assert passage.sentences[0][0] == passage.start
            assert passage.sentences[-1][1] == passage.end
            for start, end in passage.sentences:
                assert text[start:end] == text[start:end].strip() != ""
            lengths.append(len(text[passage.start : passage.end].split()))
    assert max(lengths) <= settings.max_words
    assert sum(n >= settings.min_words for n in lengths) / len(lengths) > 0.95


def test_a_long_paragraph_becomes_several_passages() -> None:
    """A 300-word paragraph is not one passage."""
    text = " ".join(f"Sentence number {i} has exactly eight words in it." for i in range(40))
    passages = split_passages(text)
    assert len(passages) >= 3
    assert all(len(text[p.start : p.end].split()) <= 120 for p in passages)


def test_short_paragraphs_are_merged() -> None:
    """One-line paragraphs join their neighbours rather than standing alone."""
    text = "\n\n".join(f"Paragraph {i} is short but it says something." for i in range(10))
    passages = split_passages(text)
    assert len(passages) < 10
    assert all(len(text[p.start : p.end].split()) >= 40 for p in passages[:-1])


def test_empty_text_has_no_passages() -> None:
    """White space alone yields nothing."""
    assert split_passages("  \n\n \n") == []


def test_hard_wrapped_lines_do_not_cut_sentences() -> None:
    """Text wrapped at a fixed width reads as whole sentences across the line breaks."""
    text = (
        "The committee met on a cold morning in March and decided, after a long\n"
        "debate about the budget, to postpone the vote until the following week.\n"
        "Nobody was happy with the outcome of the meeting that day, least of all\n"
        "the chairman."
    )
    assert _sentences(text) == [
        "The committee met on a cold morning in March and decided, after a long\n"
        "debate about the budget, to postpone the vote until the following week.",
        "Nobody was happy with the outcome of the meeting that day, least of all\nthe chairman.",
    ]


def test_list_items_stay_separate() -> None:
    """Bulleted lines without full stops are separate sentences, not one run-on."""
    text = "Ingredients you need for this\n- two eggs\n- a cup of flour\n- some milk"
    assert _sentences(text) == [
        "Ingredients you need for this",
        "- two eggs",
        "- a cup of flour",
        "- some milk",
    ]
