"""Text fragments (index/fragments.py): the fewest words that find exactly one quote."""

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
