"""The library's default settings: passages that follow paragraphs."""

from index.passages import split_passages
from index.settings import LibrarySettings


def _paragraph(words: int, sentence: int = 10) -> str:
    """A paragraph of `words` words in sentences of `sentence` words."""
    return " ".join(" ".join(["word"] * (sentence - 1)) + " end." for _ in range(words // sentence))


def _sizes(text: str) -> list[int]:
    passages = split_passages(text, LibrarySettings().passages)
    return [len(text[p.start : p.end].split()) for p in passages]


def test_a_paragraph_of_up_to_200_words_is_one_passage() -> None:
    """200 words: one passage; 210 words: parts of about 110 (two of 110 and 100)."""
    assert _sizes(_paragraph(200)) == [200]
    assert _sizes(_paragraph(210)) == [110, 100]


def test_a_short_paragraph_joins_the_one_before_while_both_fit() -> None:
    """50 words after 140: one passage of 190; 50 after 160 would pass 200, so it stays apart."""
    assert _sizes(_paragraph(140) + "\n\n" + _paragraph(50)) == [190]
    assert _sizes(_paragraph(160) + "\n\n" + _paragraph(50)) == [160, 50]
