"""Text fragments (index/fragments.py): the fewest words that find exactly one quote."""

import dataclasses
from pathlib import Path

import pytest

from index.fragments import _WINDOW, TextFragment, text_fragment


@pytest.fixture
def article(shared: Path) -> str:
    return (shared / "samples/china-russia-article.txt").read_text(encoding="utf-8")


def _fragment(text: str, quote: str, occurrence: int = 1) -> TextFragment:
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return text_fragment(text, start, start + len(quote))


def test_a_short_quote_on_one_line_is_named_whole(article: str) -> None:
    """Eight words or fewer: the quote itself, no end."""
    quote = "China is willing to unnervingly develop"
    assert _fragment(article, quote) == TextFragment(quote)


def test_a_long_quote_is_named_by_four_words_each_end(article: str) -> None:
    """Where its first and last four words are found only there."""
    quote = article[article.index("Xi Jinping said that any") : article.index(" adding that")]
    assert _fragment(article, quote) == TextFragment(
        "Xi Jinping said that", "to be more prominent,"
    )


def test_a_repeated_opening_is_lengthened_until_it_occurs_once(article: str) -> None:
    """'Andrey Denisov said that' opens an earlier sentence too: the start takes one word
    more, 'it', so that the browser does not begin at the first one."""
    start = article.index("Andrey Denisov said that it")
    quote = article[start : article.index("\n", start)]
    fragment = _fragment(article, quote)
    assert fragment.start == "Andrey Denisov said that it"
    assert fragment.end is not None and quote.endswith(fragment.end)
    assert fragment.prefix is None


def test_an_end_found_earlier_inside_the_quote_is_lengthened() -> None:
    """The quote's last four, five and six words also occur between its start and its end
    (case aside): the end takes words until its first occurrence after the start is the
    quote's end."""
    text = "The keeper climbed up. He said the lamp was lit. Then he said the lamp was lit."
    assert text_fragment(text, 0, len(text)) == TextFragment(
        "The keeper climbed up.", "Then he said the lamp was lit."
    )


def test_a_start_found_again_inside_the_quote_is_lengthened() -> None:
    """'The keeper said the' recurs inside the quote (case aside): the start grows until it
    occurs once."""
    text = "The keeper said the lamp was lit and then the keeper said the lamp was lit again."
    fragment = text_fragment(text, 0, len(text))
    assert fragment.start == "The keeper said the lamp was lit and"
    assert fragment.end == "lamp was lit again."


def test_a_quote_over_lines_starts_in_its_first_and_ends_in_its_last(article: str) -> None:
    """A pair of sentences in two paragraphs: neither part crosses the paragraph break."""
    start = article.index("Xi Jinping said that any")
    end = article.index("Xi Jinping said.", start) + len("Xi Jinping said.")
    fragment = text_fragment(article, start, end)
    assert fragment.start == "Xi Jinping said that"
    assert fragment.end is not None and "\n" not in article[end - len(fragment.end) - 40 : end]
    assert article[start:end].endswith(fragment.end) and "\n" not in fragment.end


def test_a_short_quote_over_two_lines_is_a_range() -> None:
    """Five words over a line break cannot be matched whole: start and end, one a line."""
    text = "Title line\nBody words here now.\n\nOther."
    fragment = text_fragment(text, 0, text.index("now.") + 4)
    assert fragment == TextFragment("Title line", "Body words here now.")


def test_a_line_found_elsewhere_takes_the_words_before_it_as_prefix() -> None:
    """The quote is a whole clause that the article repeats: the words before it on its line
    tell them apart."""
    text = "Ships sail at dawn. Later, they said ships sail at dawn."
    start = text.index("ships sail")
    fragment = text_fragment(text, start, len(text))
    assert fragment == TextFragment("ships sail at dawn.", prefix="said")


def test_a_quote_that_cannot_be_told_apart_is_named_anyway() -> None:
    """The same sentence twice, each its own line: the best the link can be, the quote."""
    text = "Ships sail at dawn.\nShips sail at dawn."
    start = text.rindex("Ships")
    assert text_fragment(text, start, len(text)) == TextFragment("Ships sail at dawn.")


def test_matching_ignores_case_spacing_and_word_parts() -> None:
    """'SHIPS  sail' matches 'Ships sail' (so the start is lengthened), 'starships sail' does
    not (a browser matches whole words)."""
    text = "starships sail far away. SHIPS  sail far away now. Ships sail far away today."
    start = text.rindex("Ships")
    fragment = text_fragment(text, start, len(text))
    assert fragment.start == "Ships sail far away today."


