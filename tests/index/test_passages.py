"""Splitting articles into sentences and passages with exact offsets."""

import dataclasses
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from index.passages import (
    BLOCK_CHARS,
    CHARS_PER_WORD,
    CUT_END,
    CUT_START,
    Passage,
    PassageSettings,
    _cut_long,
    _paragraphs,
    split_passages,
    split_sentences,
)


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


# --- exact boundaries on the sample article ---------------------------------------------------

# Each passage of the sample article with the default settings (40/80/120 words): its first and
# last words, its word count and how many sentences it has. Every paragraph is at most 120 words,
# so each is one chunk; a chunk joins the previous passage when either has under 40 words and
# together they have at most 120. (Paragraph word counts: 15 46 47 44 20 21 38 50 67 28 38 31 24
# 40 46 38 29 58 54 39 2 15 3 10 3 7 3 10 13 3 14 3.)
ARTICLE_PASSAGES = [
    ("China and Russia Relationship", "Russia are strong.", 61, 2),  # a 15-word title joins
    ("In a phone conversation", "be further elevated.", 47, 1),
    ("“Sino-Russian relations", "on January 20.", 85, 3),  # 44 + 20 + 21
    ("China has tried hard", "of US sanctions.", 88, 2),  # 38 + 50
    ("“On any issue", "COVID-19 pandemic.", 95, 4),  # 67 (cut in three) + 28
    ("The two countries kept", "said in Beijing.", 93, 3),  # 38 + 31 + 24
    ("Andrey Denisov said", "rivals of US.", 40, 1),  # 40 is not under 40: alone
    ("We are waiting", "alliance soon.", 113, 3),  # 46 + 38 + 29
    ("Although both countries", "in East seas.", 58, 2),  # one sentence cut in two
    ("Both countries are increasingly", "Nasiru Eneji Abdulrasheed", 113, 6),
    ("SpaceX Conducts Successful", "Leave a Comment", 66, 9),  # 113 + 10 > 120: a new one
]

# The library's settings (55/120/170 words), same article: paragraphs 0-3, 4-7, 8-11, 12-15,
# 16-18 and 19-31.
LIBRARY_PASSAGES = [
    ("China and Russia Relationship", "Foreign Ministry’s statement.", 152),  # + 20 > 170
    ("China is willing", "of US sanctions.", 129),  # 67 is not under 55: a new one
    ("“On any issue", "administration of Joe Biden.", 164),
    ("The two countries have entered", "in the international arena.", 148),
    ("Both countries are looking", "are provocative.", 141),  # 29 + 58 + 54
    ("Both countries have also worked", "Leave a Comment", 125),
]


def _article(shared: Path) -> str:
    return (shared / "samples" / "china-russia-article.txt").read_text()


def _described(text: str, passage: Passage) -> tuple[str, int]:
    """A passage's text and its number of words."""
    quoted = text[passage.start : passage.end]
    return quoted, len(quoted.split())


def test_the_sample_article_is_cut_into_exactly_these_passages(shared: Path) -> None:
    """Default settings: the eleven passages of the sample article, boundaries and sizes."""
    text = _article(shared)
    passages = split_passages(text)
    assert len(passages) == len(ARTICLE_PASSAGES)
    for passage, (first, last, words, sentences) in zip(passages, ARTICLE_PASSAGES, strict=True):
        quoted, count = _described(text, passage)
        assert quoted.startswith(first)
        assert quoted.endswith(last)
        assert (count, len(passage.sentences)) == (words, sentences)


def test_passages_cover_the_article_in_order_without_gaps(shared: Path) -> None:
    """Between two passages there is only white space, and every word is in one passage."""
    text = _article(shared)
    passages = split_passages(text)
    assert passages[0].start == 0
    assert passages[-1].end == len(text.rstrip())
    for before, after in itertools.pairwise(passages):
        assert text[before.end : after.start].strip() == ""
    assert sum(len(text[p.start : p.end].split()) for p in passages) == len(text.split())


