"""Repairing sentencex's sentence boundaries: each rule on the text it mends, through
`split_sentences` (so that the repaired boundaries are the ones passages use), and what it
leaves alone."""

import re
import sys

import pytest
import sentencex

from index.boundaries import repair
from index.passages import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for para in split_sentences(text) for s, e in para]


def _sentencex(text: str) -> list[str]:
    return [s.strip() for s in sentencex.segment("en", text)]


def test_a_genus_abbreviation_before_its_species_does_not_end_a_sentence() -> None:
    """'Ae. albopictus': the next word is in lower case, so the sentence goes on."""
    text = "The disease is vectored by Ae. aegypti and Ae. albopictus in Asia. It spreads."
    assert _sentences(text) == [
        "The disease is vectored by Ae. aegypti and Ae. albopictus in Asia.",
        "It spreads.",
    ]


def test_a_word_in_lower_case_may_open_a_sentence_after_an_ordinary_word() -> None:
    """'citebot' and 'mRNA' open sentences of their own although they start in lower case."""
    assert _sentences("Paste the text. citebot fetches it. mRNA vaccines came later.") == [
        "Paste the text.",
        "citebot fetches it.",
        "mRNA vaccines came later.",
    ]


def test_an_abbreviation_that_never_ends_a_sentence_continues_it() -> None:
    """'spp.' before a capital does not end the sentence either."""
    text = "Infections with Eimeria spp. Cause losses in lambs. Treatment helps."
    assert _sentences(text) == [
        "Infections with Eimeria spp. Cause losses in lambs.",
        "Treatment helps.",
    ]


def test_an_abbreviation_that_names_a_number_continues_before_one() -> None:
    """'Fig. 3' and 'approx. 5' are inside their sentences."""
    text = "See Figs. 3 and 4 for the map. It was approx. 5 km long."
    assert _sentences(text) == ["See Figs. 3 and 4 for the map.", "It was approx. 5 km long."]


def test_a_title_continues_before_a_name() -> None:
    """'Dr. Who' is one sentence."""
    assert _sentences("Dr. Who came back. He left.") == ["Dr. Who came back.", "He left."]


def test_a_listed_abbreviation_shaped_like_a_genus_keeps_its_own_rule() -> None:
    """'No.' and 'Dr.' look like a genus abbreviated ('Ae.'); before a number or a name, where
    the genus rule does not join them, their own rules still do (sentencex's boundaries given
    to `repair` directly)."""
    text = "Item No. 5 is here. Ask Dr. Who. It ends."
    cut = [(0, 9), (9, 20), (20, 28), (28, 33), (33, 41)]  # after "No.", "here.", "Dr.", ...
    assert [text[s:e].strip() for s, e in repair(text, cut)] == [
        "Item No. 5 is here.",
        "Ask Dr. Who.",
        "It ends.",
    ]


def test_an_ordinary_word_ending_a_sentence_still_ends_it() -> None:
    """'no.' in lower case before a capital, and 'p.m.' before a capital, end their sentences."""
    assert _sentences("He said no. It was over at 5 p.m. The next day came.") == [
        "He said no.",
        "It was over at 5 p.m.",
        "The next day came.",
    ]


def test_a_boundary_placed_inside_a_reference_moves_after_it() -> None:
    """sentencex cuts '(Thompson et al., | 2011) . On' where a paragraph holds several such
    references; the boundary moves to after the reference's full stop."""
    text = (
        "The direct mechanism is known (Thompson et al., 2011) . On the other hand the "
        "pathways limit the virus (Roulston et al., 1999) . A third path exists."
    )
    assert _sentencex(text)[0].endswith("et al.,")  # the error this repairs
    assert _sentences(text) == [
        "The direct mechanism is known (Thompson et al., 2011) .",
        "On the other hand the pathways limit the virus (Roulston et al., 1999) .",
        "A third path exists.",
    ]


def test_a_boundary_before_a_closing_reference_moves_after_it() -> None:
    """'infection | (41) . Flow': the numbered reference belongs to the sentence before."""
    text = "After the infection (41) . Flow cytometry is used."
    spans = [(0, 20), (20, len(text))]
    assert [text[s:e] for s, e in repair(text, spans)] == [
        "After the infection (41) . ",
        "Flow cytometry is used.",
    ]


def test_a_parenthesis_that_does_not_end_a_sentence_keeps_the_boundary() -> None:
    """A sentence opening with a parenthesis that does not close a sentence is left alone."""
    text = "It ended. (iii) Role of the protein was tested."
    spans = [(0, 10), (10, len(text))]
    assert repair(text, spans) == spans


def test_a_sentence_joined_at_every_boundary_is_read_only_near_each_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """'Ae. aegypti and Ae. ...' joins all its boundaries into one sentence; each rule reads
    only the last characters before a boundary, not the sentence joined so far (which made
    repairing 128 KB of it take half a minute)."""
    import index.boundaries as boundaries

    read: list[int] = []
    last_word = boundaries._last_word

    def counting(text: str, start: int, end: int) -> str | None:
        read.append(end - start)
        return last_word(text, start, end)

    monkeypatch.setattr(boundaries, "_last_word", counting)
    text = "Ae. aegypti and " * 500 + "Ae. albopictus."
    spans = [
        (b["start_index"], b["end_index"]) for b in sentencex.get_sentence_boundaries("en", text)
    ]
    assert len(spans) > 400
    assert repair(text, spans) == [(0, len(text))]
    assert max(read) <= boundaries._TAIL


def test_the_last_word_is_the_one_a_regular_expression_reads_whatever_the_white_space() -> None:
    """`_last_word` splits where `\\s` matches, for every white space character there is."""
    import index.boundaries as boundaries

    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() or re.match(r"\s", c)]
    assert len(spaces) > 20
    for space in spaces:
        text = f"(Fig.{space}e.g.{space}{space}Dr{space}"
        match = re.search(r"(\S+)\s*$", text)
        assert match is not None
        assert boundaries._last_word(text, 0, len(text)) == match.group(1)
        assert boundaries._last_word(space, 0, 1) is None