def test_an_opening_across_a_window_edge_is_seen() -> None:
    """The article is searched a window at a time: an earlier occurrence of the opening that
    straddles the first window's end still counts, so the start is lengthened past it."""
    before = "x " * ((_WINDOW - 10) // 2)
    text = before + "Keepers light the lamp late. " + "y " * (_WINDOW // 4)
    start = len(text)
    text += "Keepers light the lamp again, and then went home at night."
    assert len(before) < _WINDOW < len(before) + len("Keepers light the lamp")
    assert text_fragment(text, start, len(text)) == TextFragment(
        "Keepers light the lamp again,", "went home at night."
    )


def test_eight_words_on_a_line_are_named_whole_nine_are_not() -> None:
    """The one-line quote named whole has at most eight words."""
    eight = "Keepers light the lamp each night at dusk."
    text = f"Intro. {eight} Outro."
    assert _fragment(text, eight) == TextFragment(eight)
    nine = "Keepers light the lamp each night at dusk again."
    text = f"Intro. {nine} Outro."
    assert _fragment(text, nine) == TextFragment("Keepers light the lamp", "night at dusk again.")


def test_a_start_inside_a_longer_word_does_not_count() -> None:
    """'starships sail far away' holds 'ships sail far away' but not as whole words: four
    words still start the quote once."""
    quote = "ships sail far away today and come back at night"
    text = f"The starships sail far away yesterday. Then {quote}."
    assert _fragment(text, quote).start == "ships sail far away"


def test_an_end_inside_a_longer_word_does_not_count() -> None:
    """'and leave the port' inside 'and leave the portal' after the start: not where the end
    is found."""
    quote = "Boats sail in at noon and leave the portal, then sail out and leave the port"
    text = f"Intro. {quote} at dawn."
    assert _fragment(text, quote) == TextFragment("Boats sail in at", "and leave the port")


def test_word_boundaries_follow_the_first_and_last_characters() -> None:
    """Boundaries are asked where a phrase begins or ends with a letter, whatever its other
    words: 'ships “sail far “away' must not be found inside 'starships', nor 'sail, out,
    again, port' inside 'portal'."""
    quote = (
        "ships “sail far “away today, and they sail, out, again, portal side, sail, out, again,"
        " port"
    )
    text = f"The starships “sail far “away yesterday. Then {quote}"
    assert _fragment(text, quote) == TextFragment("ships “sail far “away", "sail, out, again, port")


def test_a_start_of_punctuation_is_matched_where_it_stands() -> None:
    """A quote opening with a quotation mark: no word boundary is asked before it."""
    quote = "“Ships sail far away today,” he said, and left the harbour at dawn."
    text = f"Intro.{quote}"
    assert _fragment(text, quote).start == "“Ships sail far away"


def test_a_quote_opening_a_line_with_a_repeated_line_has_no_prefix() -> None:
    """Where the whole first line recurs and nothing stands before it on its line, there is
    no prefix to take."""
    line = "Ships sail at dawn."
    text = f"Intro.\n{line}\n{line}\nAfter that."
    start = text.rindex(line)
    fragment = text_fragment(text, start, len(text))
    assert fragment == TextFragment(line, "After that.")


def test_the_prefix_takes_as_many_words_as_it_needs() -> None:
    """'they said' appears before both, 'then they said' only before the quote."""
    quote = "ships sail at dawn."
    text = f"Once they said {quote} And then they said {quote}"
    start = text.rindex(quote)
    assert text_fragment(text, start, len(text)) == TextFragment(quote, prefix="then they said")


def test_the_prefix_may_take_every_word_before_the_quote_on_its_line() -> None:
    """'said' stands before both; 'Them said', the whole of what precedes it on its line,
    before the quote only."""
    quote = "ships sail at dawn."
    text = f"Intro.\nThey said {quote}\nThem said {quote}"
    start = text.rindex(quote)
    assert text_fragment(text, start, len(text)) == TextFragment(quote, prefix="Them said")


def test_a_short_first_line_leaves_the_end_to_the_last_line() -> None:
    """Over two lines the end may take the last line's words whatever the first line holds."""
    text = "Title line\nBody words here now again."
    assert text_fragment(text, 0, len(text)) == TextFragment("Title line", "words here now again.")


def test_white_space_alone_is_named_as_it_is() -> None:
    """A quote of white space (never made) is its own text, not an error."""
    assert text_fragment("a \n b", 1, 4) == TextFragment(" \n ")


def test_a_fragment_is_an_immutable_value() -> None:
    """Fragments are frozen: hashable, never changed in place."""
    fragment = TextFragment("a", "b", "c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fragment.start = "x"  # type: ignore[misc]
    assert hash(fragment) == hash(TextFragment("a", "b", "c"))


def test_a_quote_repeating_itself_is_named_by_a_start_long_enough() -> None:
    """'Bells ring. Gulls cry.' three times: the start grows until it occurs once, and the
    end is what is left after it."""
    quote = "Bells ring. Gulls cry. Bells ring. Gulls cry. Bells ring. Gulls cry."
    text = f"Intro. {quote} Outro."
    assert _fragment(text, quote) == TextFragment(
        "Bells ring. Gulls cry. Bells ring. Gulls cry. Bells", "ring. Gulls cry."
    )


def test_an_end_found_earlier_over_lines_is_kept_short_all_the_same() -> None:
    """The last line of the quote is the line before it again: no number of its words is
    first found at the quote's end, so the browser is given as many as a start would have."""
    text = "Keepers light lamps here.\nBells ring.\nBells ring."
    fragment = text_fragment(text, 0, len(text))
    assert fragment == TextFragment("Keepers light lamps here.", "Bells ring.")


def test_a_quote_without_words_is_named_by_its_text() -> None:
    """An empty first line (the quote opens with a line break): the text itself, squeezed."""
    text = "Intro.\n  \nBody words here."
    assert text_fragment(text, 6, len(text)) == TextFragment("Body words here.")


def test_the_end_is_looked_for_after_the_whole_start() -> None:
    """'X Y Z W' also follows the start's first three words ('A B C X Y Z W'): found from the
    end of the start, it is the quote's end, four words."""
    quote = "Alpha beta gamma xi ypsilon zeta omega xi ypsilon zeta omega"
    text = f"Intro. {quote} Outro."
    assert _fragment(text, quote) == TextFragment("Alpha beta gamma xi", "xi ypsilon zeta omega")