def test_the_library_settings_cut_the_sample_article_into_these_passages(shared: Path) -> None:
    """55/120/170 words: six passages of whole paragraphs."""
    text = _article(shared)
    settings = PassageSettings(target_words=120, max_words=170, min_words=55)
    passages = split_passages(text, settings)
    assert [(text[p.start : p.end].split()[0], _described(text, p)[1]) for p in passages] == [
        (first.split()[0], words) for first, _, words in LIBRARY_PASSAGES
    ]
    for passage, (first, last, _) in zip(passages, LIBRARY_PASSAGES, strict=True):
        assert text[passage.start : passage.end].startswith(first)
        assert text[passage.start : passage.end].endswith(last)


def test_a_passage_of_the_article_lists_its_sentences_exactly(shared: Path) -> None:
    """Passage 5 is the 67-word sentence in three pieces, then the next paragraph's sentence."""
    text = _article(shared)
    passage = split_passages(text)[4]
    start = text.index("“On any issue")
    assert [text[s:e] for s, e in passage.sentences] == [
        text[start : text.index(" our intellectual")],
        text[text.index("our intellectual") : text.index(" we are stronger")],
        text[text.index("we are stronger") : text.index("\n", start)],
        text[text.index("Xi Jinping said that any") : text.index("\n", text.index("pandemic"))],
    ]
    assert (passage.start, passage.end) == (passage.sentences[0][0], passage.sentences[-1][1])


# --- long sentences -------------------------------------------------------------------------

BIDEN = (
    "“On any issue that matters to the US-China relationship from pursuing a foreign policy for"
    " the middle class, including a trade and economic agenda that protects Americans workers,"
    " our intellectual property and the environment to ensuring security and prosperity in the"
    " Indo Pacific region to championing human rights, we are stronger and more effective when"
    " we are flanked by nations that share our vision”, Joe Biden said."
)  # 67 words; commas after words 18, 28, 48 and 64
HARDWARE = (
    "Although both countries have indicated cooperation, the selling of military hardware’s to"
    " India after June China-India border clash rises eyebrows in China but the two countries face"
    " more formidable US and they will have to work together to overcome whatever US throws at"
    " them as we have seen recently where both flied nuclear capable bombers in East seas."
)  # 58 words; one comma, after word 6
TRADE = (
    "On Monday, Joe Biden called for stronger coalitions with like minded partners and allies"
    " against China on the trade and economic front but US also has many disagreements with EU on"
    " trade and infrastructure like Russia Nord Stream 2 pipeline project that has been at the"
    " forefront of US sanctions."
)  # 50 words
MINISTRY = (
    "The two countries agreed to expand their cooperation in energy and trade and to hold regular"
    " talks between their foreign ministers in order to settle disputes over the border region"
    " before the end of the year without any involvement of third countries or international"
    " bodies in the process, the Chinese foreign ministry said in a statement on Tuesday."
)  # 58 words; one comma, after word 48


def _sizes(text: str, max_words: int | None = None) -> list[int]:
    """Words per sentence (or piece of one)."""
    return [len(piece.split()) for piece in _sentences_of(text, max_words)]


def _sentences_of(text: str, max_words: int | None = None) -> list[str]:
    """The sentences, with split_sentences' own default limit unless one is given."""
    paragraphs = split_sentences(text) if max_words is None else split_sentences(text, max_words)
    return [text[s:e] for para in paragraphs for s, e in para]


def _long(words: int, commas: Sequence[int] = ()) -> str:
    """A sentence of `words` words, "w1 ... wN.", with a comma after each word numbered in
    `commas` (1-based)."""
    return " ".join(f"w{i}," if i in commas else f"w{i}" for i in range(1, words + 1)) + "."


def test_a_long_sentence_is_cut_at_the_clause_ends_nearest_the_even_cuts() -> None:
    """67 words: two even pieces would end at word 34; the cuts move back to the commas."""
    assert (
        _sentences_of(BIDEN)
        == [
            BIDEN[: BIDEN.index(" our intellectual")],  # 28 words, up to "workers,"
            BIDEN[BIDEN.index("our intellectual") : BIDEN.index(" we are stronger")],  # 20
            BIDEN[BIDEN.index("we are stronger") :],  # 19
        ]
    )


