"""Choosing the verbatim quote inside a passage.

The passages are sentences of the sample article (shared/samples/china-russia-article.txt), some
as they stand there, some put side by side to make a case; the weights are the question terms'
stems, as the ranking passes them.
"""

import dataclasses
import math
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analyzer import Analyzer
from index.answer_type import AnswerType, answer_type
from index.passages import CUT_END, CUT_START, PassageSettings, split_passages, split_sentences
from index.quotes import (
    ABOUT_WEIGHT,
    Found,
    Quote,
    _best_run,
    _best_whole,
    _sentences,
    _word_counter,
    choose_quote,
)

WHOLE = PassageSettings(target_words=1000, max_words=1000, min_words=1000)  # one passage

TEXT = (
    "The weather was mild in spring. "
    "Xi Jinping said the relationship between China and Russia cannot be broken. "
    "Deals on energy were signed by both countries."
)

# One passage of the article as the index stores it (four sentences: 28, 20, 19 and 28 words;
# the first three are one 67-word sentence cut at its commas).
BIDEN = (
    "“On any issue that matters to the US-China relationship from pursuing a foreign policy for"
    " the middle class, including a trade and economic agenda that protects Americans workers,"
    " our intellectual property and the environment to ensuring security and prosperity in the"
    " Indo Pacific region to championing human rights, we are stronger and more effective when"
    " we are flanked by nations that share our vision”, Joe Biden said.\n\n"
    "Xi Jinping said that any crisis would only push Sino-Russia relations to be more prominent,"
    " adding that the two countries had worked together to contain the COVID-19 pandemic."
)
ISSUE = BIDEN[: BIDEN.index(" our intellectual")]  # 28 words
RIGHTS = BIDEN[BIDEN.index("our intellectual") : BIDEN.index(" we are")]  # 20 words
VISION = BIDEN[BIDEN.index("we are") : BIDEN.index("\n")]  # 19 words
CRISIS = BIDEN[BIDEN.index("Xi Jinping") :]  # 28 words

# Single sentences of the article, by length.
PARTNERSHIP = (  # 20 words
    "China is willing to unnervingly develop the comprehensive strategic cooperative partnership"
    " between The Republic of China and Russia, Xi added."
)
INAUGURATION = (  # 21 words
    "China has been trying to consolidate its ties with other countries ahead of the inauguration"
    " of Joe Biden on January 20."
)
RIVALS = (  # 40 words
    "Andrey Denisov said that it remains to be seen if U.S. would take a more rational position"
    " in dealing with its relations with China and Russia after the countries were named by Trump"
    " administration as the biggest rivals of US."
)
BEIJING = (  # 24 words
    "The two countries have entered the comprehensive strategic partnership of coordination and no"
    " external factors could affect bilateral relations, Andrey Denisov said in Beijing."
)
HEADLINE = "'Get off Twitter' Joe Biden Urges Trump to Concentrate on Reopening Schools Safely"
# Three sentences of 29 words each (the last two are one 58-word sentence cut in half).
MILITARY = (
    "Both countries are looking to strengthen cooperation in areas like 5G, Big Data, Artificial"
    " Intelligence, Clean Energy, Aerospace Materials and Military but I don’t expect any military"
    " alliance soon.\n\n"
    "Although both countries have indicated cooperation, the selling of military hardware’s to"
    " India after June China-India border clash rises eyebrows in China but the two countries face"
    " more formidable US and they will have to work together to overcome whatever US throws at"
    " them as we have seen recently where both flied nuclear capable bombers in East seas."
)


def _choose(text: str, weights: dict[str, float], **kwargs: Any) -> Quote:
    """The quote of `text` as one passage: its sentences, long ones in pieces, and their cuts.
    A quote cutting its sentence is not completed within it unless `sentence_words` is given
    (the tests of the choice within the word limit)."""
    kwargs.setdefault("sentence_words", 0)
    passages = split_passages(text, WHOLE)
    sentences = [span for p in passages for span in p.sentences]
    cuts = [cut for p in passages for cut in p.cuts]
    return choose_quote(text, sentences, Analyzer().tokens(text), weights, cuts=cuts, **kwargs)


