"""The analyzer: one way from text to index terms, for articles and questions alike."""

from index.analyzer import Analyzer, AnalyzerSettings


def test_terms_are_folded_stemmed_and_free_of_stop_words() -> None:
    """Case, accents and inflection do not matter; stop words are dropped."""
    analyzer = Analyzer()
    assert analyzer.terms("What did the RUNNERS say about Café Zürich?") == [
        "runner",
        "say",
        "cafe",
        "zurich",
    ]


def test_curly_and_straight_apostrophes_give_the_same_term() -> None:
    """Russia’s and Russia's are one term, the possessive removed by the stemmer."""
    analyzer = Analyzer()
    assert analyzer.terms("Russia’s") == analyzer.terms("Russia's") == ["russia"]


def test_decimals_stay_one_term() -> None:
    """A number with a decimal point is not split in two."""
    assert Analyzer().terms("it cost 3.50 dollars") == ["cost", "3.50", "dollar"]


def test_tokens_point_back_to_the_original_text() -> None:
    """Every token's span is the word it came from, for highlighting."""
    text = "Xi Jinping’s ties cannot be BROKEN."
    tokens = Analyzer().tokens(text)
    assert [text[t.start : t.end] for t in tokens] == ["Xi", "Jinping’s", "ties", "BROKEN"]
    assert [t.term for t in tokens] == Analyzer().terms(text)


def test_settings_round_trip_through_json() -> None:
    """Settings are stored with the index as JSON and read back equal."""
    settings = AnalyzerSettings(stem=False, stopwords="none")
    assert AnalyzerSettings.from_json(settings.to_json()) == settings


def test_without_stop_words_every_word_is_a_term() -> None:
    """The stop word list can be switched off."""
    assert Analyzer(AnalyzerSettings(stopwords="none", stem=False)).terms("what is it") == [
        "what",
        "is",
        "it",
    ]
