"""The analyzer: one way from text to index terms, for articles and questions alike."""

import dataclasses
import gc
import json
import sys
from collections import Counter

import pytest
import Stemmer
from hypothesis import given
from hypothesis import strategies as st

from index import analyzer as analyzer_module
from index.analyzer import MAX_WORD_CHARS, Analyzer, AnalyzerSettings


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


@pytest.mark.parametrize("text", ["?", ":", "", "!!! ...", " \t"])
def test_text_without_words_has_no_tokens(text: str) -> None:
    """Punctuation alone (a question "?") has no tokens, rather than raising ValueError."""
    assert Analyzer().tokens(text) == []
    terms, spans = Analyzer().token_spans(text)
    assert terms == [] and spans.shape == (0, 2)


def test_token_spans_are_the_tokens_as_two_columns() -> None:
    text = "The Café’s 3.50 dollars, and the BROKEN ties of Xi Jinping’s time."
    terms, spans = Analyzer().token_spans(text)
    assert [(t.term, t.start, t.end) for t in Analyzer().tokens(text)] == [
        (term, start, end) for term, (start, end) in zip(terms, spans.tolist(), strict=True)
    ]


def test_settings_are_stored_as_json_of_every_field() -> None:
    """Settings are stored with the index as JSON holding every field."""
    settings = AnalyzerSettings(stem=False, stopwords="none")
    assert json.loads(settings.to_json()) == dataclasses.asdict(settings)


def test_without_stop_words_every_word_is_a_term() -> None:
    """The stop word list can be switched off."""
    assert Analyzer(AnalyzerSettings(stopwords="none", stem=False)).terms("what is it") == [
        "what",
        "is",
        "it",
    ]


SINO = (
    "“Sino-Russian relations aren’t affected by changes in the international situation or"
    " interference by any other factors, strengthening strategic cooperation between China and"
    " Russia can effectively resist any attempt to suppress and divide the two countries”, Xi"
    " Jinping said according to Chinese Foreign Ministry’s statement."
)  # a sentence of the sample article
UNSTEMMED = AnalyzerSettings(stem=False)


def test_a_sentence_of_the_article_gives_its_content_words_in_order() -> None:
    """Without stemming: every word but the stop words, case-folded, apostrophes unified."""
    assert Analyzer(UNSTEMMED).terms(SINO) == [
        "sino",
        "russian",
        "relations",
        "affected",
        "changes",
        "international",
        "situation",
        "interference",
        "factors",
        "strengthening",
        "strategic",
        "cooperation",
        "china",
        "russia",
        "effectively",
        "resist",
        "attempt",
        "suppress",
        "divide",
        "two",
        "countries",
        "xi",
        "jinping",
        "said",
        "according",
        "chinese",
        "foreign",
        "ministry's",
        "statement",
    ]


def test_tokens_of_an_article_sentence_span_its_original_words() -> None:
    """Tokens skip stop words and punctuation and point at the words as written."""
    tokens = Analyzer(UNSTEMMED).tokens(SINO)
    assert [SINO[t.start : t.end] for t in tokens][:3] == ["Sino", "Russian", "relations"]
    assert [SINO[t.start : t.end] for t in tokens][-2:] == ["Ministry’s", "statement"]
    assert [t.term for t in tokens] == Analyzer(UNSTEMMED).terms(SINO)


def test_stemming_can_be_switched_off() -> None:
    """stem=False keeps inflected forms that the stemmer would reduce."""
    text = "The runners were running"
    assert Analyzer().terms(text) == ["runner", "run"]
    assert Analyzer(UNSTEMMED).terms(text) == ["runners", "running"]


def test_accents_are_kept_when_folding_is_off() -> None:
    """fold_accents=False keeps non-ASCII letters as they are (after case folding)."""
    keep = Analyzer(AnalyzerSettings(fold_accents=False, stem=False))
    assert keep.terms("Café Zürich") == ["café", "zürich"]
    assert Analyzer(UNSTEMMED).terms("Café Zürich") == ["cafe", "zurich"]


def test_without_stop_words_every_word_is_stemmed() -> None:
    """stopwords="none" with stemming: function words stay, inflections go."""
    analyzer = Analyzer(AnalyzerSettings(stopwords="none"))
    assert analyzer.terms("The runners were running") == ["the", "runner", "were", "run"]


def test_tokens_without_stop_words_include_function_words() -> None:
    """stopwords="none": tokens cover every word, 'the' and 'were' included."""
    text = "The runners were running"
    tokens = Analyzer(AnalyzerSettings(stopwords="none", stem=False)).tokens(text)
    assert [(t.term, text[t.start : t.end]) for t in tokens] == [
        ("the", "The"),
        ("runners", "runners"),
        ("were", "were"),
        ("running", "running"),
    ]


def test_an_unknown_stop_word_list_is_rejected() -> None:
    """Only "english" and "none" are stop word lists."""
    with pytest.raises(ValueError, match="unknown stop word list"):
        Analyzer(AnalyzerSettings(stopwords="french"))


