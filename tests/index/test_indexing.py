"""Indexing: a document into passages with term counts, title terms, and the content hash."""

import gc
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import index.indexing
from index.analyzer import Analyzer
from index.errors import InputError
from index.indexing import (
    Analysed,
    Preparation,
    analyse,
    content_hash,
    prepare,
    with_term_ids,
)
from index.ingest import Document
from index.passages import PassageSettings
from index.settings import LibrarySettings
from index.store.columns import NewPassage, NewPassages, StoredTokens
from index.vocabulary import Vocabulary

TEXT = (
    "The keeper climbed the stairs at dusk. He lit the great lamp.\n\n"
    "Ships passed the rocks safely all night."
)
SETTINGS = PassageSettings(target_words=5, max_words=8, min_words=3, title_weight=2)


def test_each_passage_counts_the_title_terms_title_weight_times() -> None:
    """Every passage carries the title's terms, as often as `title_weight` says."""
    analysed = analyse(TEXT, "Lighthouse keeper", Analyzer(), SETTINGS)
    assert len(analysed.passages) == 3
    first, _, last = analysed.terms
    assert first == {"keeper": 3, "climb": 1, "stair": 1, "dusk": 1, "lighthous": 2}
    assert last == {
        "ship": 1,
        "pass": 1,
        "rock": 1,
        "safe": 1,
        "night": 1,
        "lighthous": 2,
        "keeper": 2,
    }


def test_an_untitled_article_has_no_title_terms() -> None:
    """Without a title (or with title_weight 0) a passage's terms are its own words only."""
    untitled = analyse(TEXT, None, Analyzer(), SETTINGS)
    unweighted = analyse(TEXT, "Lighthouse", Analyzer(), PassageSettings(5, 8, 3, title_weight=0))
    assert untitled.terms[0] == {"keeper": 1, "climb": 1, "stair": 1, "dusk": 1}
    assert unweighted.terms == untitled.terms


def test_preparing_collapses_the_title_and_keeps_the_metadata() -> None:
    """The stored article: title spaces collapsed, blank title None, metadata carried."""
    document = Document(title="  A  keeper's\nlog ", text=TEXT, url="https://e.org/a", author="Ann")
    analysed, article = prepare(document, "c", "curator", Analyzer(), SETTINGS)
    _, untitled = prepare(Document(title=" \n", text=TEXT), "c", None, Analyzer(), SETTINGS)
    assert article.title == "A keeper's log"
    assert (article.collection, article.url, article.author, article.added_by) == (
        "c",
        "https://e.org/a",
        "Ann",
        "curator",
    )
    assert article.content_hash == analysed.digest == content_hash(TEXT)
    assert untitled.title is None


def test_an_empty_article_is_refused_by_its_title() -> None:
    """Blank text is an InputError naming the article."""
    with pytest.raises(InputError, match=r"^Notes has no text$"):
        prepare(Document(title="Notes", text="  \n\n "), "c", None, Analyzer(), SETTINGS)


def test_content_hash_ignores_spacing_and_case_even_for_long_texts() -> None:
    """The identity of a long article does not depend on line breaks, spacing or case."""
    words = [f"word{i}" for i in range(40_000)]  # several hash chunks
    assert content_hash(" ".join(words)) == content_hash("\n\n".join(words).upper().lower())
    assert content_hash(" ".join(words)) != content_hash(" ".join(words[:-1]))


def test_a_passage_counts_the_terms_of_the_headings_it_is_under() -> None:
    """A Markdown section's passages carry its headings' terms, title_weight times each, as
    they carry the title's; the passage before any heading does not."""
    text = "Intro about ships.\n\n## Lamps\n\nThe keeper lit it.\n\n### Oil\n\nIt burned all night."
    settings = PassageSettings(title_weight=2)
    analysed = analyse(text, None, Analyzer(), settings)
    assert analysed.terms == [
        {"intro": 1, "ship": 1},
        {"keeper": 1, "lit": 1, "lamp": 2},
        {"burn": 1, "night": 1, "lamp": 2, "oil": 2},
    ]
    headings = [p.heading for p in analysed.passages]
    assert [text[h[0] : h[1]] if h else None for h in headings] == [None, "Lamps", "Oil"]


def test_the_terms_of_the_passages_are_plain_dicts() -> None:
    """Counts are dicts, not Counters: the garbage collector need not follow them."""
    assert all(type(terms) is dict for terms in analyse(TEXT, "T", Analyzer(), SETTINGS).terms)


def test_five_megabytes_without_a_space_are_not_one_passage_or_one_term() -> None:
    """'word.' a million times: passages within the limits, and the terms are the words."""
    analysed = analyse("word." * 1_000_000, None, Analyzer(), PassageSettings())
    assert len(analysed.passages) == 5_000_000 // 1_000
    assert max(p.end - p.start for p in analysed.passages) <= 1_200
    assert all(terms == {"word": 200} for terms in analysed.terms)


def test_a_word_too_long_to_index_yields_no_term() -> None:
    """Text of one 100,000-character "word" is stored in passages but has no terms."""
    analysed = analyse("x" * 100_000, None, Analyzer(), PassageSettings())
    assert len(analysed.passages) == 100 and all(terms == {} for terms in analysed.terms)


def test_content_hash_of_text_without_spaces_is_read_in_chunks_all_the_same() -> None:
    """A text of no white space is hashed as the one word it is: the same whatever its case,
    different when one character differs, equal to the hash of that word and a space."""
    import hashlib

    word = "Straße" * 30_000 + "é" * 70_000
    expected = hashlib.sha256((word.casefold() + " ").encode()).hexdigest()
    assert content_hash(word) == content_hash(word.upper().lower()) == expected
    assert content_hash(word) != content_hash(word[:-1] + "e")
    assert (
        content_hash(f"{word} {word}\n")
        == hashlib.sha256((word.casefold() + " " + word.casefold() + " ").encode()).hexdigest()
    )