def test_a_clause_end_far_before_the_cut_is_ignored() -> None:
    """58 words cut evenly in two halves of 29: the comma after word 6 is too far back."""
    cut = HARDWARE.index(" US and")
    assert _sentences_of(HARDWARE) == [HARDWARE[:cut], HARDWARE[cut + 1 :]]


def test_a_sentence_of_exactly_fifty_words_is_kept_whole() -> None:
    """50 words is the default limit: not cut."""
    assert _sentences_of(TRADE) == [TRADE]


def test_a_sentence_of_fifty_one_words_is_cut() -> None:
    """One word over the default limit: two pieces of 26 and 25 words."""
    longer = TRADE.replace("of US sanctions", "of new US sanctions")
    assert _sizes(longer) == [26, 25]


def test_the_last_piece_of_a_sentence_is_not_moved_to_a_clause_end() -> None:
    """The comma in the last piece does not cut it again: 29 + 29 words."""
    assert _sizes(MINISTRY) == [29, 29]


def test_a_cut_moves_back_to_the_nearest_clause_end() -> None:
    """57 words in two pieces of 29 at most: commas after words 20 and 28, the cut after 28."""
    assert _sizes(_long(57, commas=[20, 28])) == [28, 29]


def test_a_cut_moves_back_by_at_most_half_a_piece() -> None:
    """Pieces of 29 words: a comma after word 15 (half a piece back) is used, after 14 not."""
    assert _sizes(_long(57, commas=[15]))[0] == 15
    assert _sizes(_long(57, commas=[14])) == [29, 28]


def test_every_piece_but_the_last_moves_to_a_clause_end() -> None:
    """Commas after words 27 and 50 of 57: the first cut moves to one, the second to the other."""
    assert _sizes(_long(57, commas=[27, 50])) == [27, 23, 7]


def test_the_sentence_limit_can_be_set() -> None:
    """With a limit of 30 words a 44-word sentence is cut at its commas, after 16 and 35 words."""
    text = (
        "“Sino-Russian relations aren’t affected by changes in the international situation or"
        " interference by any other factors, strengthening strategic cooperation between China"
        " and Russia can effectively resist any attempt to suppress and divide the two"
        " countries”, Xi Jinping said according to Chinese Foreign Ministry’s statement."
    )
    assert _sizes(text, max_words=30)[:2] == [16, 19]
    assert _sizes(text) == [44]


# --- lines --------------------------------------------------------------------------------------


def test_indentation_and_trailing_spaces_are_not_part_of_a_sentence() -> None:
    """Sentence spans start at the first and end at the last visible character."""
    text = "   Xi Jinping spoke first.  \n\n\tPutin replied. \n"
    assert [span for para in split_sentences(text) for span in para] == [(3, 26), (31, 45)]


def test_a_line_ending_with_a_colon_ends_its_sentence() -> None:
    """A line complete as a clause is not read as wrapped into the next one."""
    text = "The minister listed three demands:\nan end to sanctions, new talks and aid."
    assert _sentences(text) == ["The minister listed three demands:", text[35:]]


def test_a_list_item_before_ordinary_text_is_a_sentence_of_its_own() -> None:
    """A bullet line without a full stop does not run into the paragraph after it."""
    text = (
        "- Xi Jinping and Vladimir Putin spoke by phone on Monday evening\n"
        "The two leaders praised bilateral ties and their cooperation."
    )
    assert _sentences(text) == text.split("\n")


def test_a_short_line_between_longer_ones_ends_its_unit() -> None:
    """A byline under half the longest line's length is not joined to the next line."""
    text = (
        "Xi Jinping told his Russian counterpart that the ties between the two countries are"
        " strong.\nBy Nasiru Eneji\n"
        "The relationship between China and Russia cannot be broken by any third nation."
    )
    assert _sentences(text) == text.split("\n")


def test_a_line_of_exactly_half_the_longest_is_read_as_wrapped() -> None:
    """A 40-character line under an 81-character one continues on the next line."""
    first = "The Russian Presidential office said that the two leaders praised bilateral ties."
    wrapped = "Both Presidents also reaffirmed a shared"
    rest = "willingness to step up their cooperation in the international arena."
    assert (len(first), len(wrapped)) == (81, 40)
    text = f"{first}\n{wrapped}\n{rest}"
    assert _sentences(text) == [first, f"{wrapped}\n{rest}"]


