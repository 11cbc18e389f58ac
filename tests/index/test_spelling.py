"""Reading a question's word that the library lacks as a library term one edit away."""

from index.spelling import MIN_CHARS, correct, edits


def test_edits_are_one_deletion_swap_substitution_or_insertion_away() -> None:
    """'form' gives 'frm', 'fomr', 'farm' and 'forms', never itself or two edits away."""
    found = edits("form")
    assert {"frm", "fom", "fomr", "ofrm", "farm", "fort", "forms", "aform"} <= found
    assert "form" not in found
    assert {"fm", "foot", "ormf"} & found == set()


def test_edits_keep_the_terms_own_letters() -> None:
    """Substitutions and insertions use a-z, 0-9 and the term's own letters, no others."""
    found = edits("né")
    assert {"éé", "nné", "ne"} <= found
    assert "ñé" not in found


def test_a_held_term_one_edit_away_is_the_correction() -> None:
    """'carageenan' is read as 'carrageenan', the only held term one edit away."""
    idf = {"carrageenan": 2.0}
    assert correct("carageenan", lambda t: idf.get(t, 0.0)) == "carrageenan"


def test_the_term_held_by_the_most_passages_wins() -> None:
    """'forma' could be 'forms' (IDF 3) or 'format' (IDF 1): the more common 'format'."""
    idf = {"forms": 3.0, "format": 1.0}
    assert correct("forma", lambda t: idf.get(t, 0.0)) == "format"


def test_equally_common_terms_are_decided_by_the_term() -> None:
    """Two corrections with the same IDF: the first by its spelling, every time."""
    idf = {"formb": 1.0, "forma": 1.0}
    assert correct("formc", lambda t: idf.get(t, 0.0)) == "forma"


def test_short_terms_and_terms_without_a_neighbour_are_left_alone() -> None:
    """A term under MIN_CHARS characters, or with no held term one edit away: None."""
    assert MIN_CHARS == 5
    assert correct("morn", lambda t: 1.0) is None
    assert correct("mornings", lambda t: 0.0) is None