def _quote(text: str, question: str, **weights: float) -> str:
    terms = weights or dict.fromkeys(Analyzer().terms(question), 1.0)
    quote = _choose(text, terms)
    return text[quote.start : quote.end]


def _quoted(text: str, weights: dict[str, float], **kwargs: Any) -> str:
    quote = _choose(text, weights, **kwargs)
    return text[quote.start : quote.end]


def test_the_sentence_with_most_question_terms_is_quoted() -> None:
    """The quote is the sentence that covers the question."""
    question = "What did Xi say about relations between China and Russia?"
    quote = _quoted(TEXT, dict.fromkeys(Analyzer().terms(question), 1.0), short_words=0)
    assert quote == "Xi Jinping said the relationship between China and Russia cannot be broken."


def test_rarer_terms_weigh_more() -> None:
    """A sentence with one rare term beats one with a common term."""
    quote = _quote(TEXT, "", energi=5.0, spring=1.0)  # stems, as the index has them
    assert quote == "Deals on energy were signed by both countries."


def test_a_term_of_what_the_article_is_about_weighs_less_in_choosing() -> None:
    """'spring' (2.0) outweighs 'energi' (1.5), but as a term of the article's title it weighs
    a quarter: the sentence about energy is quoted."""
    weights = {"spring": 2.0, "energi": 1.5}
    assert _quoted(TEXT, weights, short_words=0) == "The weather was mild in spring."
    quote = _choose(TEXT, weights, short_words=0, about=frozenset({"spring"}))
    assert TEXT[quote.start : quote.end] == "Deals on energy were signed by both countries."


def test_the_quote_chosen_at_full_weights_is_what_it_covers() -> None:
    """`covered` holds the terms of the quote the question's own weights choose (re-ranking
    weighs those); `terms` the terms of the quote shown."""
    weights = {"spring": 2.0, "energi": 1.5}
    quote = _choose(TEXT, weights, short_words=0, about=frozenset({"spring"}))
    assert (quote.terms, quote.covered) == ({"energi"}, {"spring"})


QUOTED_TERMS = ["china", "russia", "energi", "spring", "trade", "vision", "pandem", "xi"]
QUOTED_TERMS += ["militari", "india", "bomber", "countri", "right", "worker"]


@given(
    weights=st.dictionaries(
        st.sampled_from(QUOTED_TERMS), st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.5])
    ),
    about=st.sets(st.sampled_from(QUOTED_TERMS)),
)
def test_what_the_article_is_about_is_chosen_as_if_its_weight_were_scaled(
    weights: dict[str, float], about: set[str]
) -> None:
    """The quote chosen with `about` is the one chosen with those terms' weights scaled by
    `ABOUT_WEIGHT` (the best at full weights is kept where it holds none of them)."""
    scaled = {t: w * ABOUT_WEIGHT if t in about else w for t, w in weights.items()}
    for text in (TEXT, BIDEN, MILITARY):
        quote = _choose(text, weights, about=frozenset(about))
        plain = _choose(text, scaled)
        assert (quote.start, quote.end) == (plain.start, plain.end)


def test_two_adjacent_sentences_when_together_they_cover_more() -> None:
    """A question spanning two sentences gets both."""
    quote = _quote(TEXT, "relationship broken energy deals")
    assert quote.startswith("Xi Jinping") and quote.endswith("countries.")


def test_highlights_mark_the_matched_words_inside_the_quote() -> None:
    """Highlight spans are relative to the quote and cover the matched words."""
    analyzer = Analyzer()
    sentences = split_sentences(TEXT)[0]
    quote = choose_quote(TEXT, sentences, analyzer.tokens(TEXT), {"russia": 1.0, "broken": 1.0})
    text = TEXT[quote.start : quote.end]
    assert [text[s:e] for s, e in quote.highlights] == ["Russia", "broken"]
    assert (quote.cut_start, quote.cut_end) == (False, False)  # no cuts given: none made