@given(st.text(st.characters(max_codepoint=127), max_size=300))
def test_an_ascii_texts_tokens_are_its_terms(text: str) -> None:
    """Where a passage is ASCII its terms are read from its tokens: they are the same."""
    analyzer = Analyzer()
    assert [t.term for t in analyzer.tokens(text)] == analyzer.terms(text)


def test_each_passages_counts_are_its_analysed_terms() -> None:
    """ASCII or not, a passage's counts are those of `Analyzer.terms` (title terms aside)."""
    text = "Café Müller’s ½ price: ｆｕｌｌ width.\n\nThe keeper's lamp, lit at dusk. " * 3
    analyzer = Analyzer()
    analysed = analyse(text, None, analyzer, SETTINGS)
    for passage, counts in zip(analysed.passages, analysed.terms, strict=True):
        assert counts == dict(Counter(analyzer.terms(text[passage.start : passage.end])))


def test_analysing_a_large_article_hardly_runs_the_garbage_collector() -> None:
    """Objects kept a token while a passage is analysed (a 200-word passage of "word." had
    1,200 of them) made the collector run and promote them towards its full passes: 1 MB ran
    its second generation 41 times and a full collection 3 times."""
    settings = LibrarySettings().passages
    text = "word." * 200_000
    analyse(text[:1000], None, Analyzer(), settings)  # what is made once
    gc.collect()
    before = gc.get_stats()[1]["collections"]
    analysed = analyse(text, None, Analyzer(), settings)
    assert len(analysed.passages) == 500
    assert gc.get_stats()[1]["collections"] - before <= 2


def _analysed(terms: list[dict[str, int]], tokens: list[tuple[str, ...]]) -> Analysed:
    """Passages with these term counts and tokens' terms (their spans do not matter here)."""
    empty = np.empty(0, np.int32)
    passages = [
        NewPassage(0, 5, [(0, 5)], empty, empty, tokens=StoredTokens(empty, empty)) for _ in terms
    ]
    return Analysed.of("digest", NewPassages.of(passages), terms, tokens)


def test_known_terms_keep_their_ids_and_new_ones_get_provisional_ids() -> None:
    """New terms are named -1, -2, ... in order of first use, once each across passages; the
    tokens share the ids, and a term only the tokens have comes after the counts' ones."""
    vocabulary = Vocabulary({"lighthous": 3, "keeper": 7})
    counts = [{"lighthous": 2, "stair": 1}, {"stair": 1, "dusk": 4}]
    analysed = _analysed(counts, [("stair", "keeper"), ("dusk", "gull", "stair")])
    passages, new = with_term_ids(analysed, vocabulary)
    assert new == ["stair", "dusk", "gull"]
    assert [p.term_ids.tolist() for p in passages] == [[3, -1], [-1, -2]]
    assert [p.term_freqs.tolist() for p in passages] == [[2, 1], [1, 4]]
    assert [p.tokens.term_ids.tolist() for p in passages if p.tokens] == [[-1, 7], [-2, -3, -1]]


def test_articles_written_together_share_provisional_ids() -> None:
    vocabulary = Vocabulary()
    shared: dict[str, int] = {}
    first, _ = with_term_ids(_analysed([{"ship": 1}], [("ship",)]), vocabulary, shared)
    second, _ = with_term_ids(_analysed([{"sail": 1, "ship": 2}], [()]), vocabulary, shared)
    assert list(shared) == ["ship", "sail"]
    assert [p.term_ids.tolist() for p in (*first, *second)] == [[-1], [-2, -1]]


def test_a_committed_term_is_named_by_its_stored_id() -> None:
    """Until its write commits a term stays new; afterwards its stored id is used."""
    vocabulary = Vocabulary()
    analysed = _analysed([{"ship": 1, "sail": 1}], [("sail",)])
    assert with_term_ids(analysed, vocabulary)[1] == ["ship", "sail"]
    vocabulary.commit([(4, "ship")])  # the id the store gave it
    passages, new = with_term_ids(analysed, vocabulary)
    assert new == ["sail"]
    assert [p.term_ids.tolist() for p in passages] == [[4, -1]]


def _preparation(text: str) -> Preparation:
    settings = LibrarySettings()
    return Preparation(Document("Lamps", text), "c", None, settings.analyzer, settings.passages)


def test_the_child_leaves_out_a_text_that_normalising_did_not_change() -> None:
    """The reader child's reply has no text where the parent's document already holds it, and
    `with_text` puts it back."""
    job = _preparation(TEXT)
    _, article = job.load()
    assert (article.text, job.with_text(article).text) == ("", TEXT)


def test_the_child_sends_the_text_back_when_normalising_changed_it() -> None:
    """A text with Windows line breaks is stored with "\\n": the child's reply carries it."""
    job = _preparation(TEXT.replace("\n", "\r\n"))
    _, article = job.load()
    assert job.with_text(article).text == article.text == TEXT


def test_a_long_analysis_lets_go_of_the_gil_between_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Analysis in a worker thread lets go of the GIL of its own accord every `_SHARE` seconds
    (between passages), so that the event loop need not wait for the switch interval."""
    sleeps: list[float] = []
    monkeypatch.setattr(index.indexing, "_SHARE", -1.0)  # due before every passage
    monkeypatch.setattr(index.indexing.time, "sleep", sleeps.append)
    analysed = analyse(TEXT, None, Analyzer(), SETTINGS)
    assert set(sleeps) == {0}
    assert len(sleeps) >= len(analysed.passages)  # and after each piece hashed and mapped