# --- chunks and merging ---------------------------------------------------------------------


def _paragraph(sentences: int, words: int) -> str:
    """`sentences` sentences of exactly `words` words each, as one paragraph."""
    return " ".join(
        " ".join([f"Sentence{i}", *["word"] * (words - 2), "ends."]) for i in range(sentences)
    )


def _chunk_sizes(text: str, settings: PassageSettings) -> list[int]:
    """Sentences per passage."""
    return [len(p.sentences) for p in split_passages(text, settings)]


def test_a_chunk_ends_once_it_has_its_share_of_the_paragraph() -> None:
    """80 words with a target of 40: two passages of exactly 40 words (5 sentences)."""
    settings = PassageSettings(target_words=40, max_words=70, min_words=1)
    assert _chunk_sizes(_paragraph(10, 8), settings) == [5, 5]


def test_a_sentence_that_would_overflow_max_words_starts_a_new_chunk() -> None:
    """8-word sentences, at most 48 words: 6 sentences fill a passage exactly, 7 overflow."""
    settings = PassageSettings(target_words=200, max_words=48, min_words=1)
    assert _chunk_sizes(_paragraph(10, 8), settings) == [6, 4]
    assert _chunk_sizes(_paragraph(15, 8), settings) == [6, 6, 3]


def test_a_chunk_one_word_short_of_overflowing_is_closed_on_time() -> None:
    """7-word sentences, at most 48 words: 6 sentences (42) fit, a 7th (49) would not."""
    settings = PassageSettings(target_words=200, max_words=48, min_words=1)
    assert _chunk_sizes(_paragraph(14, 7), settings) == [6, 6, 2]


def test_a_paragraph_of_exactly_max_words_is_one_passage() -> None:
    """48 words with a limit of 48 are not split, however small the target."""
    settings = PassageSettings(target_words=10, max_words=48, min_words=1)
    assert _chunk_sizes(_paragraph(6, 8), settings) == [6]


def test_a_passage_of_exactly_min_words_is_not_merged() -> None:
    """50 then 40 words: neither is under 40, so they stay two passages."""
    text = f"{TRADE}\n\n{RIVALS}"
    passages = split_passages(text)
    assert [text[p.start : p.end] for p in passages] == [TRADE, RIVALS]


def test_a_short_passage_is_merged_when_the_result_is_exactly_max_words() -> None:
    """81 then 39 words make 120, the limit: one passage."""
    first = f"{TRADE} {TIES}"
    text = f"{first}\n\n{BELT}"
    assert [len(text[p.start : p.end].split()) for p in split_passages(text)] == [120]


RIVALS = (
    "Andrey Denisov said that it remains to be seen if U.S. would take a more rational position"
    " in dealing with its relations with China and Russia after the countries were named by Trump"
    " administration as the biggest rivals of US."
)  # 40 words
TIES = (
    "On Tuesday, Russian ambassador to China Andrey Denisov said that relationship between the"
    " countries were strong enough to resist any influence by external factors including new US"
    " administration of Joe Biden."
)  # 31 words
BELT = (
    "Both countries have also worked together to push Xi Jinping program of Belt and Road"
    " initiative that will connect Chinese cities to central Asian cities and European cities not"
    " forgetting the cooperation in the development of the Arctic waterways."
)  # 39 words


def test_overlap_repeats_the_previous_passages_last_sentences(shared: Path) -> None:
    """With one sentence of overlap each passage after the first starts with the one before."""
    text = _article(shared)
    plain = split_passages(text)
    overlapping = split_passages(text, PassageSettings(overlap_sentences=1))
    assert overlapping[0] == plain[0]
    for before, after, passage in zip(plain[:-1], plain[1:], overlapping[1:], strict=True):
        assert passage.sentences == (before.sentences[-1], *after.sentences)
        assert passage.cuts == (before.cuts[-1], *after.cuts)
        assert (passage.start, passage.end) == (before.sentences[-1][0], after.end)