def test_without_cuts_every_sentence_is_whole() -> None:
    """Given no cuts, adjacent sentences are not pieces of one: a pair of them must cover more
    than either, a run of them is no candidate."""
    analyzer = Analyzer()
    sentences = split_sentences(TEXT)[0]
    tokens = analyzer.tokens(TEXT)
    quote = choose_quote(TEXT, sentences, tokens, {"weather": 1.0}, short_words=0)
    assert TEXT[quote.start : quote.end] == "The weather was mild in spring."


def test_a_passage_without_matches_still_gives_its_first_sentence() -> None:
    """No matched term: the passage's first sentence, though longer, never an error."""
    assert _quoted("Three words here. One.", {"zebra": 1.0}, short_words=0) == "Three words here."


def test_the_heaviest_sentence_of_an_article_passage_is_quoted_exactly() -> None:
    """The last sentence of the passage, its offsets, terms and highlights, exactly."""
    quote = _choose(BIDEN, {"pandem": 2.0, "trade": 1.0})
    start = BIDEN.index("Xi Jinping")
    assert (quote.start, quote.end) == (start, len(BIDEN))
    assert quote.terms == {"pandem"}
    assert quote.highlights == (
        (CRISIS.index("pandemic"), CRISIS.index("pandemic") + len("pandemic")),
    )


# "When will the Doobie Brothers play Blossom?" (issue 12's example), as the ranking weighs it.
DOOBIE = {"doobi": 2.0, "brother": 1.0, "play": 1.0, "blossom": 2.0}
WHEN = answer_type("When will the Doobie Brothers play Blossom?")


def test_of_sentences_holding_the_question_alike_the_one_holding_what_it_asks_for_wins() -> None:
    """Two sentences hold the same terms; the shorter would win the tie, but the question asks
    for a date and only the longer holds one."""
    text = (
        "The Doobie Brothers play Blossom again this summer. "
        "The band formed in California. "
        "The Doobie Brothers play Blossom on July 22 with their special guests."
    )
    quote = _quoted(text, DOOBIE, short_words=0, asks=WHEN)
    assert quote == "The Doobie Brothers play Blossom on July 22 with their special guests."


def test_a_sentence_lacking_what_is_asked_for_is_quoted_with_the_neighbour_holding_it() -> None:
    """The sentence naming the band holds the question but no date; the next, holding none of
    the question's terms, holds the date: the two are quoted together."""
    text = (
        "The Doobie Brothers will play Blossom Music Center with their special guests. "
        "Tickets for the show on July 22 go on sale on Friday."
    )
    assert _quoted(text, DOOBIE, short_words=0, asks=WHEN) == text


def test_only_sentences_that_can_reach_the_best_are_read_for_what_is_asked_for() -> None:
    """The gain for holding a date is a tenth of the question's weight: the sentences holding
    only 'China' (a quarter of it) cannot reach the best, so only the best is read."""
    text = (
        "China signed deals on energy in 2019. "
        "Xi Jinping said the relationship between China and Russia cannot be broken in 2020. "
        "China built roads in 2018. China built ports in 2017."
    )
    weights = dict.fromkeys(["xi", "china", "russia", "relationship"], 1.0)
    asks = answer_type("When did Xi say the relationship between China and Russia holds?")
    with mock.patch.object(AnswerType, "holds", autospec=True, return_value=True) as holds:
        quote = _quoted(text, weights, short_words=0, asks=asks)
    assert quote.startswith("Xi Jinping") and [c.args[1] for c in holds.call_args_list] == [quote]


def test_equal_scores_go_to_the_sentence_that_opens_with_a_question_term() -> None:
    """Both sentences hold 'energy': the first opens with it and is quoted, though longer (the
    second names it as its fifth word)."""
    first = "Energy deals were signed by both countries after long talks."
    text = f"{first} Yesterday the talks on energy ended."
    quote = _quoted(text, {"energi": 1.0}, short_words=0, neighbour_share=math.inf)  # alone
    assert quote == first