def test_compatibility_characters_are_normalised() -> None:
    """NFKC: a ligature and full-width digits (as in PDFs) become plain letters and digits."""
    assert Analyzer(UNSTEMMED).terms("ﬁnancial results for ２０２０") == [
        "financial",
        "results",
        "2020",
    ]


def test_default_settings_are_the_documented_ones() -> None:
    """English stop words, stemming and accent folding on, version 2; Analyzer() uses them."""
    assert dataclasses.astuple(AnalyzerSettings()) == ("english", "english", True, True, 2)
    assert Analyzer().settings == AnalyzerSettings()


def test_settings_are_stored_as_stable_json() -> None:
    """The stored form is sorted-key JSON (a change would rebuild every index)."""
    assert AnalyzerSettings().to_json() == (
        '{"fold_accents": true, "language": "english", "stem": true, "stopwords": "english",'
        ' "version": 2}'
    )


def test_settings_are_immutable_values() -> None:
    """Settings are frozen: hashable, and never changed in place."""
    settings = AnalyzerSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.stem = False  # type: ignore[misc]
    assert hash(settings) == hash(AnalyzerSettings())


def test_a_word_longer_than_sixty_four_characters_is_not_a_term() -> None:
    """A 65-character run (a hash, a run of letters without spaces) is left out of terms and
    tokens alike; one of 64 is kept."""
    analyzer = Analyzer()
    text = f"{'a' * 65} harbour {'b' * 64}"
    assert analyzer.terms(text) == ["harbour", "b" * 64]
    assert [(t.term, t.start) for t in analyzer.tokens(text)] == [("harbour", 66), ("b" * 64, 74)]
    assert MAX_WORD_CHARS == 64


def test_remembered_stems_are_those_of_the_stemmer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Words seen before get their stem from memory, the same as stemming them; the memory
    is bounded (past `STEMS_KEPT` words it starts again)."""
    monkeypatch.setattr(analyzer_module, "STEMS_KEPT", 3)
    stemmer = Stemmer.Stemmer("english")
    text = "Running runners ran; the runner runs quickly, running."
    words = Analyzer().terms(text)  # a fresh analyzer: every stem computed
    analyzer = Analyzer()
    for _ in range(3):
        assert analyzer.terms(text) == words
    assert words == stemmer.stemWords(["running", "runners", "ran", "runner", "runs",
                                       "quickly", "running"])  # fmt: skip
    for n in range(20):
        analyzer.terms(f"word{n}")
    assert len(analyzer._stems) <= 4


def test_remembered_stems_and_titles_leave_nothing_the_collector_follows() -> None:
    """2,000 new words stemmed and a title's terms remembered leave no object that every full
    collection scans (PyStemmer's own cache kept a list a word; a cache of frozensets three
    objects a title), so a bot's questions do not bring on full collections."""
    analyzer = Analyzer()
    analyzer.terms("warm up")
    gc.collect()
    before = len(gc.get_objects())
    analyzer.terms(" ".join(f"harbour{i}ing" for i in range(2000)))
    for i in range(200):
        analyzer.title_terms(f"The rebuilt harbour number {i}")
    gc.collect()
    assert len(gc.get_objects()) - before < 20


def _alike(analyzer: Analyzer, text: str) -> bool:
    """Whether the terms of `text` as a whole are its words' terms one by one."""
    return Counter(analyzer.terms(text)) == Counter(analyzer.token_spans(text)[0])


def test_a_text_said_to_give_its_words_terms_gives_them() -> None:
    """Every 97th code point (and the usual punctuation, accents, ligatures and fractions), in
    and between words and numbers: where `words_are_terms` says so, one analysis is enough."""
    analyzer = Analyzer()
    chars = [chr(c) for c in range(0x80, sys.maxunicode + 1, 97) if not 0xD800 <= c < 0xE000]
    chars += list("’‘ʼ“”–—…éüßİŉ½²ﬁ™\u0301\u0b3e")
    said = 0
    for char in chars:
        for text in (f"ab{char}cd", f"{char}x", f"1{char}2", f"3.{char}5 it{char}s a’{char}’b"):
            if analyzer.words_are_terms(text):
                said += 1
                assert _alike(analyzer, text), (hex(ord(char)), text)
    assert said > 30_000


def test_a_vowel_sign_that_joins_the_letter_before_it_is_not_alone() -> None:
    """Balinese AKARA and TEDUNG compose into one letter: the whole text's words differ from
    the words one by one, and `words_are_terms` says so."""
    analyzer = Analyzer()
    text = "x\u1b05\u1b35y"
    assert not _alike(analyzer, text)
    assert not analyzer.words_are_terms(text)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_ascii_text_is_split_as_any_text(text: str) -> None:
    """ASCII text is split into words by its own pattern exactly as by the general one."""
    assert analyzer_module._SPLIT_ASCII.split(text) == analyzer_module._SPLIT.split(text)


def test_every_ascii_character_is_split_as_in_any_text() -> None:
    """Each ASCII character, inside, before and after words and numbers, is split alike."""
    for code in range(0x80):
        for context in ("a{}b", "1{}2", "{}", "x'{}'y", "3.{}5"):
            text = context.format(chr(code))
            assert analyzer_module._SPLIT_ASCII.split(text) == analyzer_module._SPLIT.split(text)