def test_two_sentences_of_overlap_repeat_two() -> None:
    """Overlap counts sentences: two repeats the previous passage's last two."""
    text = "\n\n".join([_paragraph(5, 10), _paragraph(5, 10)])
    plain = split_passages(text, PassageSettings(min_words=1))
    passages = split_passages(text, PassageSettings(min_words=1, overlap_sentences=2))
    assert passages[1].sentences == (*plain[0].sentences[-2:], *plain[1].sentences)
    assert len(passages[1].cuts) == len(passages[1].sentences)


# --- settings -------------------------------------------------------------------------------


def test_default_settings_are_the_documented_ones() -> None:
    """40/80/120 words, sentences cut over 50 words, no overlap, no title weight, version 2."""
    assert dataclasses.astuple(PassageSettings()) == (80, 120, 40, 50, 0, 0, 2)


def test_settings_are_stored_as_stable_json() -> None:
    """The stored form is sorted-key JSON, read back equal (a change would re-split)."""
    settings = PassageSettings(target_words=120, max_words=170, min_words=55, title_weight=1)
    assert settings.to_json() == (
        '{"max_sentence_words": 50, "max_words": 170, "min_words": 55, "overlap_sentences": 0,'
        ' "target_words": 120, "title_weight": 1, "version": 2}'
    )
    assert json.loads(settings.to_json()) == dataclasses.asdict(settings)


def test_settings_and_passages_are_immutable_values() -> None:
    """Settings and passages are frozen: hashable, and never changed in place."""
    passage = split_passages("Xi Jinping spoke.")[0]
    for value in (PassageSettings(), passage):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.start = 1  # type: ignore[union-attr]
        assert hash(value) == hash(dataclasses.replace(value))


# --- headings -------------------------------------------------------------------------------

GUIDE = (
    "citebot answers questions. It quotes articles.\n\n"
    "## Asking a question\n\n"
    "To ask, type /ask. Buttons page through results.\n\n"
    "### In a thread\n\n"
    "Threads work too.\n\n"
    "## Adding articles ##\n\n"
    "Admins add articles."
)


def _texts(text: str, passages: Sequence[Passage]) -> list[str]:
    return [text[p.start : p.end] for p in passages]


def test_a_heading_is_never_a_sentence_and_starts_a_new_passage() -> None:
    """Short sections are not merged across their headings, and no heading is quoted."""
    passages = split_passages(GUIDE)
    assert _texts(GUIDE, passages) == [
        "citebot answers questions. It quotes articles.",
        "To ask, type /ask. Buttons page through results.",
        "Threads work too.",
        "Admins add articles.",
    ]
    assert "#" not in "".join(_sentences(GUIDE))


def test_a_passage_carries_the_headings_it_is_under() -> None:
    """Outermost first; a heading of a level closes the deeper ones; closing #s are not kept."""
    headings = [[GUIDE[s:e] for s, e in p.headings] for p in split_passages(GUIDE)]
    assert headings == [
        [],
        ["Asking a question"],
        ["Asking a question", "In a thread"],
        ["Adding articles"],
    ]


def test_a_heading_inside_a_paragraph_still_starts_a_passage() -> None:
    """A heading line with no blank line around it ends the paragraph before it."""
    text = "First part here.\n# Second\nSecond part here."
    passages = split_passages(text)
    assert _texts(text, passages) == ["First part here.", "Second part here."]
    assert [[text[s:e] for s, e in p.headings] for p in passages] == [[], ["Second"]]


def test_what_is_not_an_atx_heading_is_text() -> None:
    """'#hashtag', seven #s and a heading indented four spaces are sentences of their own."""
    text = "#hashtag day\n\n####### seven\n\n    # code"
    assert _sentences(text) == ["#hashtag day", "####### seven", "# code"]
    assert all(p.headings == () for p in split_passages(text))


def test_an_empty_heading_is_dropped() -> None:
    """'## ' and '##  ##' hold no words: neither a heading nor a sentence."""
    for heading in ("## ", "##  ##"):
        text = f"{heading}\n\nBody text."
        passages = split_passages(text)
        assert _texts(text, passages) == ["Body text."] and passages[0].headings == ()