def test_a_question_term_among_the_first_three_words_opens_the_sentence() -> None:
    """'add' is the second word of the first sentence, the first of the second: both open with
    it, and the shorter is quoted (the demo's "How do I add an article?")."""
    first = "Admins add an article with a link."
    text = f"{first} Adding the same article twice is noticed by the library."
    alone = {"short_words": 0, "neighbour_share": math.inf}
    assert _quoted(text, {"add": 1.0, "articl": 1.0}, **alone) == first


def test_equal_scores_go_to_the_shorter_sentence() -> None:
    """Two whole sentences weigh the same: the 3-word one is quoted, not the 8-word one before."""
    text = "Energy talks went on for a long time. Energy deals followed."
    quote = _quoted(text, {"energi": 1.0}, short_words=0, neighbour_share=math.inf)  # alone
    assert quote == "Energy deals followed."


NEIGHBOURS = "Energy prices rose in spring. Energy deals were signed by both countries. It ended."


def test_a_neighbour_holding_half_the_weight_is_quoted_with_the_sentence() -> None:
    """'Energy' in both of two sentences: the shorter is chosen and quoted with the other,
    which holds as much of the question."""
    quote = _quoted(NEIGHBOURS, {"energi": 1.0}, short_words=0)
    assert quote == NEIGHBOURS[: NEIGHBOURS.index(" It ended")]


def test_a_neighbour_holding_less_than_half_the_weight_is_not_quoted() -> None:
    """The first sentence holds 2.5, the second 1.0 (under half of it): the first alone."""
    quote = _quoted(NEIGHBOURS, {"energi": 1.0, "price": 1.5}, short_words=0)
    assert quote == "Energy prices rose in spring."


def test_equal_scores_go_to_the_piece_that_starts_its_sentence() -> None:
    """Of two equal pieces of a 67-word sentence, the first (cut only at its end) is quoted, not
    the shorter last one (cut at its start)."""
    quote = _choose(BIDEN, {"trade": 1.0, "vision": 1.0})
    assert BIDEN[quote.start : quote.end] == ISSUE
    assert (quote.cut_start, quote.cut_end) == (False, True)


def test_a_whole_sentence_beats_a_piece_of_equal_weight_and_length() -> None:
    """The 28-word sentence after the 67-word one beats its 28-word first piece."""
    quote = _choose(BIDEN, {"pandem": 1.0, "trade": 1.0})
    assert BIDEN[quote.start : quote.end] == CRISIS
    assert (quote.cut_start, quote.cut_end) == (False, False)


def test_a_piece_chosen_is_completed_to_its_whole_sentence_by_default() -> None:
    """'Vision' is in the last piece of the 67-word sentence: the sentence is quoted whole
    (under `SENTENCE_WORDS`), cut at neither end."""
    quote = _choose(BIDEN, {"vision": 1.0}, sentence_words=None)
    assert BIDEN[quote.start : quote.end] == BIDEN[: BIDEN.index("\n")]
    assert (quote.cut_start, quote.cut_end) == (False, False)


def test_completing_a_piece_adds_the_piece_holding_more_of_the_question_first() -> None:
    """The middle piece (20 words) is chosen; of the pieces beside it, the first (28 words)
    holds 'trade' and is added; the last (19 words) would pass 48 words."""
    weights = {"right": 1.0, "trade": 0.5}
    quote = _choose(BIDEN, weights, max_words=20, sentence_words=48)
    assert BIDEN[quote.start : quote.end] == f"{ISSUE} {RIGHTS}"
    assert (quote.cut_start, quote.cut_end) == (False, True)


def test_completing_a_piece_stops_at_the_sentence_limit() -> None:
    """At 47 words the first piece no longer fits beside the middle one: the last is added."""
    weights = {"right": 1.0, "trade": 0.5}
    quote = _choose(BIDEN, weights, max_words=20, sentence_words=47)
    assert BIDEN[quote.start : quote.end] == f"{RIGHTS} {VISION}"


