"""Tests for index.ingest.furniture: page furniture dropped at the end of pasted text."""

from __future__ import annotations

from index.ingest.clean import clean_text
from tests.index.ingest.samples import PARAGRAPH, SAMPLE


def test_sample_drops_trailing_furniture() -> None:
    """Related posts, their headlines, repeated bylines and the comment prompt are gone."""
    _, body = clean_text(SAMPLE.read_text(encoding="utf-8"))
    for furniture in (
        "Related posts",
        "Jobs on Mars",
        "Nasiru Eneji Abdulrasheed",
        "Leave a Comment",
    ):
        assert furniture not in body


def test_related_posts_in_a_sentence_stays() -> None:
    """A real last paragraph that mentions related posts is kept."""
    last = "She said the related posts on the forum were all wrong, and nobody disagreed."
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{last}")
    assert body.endswith(last)


def test_heading_in_the_middle_stays() -> None:
    """A 'Related posts' line followed by real paragraphs is not furniture."""
    text = f"Council meets\n\n{PARAGRAPH}\n\nRelated posts\n\n{PARAGRAPH}\n\nThe end of the story."
    _, body = clean_text(text)
    assert body == f"{PARAGRAPH}\n\nRelated posts\n\n{PARAGRAPH}\n\nThe end of the story."


def test_short_last_paragraph_stays() -> None:
    """A short closing line that is not furniture (a question) is kept."""
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\nWhat happens next?")
    assert body.endswith("What happens next?")


def test_you_may_also_like_block_dropped() -> None:
    """A 'You may also like' block of headlines at the end is dropped."""
    tail = "You may also like\n\nMayor opens a new library\n\nWill the river flood again?"
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_share_and_subscribe_prompts_dropped() -> None:
    """Share buttons, tags, a newsletter prompt and a copyright line at the end are dropped."""
    tail = (
        "Share this:\nFacebook\nTwitter\n\nTags: budget, bridge\n\n"
        "Subscribe to our newsletter\n\n© 2024 Example Media. All rights reserved."
    )
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_comment_form_dropped() -> None:
    """A 'Leave a Reply' comment form at the end is dropped."""
    tail = (
        "Leave a Reply Cancel reply\n\nYour email address will not be published.\n\n"
        "Comment\n\nName *\n\nEmail *\n\nWebsite"
    )
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_headline_byline_pairs_dropped() -> None:
    """A trailing list of headline/byline pairs (the byline repeated) is dropped."""
    tail = "\n".join(f"Other story number {n}\nJane Doe" for n in range(1, 4))
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n\n{tail}")
    assert body == f"{PARAGRAPH}\n\n{PARAGRAPH}"


def test_refrain_of_a_poem_stays() -> None:
    """Short lines repeated throughout a text (a refrain) are not taken for bylines."""
    poem = "The rain falls down\nLa la la\nThe sky is grey\nLa la la\nAnd so the day\nLa la la"
    _, body = clean_text(f"Ode\n\n{poem}")
    assert body == poem