def test_overlap_does_not_cross_a_heading() -> None:
    """The passage after a heading does not repeat the previous section's sentences."""
    text = "One two three.\n\n## Next\n\nFour five six."
    passages = split_passages(text, PassageSettings(overlap_sentences=1))
    assert _texts(text, passages) == ["One two three.", "Four five six."]


# --- size limits ----------------------------------------------------------------------------


def _limits_hold(text: str, settings: PassageSettings) -> list[Passage]:
    """Split `text`, checking every passage and piece against the limits, in words and
    characters, and that the passages hold every character but white space, in order."""
    passages = split_passages(text, settings)
    for p in passages:
        assert len(text[p.start : p.end].split()) <= settings.max_words
        assert p.end - p.start <= settings.max_words * CHARS_PER_WORD
        for s, e in p.sentences:
            assert len(text[s:e].split()) <= settings.max_sentence_words
            assert e - s <= settings.max_sentence_words * CHARS_PER_WORD
    kept = "".join(text[s:e] for p in passages for s, e in p.sentences)
    assert "".join(kept.split()) == "".join(text.split())
    return passages


def test_text_without_spaces_is_cut_within_the_limits() -> None:
    """'word.' 100,000 times (no space, no sentence end sentencex sees) is not one passage of
    500,000 characters: pieces of 500 and passages of at most 1,200, each piece marked cut."""
    text = "word." * 100_000
    passages = _limits_hold(text, PassageSettings())
    assert len(passages) == 500_000 // 1000
    assert passages[0].cuts[0] == CUT_END and passages[-1].cuts[-1] == CUT_START
    assert all(c == CUT_START | CUT_END for p in passages[1:-1] for c in p.cuts)


def test_a_word_longer_than_a_piece_is_cut_in_lengths_of_a_piece() -> None:
    """A 1,200-character word in a sentence: the words before it, pieces of 500, 500 and the
    rest with the words after it."""
    text = "Its name is " + "x" * 1200 + " indeed."
    pieces = _sentences(text)
    assert [len(p) for p in pieces] == [len("Its name is"), 500, 500, len("x" * 200 + " indeed.")]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_a_long_paragraph_is_read_in_blocks_cut_at_sentence_ends() -> None:
    """A 48,000-character paragraph: every sentence whole, none marked as cut."""
    text = "The cat sat on the mat. " * 2000
    passages = _limits_hold(text.strip(), PassageSettings())
    assert {text[s:e] for p in passages for s, e in p.sentences} == {"The cat sat on the mat."}
    assert not any(c for p in passages for c in p.cuts)


def test_a_block_cut_inside_a_sentence_marks_both_sides() -> None:
    """10,300 characters without a break a block may end at: the block ends at 10,000, its
    last piece is marked as ending inside the sentence and the next block's first as starting
    inside it."""
    text = "a " + "x" * 10_298 + ". Next sentence."
    paragraphs = list(_paragraphs(text, 50))
    first, second = paragraphs[0], paragraphs[1]
    assert first.sentences[-1][1] == BLOCK_CHARS and first.cuts[-1] & CUT_END
    assert second.sentences[0] == (BLOCK_CHARS, text.index(". Next") + 1)
    assert second.cuts[0] == CUT_START
    assert [text[s:e] for s, e in second.sentences[1:]] == ["Next sentence."]
    assert second.cuts[1:] == [0]


def test_a_block_never_ends_before_a_combining_mark() -> None:
    """Text without a break whose 10,000th character is a combining accent: the block ends one
    character earlier, the accent stays with its letter."""
    text = "a " + "x" * 9997 + "e\u0301" + "y" * 500
    assert text[BLOCK_CHARS] == "\u0301"
    paragraphs = list(_paragraphs(text, 50))
    assert paragraphs[0].sentences[-1][1] == BLOCK_CHARS - 1
    assert paragraphs[1].sentences[0][0] == BLOCK_CHARS - 1


def test_the_cut_flags_are_the_stored_values() -> None:
    """A piece's flags are stored as they are (one byte a sentence): 1 and 2."""
    assert (CUT_START, CUT_END) == (1, 2)