def test_re_ranking_weighs_the_quote_chosen_within_the_word_limit() -> None:
    """The first piece (trade) is chosen within 40 words and completed to the whole sentence,
    which holds 'right' too: the quote's terms hold both, what re-ranking weighs only 'trade'."""
    quote = _choose(BIDEN, {"trade": 3.0, "right": 1.0}, max_words=40, sentence_words=100)
    assert (quote.terms, quote.covered) == ({"trade", "right"}, {"trade"})


def test_a_tie_after_the_first_sentence_goes_to_the_earlier() -> None:
    """Sentences 2 and 3 (29 words each) tie above sentence 1: sentence 2 is quoted."""
    quote = _quoted(MILITARY, {"india": 1.0, "bomber": 1.0}, max_words=40)
    assert quote == MILITARY[MILITARY.index("Although") : MILITARY.index(" US and")]


def test_a_pair_is_quoted_with_the_text_between_its_sentences() -> None:
    """Two adjacent sentences each holding one term: the quote spans both, gap included."""
    quote = _choose(BIDEN, {"worker": 1.0, "right": 1.0})
    assert BIDEN[quote.start : quote.end] == f"{ISSUE} {RIGHTS}"
    assert quote.terms == {"worker", "right"}
    quoted = BIDEN[quote.start : quote.end]
    assert [quoted[s:e] for s, e in quote.highlights] == ["workers", "rights"]


def test_a_single_sentence_quote_has_only_its_own_terms() -> None:
    """The terms of a one-sentence quote are those it contains, not its neighbours'."""
    quote = _choose(BIDEN, {"trade": 3.0, "right": 1.0}, max_words=40)
    assert BIDEN[quote.start : quote.end] == ISSUE
    assert quote.terms == {"trade"}


def test_a_pair_of_sixty_words_is_within_the_default_limit() -> None:
    """40 + 20 words is exactly the default limit of 60: both sentences are quoted (and not
    the short sentence after them)."""
    text = f"{RIVALS} {PARTNERSHIP} Talks went on."
    assert _quoted(text, {"unnerv": 1.0, "trump": 1.0}) == f"{RIVALS} {PARTNERSHIP}"


def test_a_pair_of_sixty_one_words_is_over_the_default_limit() -> None:
    """40 + 21 words is one word too many: the shorter of the two tied sentences is quoted."""
    text = f"{RIVALS} {INAUGURATION}"
    assert _quoted(text, {"inaugur": 1.0, "trump": 1.0}) == INAUGURATION


def test_the_word_limit_can_be_set() -> None:
    """A 28 + 20 word run of pieces fits a limit of 48 words; at 47 the piece that starts the
    sentence is quoted."""
    weights = {"worker": 1.0, "right": 1.0}
    assert _quoted(BIDEN, weights, max_words=48) == f"{ISSUE} {RIGHTS}"
    assert _quoted(BIDEN, weights, max_words=47) == ISSUE


def test_a_shorter_pair_beats_a_longer_sentence_of_equal_weight() -> None:
    """A 14-word sentence with both terms loses to the next two (3 + 2 words), one term each,
    each naming a term first as it does."""
    pair = "Energy prices rose. Trade grew."
    text = f"Energy and trade talks went on for a long time in the capital city. {pair}"
    assert _quoted(text, {"energi": 1.0, "trade": 1.0}) == pair


def test_a_sentence_opening_with_a_question_term_beats_a_shorter_pair_of_equal_weight() -> None:
    """A 40-word sentence with both terms, 'Denisov' its second word, beats the next two
    (24 + 13 words, one term each), the first of which names him at its end."""
    text = f"{RIVALS} {BEIJING}\n{HEADLINE}"
    assert _quoted(text, {"denisov": 1.0, "trump": 1.0}) == RIVALS


