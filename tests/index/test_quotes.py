"""Choosing the verbatim quote inside a passage."""

from index.passages import split_sentences
from index.quotes import choose_quote
from index.analyzer import Analyzer

TEXT = (
    "The weather was mild in spring. "
    "Xi Jinping said the relationship between China and Russia cannot be broken. "
    "Both countries signed deals on energy."
)


def _quote(text: str, question: str, **weights: float) -> str:
    analyzer = Analyzer()
    sentences = split_sentences(text)[0]
    terms = weights or dict.fromkeys(analyzer.terms(question), 1.0)
    quote = choose_quote(text, sentences, analyzer.tokens(text), terms)
    return text[quote.start : quote.end]


def test_the_sentence_with_most_question_terms_is_quoted() -> None:
    """The quote is the sentence that covers the question."""
    quote = _quote(TEXT, "What did Xi say about relations between China and Russia?")
    assert quote == "Xi Jinping said the relationship between China and Russia cannot be broken."


def test_rarer_terms_weigh_more() -> None:
    """A sentence with one rare term beats one with a common term."""
    quote = _quote(TEXT, "", energi=5.0, spring=1.0)  # stems, as the index has them
    assert quote == "Both countries signed deals on energy."


def test_two_adjacent_sentences_when_together_they_cover_more() -> None:
    """A question spanning two sentences gets both."""
    quote = _quote(TEXT, "relationship broken energy deals")
    assert quote.startswith("Xi Jinping") and quote.endswith("energy.")


def test_highlights_mark_the_matched_words_inside_the_quote() -> None:
    """Highlight spans are relative to the quote and cover the matched words."""
    analyzer = Analyzer()
    sentences = split_sentences(TEXT)[0]
    quote = choose_quote(TEXT, sentences, analyzer.tokens(TEXT), {"russia": 1.0, "broken": 1.0})
    text = TEXT[quote.start : quote.end]
    assert [text[s:e] for s, e in quote.highlights] == ["Russia", "broken"]


def test_a_passage_without_matches_still_gives_its_first_sentence() -> None:
    """No matched term: the first (shortest on ties) sentence, never an error."""
    assert _quote("One. Two words.", "", zebra=1.0) == "One."