def test_a_word_of_exactly_a_pieces_length_is_one_word() -> None:
    """49 short words and one of 500 characters: 50 words, one piece of words, then the long
    one on its own (it does not fit beside them)."""
    text = "a " * 49 + "x" * 500
    assert [len(p.split()) for p in _sentences(text)] == [49, 1]


def test_words_that_fill_a_piece_exactly_stay_together() -> None:
    """Two words making exactly 500 characters are one piece; the word after them another."""
    text = "a" * 249 + " " + "b" * 250 + " c."
    assert [len(p) for p in _sentences(text)] == [500, 2]


def test_a_block_ends_at_its_last_break_in_its_second_half() -> None:
    """A paragraph break at 4,000 is in the block's first half: the block ends at 10,000,
    inside the run of letters after it."""
    text = "a" * 4000 + "\n\n" + "x" * 6500
    paragraphs = list(_paragraphs(text, 50))
    ends = [e for p in paragraphs for _, e in p.sentences]
    assert BLOCK_CHARS in ends
    assert paragraphs[1].cuts[-1] & CUT_END


def test_a_block_cut_at_a_line_break_marks_both_sides() -> None:
    """Lines without a full stop (list items) over 10,000 characters: the block ends after a
    line, and the items on both sides are marked, as a line break may be inside a sentence."""
    text = "".join(f"- item number {n} of the list here\n" for n in range(400))
    paragraphs = list(_paragraphs(text, 50))
    first, second = paragraphs[0], paragraphs[1]
    assert text[first.sentences[-1][1]] == "\n" and first.sentences[-1][1] > BLOCK_CHARS // 2
    assert first.cuts[-1] == CUT_END and second.cuts[0] == CUT_START
    assert set(first.cuts[:-1]) == {0} and set(second.cuts[1:]) == {0}


def test_a_block_cut_at_a_space_marks_both_sides() -> None:
    """One line of 15,000 characters of words without a full stop: the block ends at a space;
    the pieces on both sides are marked."""
    text = "word " * 3000
    paragraphs = list(_paragraphs(text.strip(), 50))
    assert paragraphs[0].cuts[-1] & CUT_END and paragraphs[1].cuts[0] & CUT_START
    assert paragraphs[0].cuts[0] == CUT_END and paragraphs[1].cuts[-1] == CUT_START


def test_a_block_moves_back_over_combining_marks_no_further_than_its_half() -> None:
    """Nothing but combining accents: the block ends at 5,000, where its search stops."""
    text = "a " + "\u0301" * 12_000
    assert next(_paragraphs(text, 50)).sentences[-1][1] == BLOCK_CHARS // 2


def _wide(words: int, width: int, extra: int = 0) -> str:
    """A sentence of `words` words of `width` letters (the first `extra` letters longer)."""
    return " ".join(
        ["x" * (width + extra)] + ["x" * width] * (words - 2) + ["x" * (width - 1) + "."]
    )


CHARS = PassageSettings(target_words=20, max_words=30, min_words=1, max_sentence_words=10)


def test_a_paragraph_of_exactly_the_character_limit_is_one_passage() -> None:
    """30 words in 300 characters (the limit for 30 words) after a short paragraph: one
    passage; one more character and it is two, each within the limit."""
    sentences = [_wide(5, 9, extra=1)] + [_wide(5, 9)] * 5
    text = "Intro.\n\n" + " ".join(sentences)
    passages = _limits_hold(text, CHARS)
    assert len(passages) == 2 and passages[1].end - passages[1].start == 300
    longer = "Intro.\n\n" + " ".join([_wide(5, 9, extra=2)] + [_wide(5, 9)] * 5)
    assert len(_limits_hold(longer, CHARS)) == 3


WIDE = PassageSettings(target_words=40, max_words=40, min_words=1, max_sentence_words=10)


def test_a_chunk_of_exactly_the_character_limit_is_kept() -> None:
    """Five sentences of 400 characters in all (the limit for 40 words), then a sixth: the
    first five are one passage."""
    text = " ".join([_wide(5, 15, extra=1)] + [_wide(5, 15)] * 5)
    passages = _limits_hold(text, WIDE)
    assert [len(p.sentences) for p in passages] == [5, 1]
    assert passages[0].end - passages[0].start == 400