def test_a_passage_without_sentences_is_an_error() -> None:
    """choose_quote needs at least one sentence."""
    with pytest.raises(ValueError, match="at least one sentence"):
        choose_quote("", [], [], {"xi": 1.0})


def test_a_quote_is_an_immutable_value() -> None:
    """Quotes are frozen: they can be shared and hashed."""
    quote = _choose(TEXT, {"energi": 1.0})
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.start = 0  # type: ignore[misc]
    assert hash(quote) == hash(dataclasses.replace(quote))


def test_one_letter_words_count_in_a_sentences_length() -> None:
    """'a' and 'B' are words: six-word sentences naming Beijing first tie, and the earlier one
    is quoted."""
    first = "Beijing talks on trade resumed today."
    weights = {"beij": 1.0}
    alone = {"short_words": 0, "neighbour_share": math.inf}
    assert _quoted(f"{first} Beijing said a deal was signed.", weights, **alone) == first
    assert _quoted(f"{first} Beijing said it backs plan B", weights, **alone) == first


def test_words_outside_the_sentences_are_neither_credited_nor_highlighted() -> None:
    """Only the given sentences' words count: "Putin" and "Biden" around it do not."""
    text = "Putin spoke first. Xi Jinping said the ties are strong. Biden disagreed."
    start = text.index("Xi")
    sentences = [(start, text.index("Biden") - 1)]
    weights = {"putin": 1.0, "biden": 1.0, "tie": 1.0}
    quote = choose_quote(text, sentences, Analyzer().tokens(text), weights)
    assert (quote.start, quote.end) == sentences[0]
    assert quote.terms == {"tie"}
    assert quote.highlights == ((text.index("ties") - start, text.index("ties") - start + 4),)


def test_the_last_word_of_a_sentence_without_a_full_stop_is_matched() -> None:
    """A word ending exactly where its sentence ends is the sentence's own."""
    text = "Storms batter the coast\n\nThe keeper lights the lamp"
    sentences = [(0, 23), (25, len(text))]
    quote = choose_quote(text, sentences, Analyzer().tokens(text), {"lamp": 1.0, "keeper": 1.0})
    assert (quote.start, quote.end) == sentences[1]
    assert quote.terms == {"keeper", "lamp"}
    assert quote.highlights == ((4, 10), (22, 26))


# --- sentences longer than a quote ----------------------------------------------------------

HARDWARE = MILITARY[MILITARY.index("Although") :]  # 58 words, stored as two pieces of 29


def _long(words: int, term_at: int) -> str:
    """A sentence "w1 ... wN." whose word number `term_at` (1-based) is "harbour"."""
    return " ".join("harbour" if i == term_at else f"w{i}" for i in range(1, words + 1)) + "."


def test_a_sentence_within_the_limit_is_quoted_whole_though_stored_in_pieces() -> None:
    """The issue's example: the 58-word sentence is quoted whole, not from "US and they will"."""
    quote = _choose(MILITARY, {"bomber": 1.0})
    assert MILITARY[quote.start : quote.end] == HARDWARE
    assert (quote.cut_start, quote.cut_end) == (False, False)
    assert quote.terms == {"bomber"}


def test_a_long_sentence_is_quoted_from_its_start_when_the_answer_fits() -> None:
    """A term in the second piece of a 67-word sentence: the quote starts where the sentence
    does and is cut only at its end."""
    quote = _choose(BIDEN, {"right": 1.0})
    assert BIDEN[quote.start : quote.end] == f"{ISSUE} {RIGHTS}"
    assert (quote.cut_start, quote.cut_end) == (False, True)


def test_a_term_in_the_last_piece_is_quoted_with_a_cut_start() -> None:
    """A term only in the last piece: the shortest run holding it, marked as cut at its start."""
    quote = _choose(BIDEN, {"vision": 1.0})
    assert BIDEN[quote.start : quote.end] == VISION
    assert (quote.cut_start, quote.cut_end) == (True, False)


def test_a_middle_piece_of_a_long_sentence_is_cut_at_both_ends() -> None:
    """150 words in three pieces of 50, the term in the middle one: that piece, cut twice."""
    text = _long(150, 75)
    quote = _choose(text, {"harbour": 1.0})
    assert text[quote.start : quote.end].split() == text.split()[50:100]
    assert (quote.cut_start, quote.cut_end) == (True, True)
    at = text[quote.start : quote.end].index("harbour")
    assert quote.highlights == ((at, at + len("harbour")),)


def test_runs_of_pieces_stop_at_the_word_limit() -> None:
    """A term in the first and the second piece of a 150-word sentence: no run holds both (100
    words), so the first piece alone is quoted."""
    text = " ".join(["harbour", *(f"w{i}" for i in range(2, 60)), "lamp"]) + (" x" * 90) + "."
    quote = _choose(text, {"harbour": 1.0, "lamp": 1.0})
    assert text[quote.start : quote.end].split() == text.split()[:50]
    assert quote.terms == {"harbour"}


def test_a_run_of_pieces_fits_the_limit_exactly() -> None:
    """Pieces of 40, 40 and 40 words with a limit of 80: the first two are one quote."""
    text = " ".join(["harbour", *(f"w{i}" for i in range(2, 41)), "lamp"]) + (" x" * 79) + "."
    quote = _choose(text, {"harbour": 1.0, "lamp": 1.0}, max_words=80)
    assert text[quote.start : quote.end].split() == text.split()[:80]
    assert (quote.cut_start, quote.cut_end) == (False, True)
    assert _choose(text, {"harbour": 1.0, "lamp": 1.0}, max_words=79).terms == {"harbour"}


def test_a_piece_that_ends_its_sentence_beats_one_cut_at_both_ends() -> None:
    """Pieces of 40 words, the term in the second and the third: the third, which ends the
    sentence, is quoted, though the second comes first."""
    text = (
        " ".join(f"w{i}" for i in range(1, 121)).replace("w50 ", "lamp ").replace("w100 ", "lamp ")
        + "."
    )
    quote = _choose(text, {"lamp": 1.0})
    assert text[quote.start : quote.end].split() == text.split()[80:]
    assert (quote.cut_start, quote.cut_end) == (True, False)


def test_pieces_are_grouped_into_their_sentences() -> None:
    """A piece that begins inside its sentence continues the one before; others start one."""
    assert _sentences([0, CUT_END, CUT_START | CUT_END, CUT_START, 0, CUT_START]) == [
        (0, 0),
        (1, 3),
        (4, 5),
    ]
    assert _sentences([CUT_START, 0]) == [(0, 0), (1, 1)]


def test_a_sentence_before_a_long_one_is_quoted_on_its_own() -> None:
    """The 29-word sentence before the 58-word one (two pieces) is a candidate of its own."""
    quote = _choose(MILITARY, {"5g": 1.0})
    assert MILITARY[quote.start : quote.end] == MILITARY[: MILITARY.index("\n")]


def test_a_piece_of_a_long_sentence_is_never_paired_with_the_next_sentence() -> None:
    """The last piece of the 67-word sentence and the next sentence are not one quote, though
    together they would hold both terms within the limit (19 + 28 words): the whole sentence
    is quoted."""
    quote = _choose(BIDEN, {"vision": 1.0, "pandem": 1.0})
    assert BIDEN[quote.start : quote.end] == CRISIS
    assert quote.terms == {"pandem"}


def test_equal_coverage_ties_whatever_order_the_terms_are_summed_in() -> None:
    """0.1 + 0.2 + 0.3 covers exactly as much as 0.6 (summed exactly, not in a set's order,
    which changes from process to process): a tie, so the shorter sentence is quoted."""
    text = "Alpha beta gamma were all here in the morning. Delta was."
    weights = {"alpha": 0.1, "beta": 0.2, "gamma": 0.3, "delta": 0.6}
    quote = _choose(text, weights, max_words=10)
    assert text[quote.start : quote.end] == "Delta was."


# --- a sentence quoted with its neighbour -------------------------------------------------------