def test_short_paragraphs_merge_up_to_exactly_the_character_limit() -> None:
    """Two paragraphs below min_words whose span is exactly 400 characters are merged; at 401
    they are not."""
    settings = dataclasses.replace(WIDE, min_words=40)
    text = " ".join([_wide(5, 15)] * 2) + "\n\n" + " ".join([_wide(5, 15)] * 3)
    assert len(text) == 400 and len(_limits_hold(text, settings)) == 1
    text = " ".join([_wide(5, 15, extra=1), _wide(5, 15)]) + "\n\n" + " ".join([_wide(5, 15)] * 3)
    assert len(_limits_hold(text, settings)) == 2


@pytest.mark.parametrize("before", [20, 50])
def test_the_pieces_of_a_sentence_stay_in_one_passage(before: int) -> None:
    """A 67-word sentence (three pieces) between shorter ones, passages of about 30 words:
    the long sentence is a passage of its own, not split between two."""
    text = f"{_long(before)} {BIDEN} {_long(20)}"
    settings = PassageSettings(target_words=30, max_words=80, min_words=1)
    passages = _limits_hold(text, settings)
    assert [len(p.sentences) for p in passages] == [1, 3, 1]
    assert text[passages[1].start : passages[1].end] == BIDEN


def test_a_sentence_of_exactly_the_word_limit_stays_in_one_passage() -> None:
    """60 words in two pieces with passages of at most 60: one passage, between the others."""
    text = f"{_long(10)} {_long(60)} {_long(10)}"
    settings = PassageSettings(target_words=30, max_words=60, min_words=1)
    passages = _limits_hold(text, settings)
    assert [len(p.sentences) for p in passages] == [1, 2, 1]


@pytest.mark.parametrize(("extra", "sizes"), [(1, [1, 6, 1]), (2, [5, 4])])
def test_a_sentence_of_exactly_the_character_limit_stays_in_one_passage(
    extra: int, sizes: list[int]
) -> None:
    """30 words of 19 letters make 600 characters (the limit for 60 words), in six pieces:
    between two short sentences they are one passage; one character more and they are spread
    over passages within the limit."""
    text = f"{_wide(5, 9)} {_wide(30, 19, extra)} {_wide(5, 9)}"
    settings = PassageSettings(target_words=20, max_words=60, min_words=1, max_sentence_words=10)
    passages = _limits_hold(text, settings)
    assert [len(p.sentences) for p in passages] == sizes


def test_a_sentence_over_the_passage_limit_is_split_between_passages() -> None:
    """A sentence of 100 words (pieces of 50) with passages of at most 60: its pieces go to
    two passages, each marked where it cuts the sentence."""
    settings = PassageSettings(target_words=40, max_words=60, min_words=1)
    passages = _limits_hold(_long(100), settings)
    assert [p.cuts for p in passages] == [(CUT_END,), (CUT_START,)]


def test_a_sentence_over_the_character_limit_is_split_between_passages() -> None:
    """Three words of 300 characters (three pieces) with passages of at most 600 characters:
    three passages, though three words are far below the word limit."""
    text = " ".join(["a" * 300, "b" * 300, "c" * 299 + "."])
    settings = PassageSettings(target_words=30, max_words=60, min_words=1)
    passages = _limits_hold(text, settings)
    assert [p.end - p.start for p in passages] == [300, 300, 300]


def test_a_sentence_of_one_piece_is_trimmed_as_its_words_are() -> None:
    """Any white space (no-break, ideographic, line separator, file separator) ends a word
    and is trimmed from a piece's ends, as `\\S+` reads words; the word limit counts them so."""
    spaces = "\u00a0\u3000\u2028\x1c\u205f"
    words = [f"w{n}" for n in range(50)]
    text = spaces + "".join(w + spaces[n % len(spaces)] for n, w in enumerate(words))
    assert _cut_long(text, (0, len(text)), 50) == [(len(spaces), len(text) - 1)]
    assert len(_cut_long(text, (0, len(text)), 49)) == 2