def test_a_short_sentence_is_quoted_with_the_next() -> None:
    """ "The weather was mild in spring." (6 words, under 15) comes with the sentence after it."""
    assert _quoted(TEXT, {"weather": 1.0}) == TEXT[: TEXT.index(" Deals")]


def test_a_short_sentence_is_quoted_with_the_one_before_when_that_one_holds_more() -> None:
    """ "Energy deals followed." (3 words) is chosen; the sentence before holds 'energy' too,
    the one after nothing: it comes with the one before."""
    pair = "Energy talks went on for a long time in the capital. Energy deals followed."
    text = f"The weather was mild. {pair} Talks ended."
    assert _quoted(text, {"energi": 1.0}, neighbour_share=math.inf) == pair


def test_a_sentence_of_the_short_length_is_quoted_alone() -> None:
    """With short_words 6, the six-word sentence is not short: it is quoted alone."""
    assert _quoted(TEXT, {"weather": 1.0}, short_words=6) == "The weather was mild in spring."


def test_a_sentence_is_quoted_with_the_next_when_that_one_continues_it() -> None:
    """The next sentence opens with "It" (it refers back): both are quoted."""
    text = f"{RIVALS} It was said in Beijing. Trade grew."
    assert _quoted(text, {"rival": 1.0}) == f"{RIVALS} It was said in Beijing."


def test_a_sentence_that_continues_the_one_before_is_quoted_with_it() -> None:
    """The chosen sentence opens with "However": the one before comes with it."""
    later = "However, Andrey Denisov said the ties between both countries are strong."
    text = f"{PARTNERSHIP} {later}"
    assert _quoted(text, {"denisov": 1.0}, short_words=0) == text


def test_a_continued_sentence_is_quoted_alone_past_the_word_limit() -> None:
    """RIVALS (40 words) and PARTNERSHIP after "However" (21): 61 words, over 60."""
    text = f"{RIVALS} However, {PARTNERSHIP}"
    assert _quoted(text, {"rival": 1.0}) == RIVALS


def test_a_word_that_merely_begins_with_a_linking_word_is_no_link() -> None:
    """ "Thistle" opens with "this" but is another word: the sentence is quoted alone."""
    text = f"{RIVALS} Thistles grow in Beijing."
    assert _quoted(text, {"rival": 1.0}) == RIVALS


@given(
    sentences=st.lists(
        st.tuples(
            st.integers(0, 40), st.sets(st.sampled_from("abcd"), max_size=3), st.integers(0, 3)
        ),
        min_size=1,
        max_size=7,
    ),
    weights=st.dictionaries(
        st.sampled_from("abcd"), st.sampled_from([-1.0, 0.0, 0.1, 0.2, 0.3, 0.6, 1.0, 2.5])
    ),
    max_words=st.integers(1, 60),
)
def test_whole_sentences_are_chosen_as_among_every_run(
    sentences: list[tuple[int, set[str], int]], weights: dict[str, float], max_words: int
) -> None:
    """Without cuts, the shortcut over whole sentences and pairs chooses what ranking every
    candidate run chooses, ties included (equal weights, first terms' places, lengths and empty
    sentences)."""
    text = " ".join(" ".join(["w"] * n) for n, _, _ in sentences)
    spans, start = [], 0
    for n, _, _ in sentences:
        spans.append((start, start + 2 * n - 1 if n else start))
        start += 2 * n if n else 1
    matched = [{t for t in terms if t in weights} for _, terms, _ in sentences]
    # the first question term at word `at` of its sentence (its last word at most)
    firsts = [
        s + 2 * min(at, max(n - 1, 0)) if terms else None
        for (s, _), (n, _, at), terms in zip(spans, sentences, matched, strict=True)
    ]
    found = Found(text, matched, firsts)
    count = _word_counter(text, spans)
    every_run = _best_run(spans, [0] * len(spans), found, weights, max_words, count)
    assert _best_whole(spans, found, weights, max_words, count) == every_run
