"""Tests for index.web.url: telling links from other text, and a link's canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import InputError
from index.web.url import is_link, normalize_url


@pytest.mark.parametrize(
    "text", ["https://example.com/a", "HTTP://example.com", "  http://example.com/a  "]
)
def test_http_links_are_links(text: str) -> None:
    """Text starting http:// or https:// (any case, spaces around) is a link."""
    assert is_link(text) is True


@pytest.mark.parametrize(
    "text", ["notes.txt", "example.com/page", "ftp://example.com/a", "/home/me/http://x"]
)
def test_other_text_is_not_a_link(text: str) -> None:
    """File names, links without a scheme and other schemes are not links."""
    assert is_link(text) is False


@pytest.mark.parametrize("text", ["ftp://example.com/a.txt", "file:///etc/passwd", "FTP://x"])
def test_any_scheme_counts_other_schemes_as_links(text: str) -> None:
    """With any_scheme, ftp://, file:/// and the like are links too (to be refused as such)."""
    assert is_link(text, any_scheme=True) is True
    assert is_link(text) is False


@pytest.mark.parametrize("text", ["notes.txt", "C:\\notes.txt", "dir/ftp://x", "example.com/a"])
def test_any_scheme_still_tells_files_from_links(text: str) -> None:
    """With any_scheme, file names and paths are still not links."""
    assert is_link(text, any_scheme=True) is False


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com/a#section-2", "http://example.com/a"),
        ("https://example.com/a?utm_source=x&id=3&UTM_Medium=y&b=&fbclid=z", "https://example.com/a?id=3&b="),
        ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5&_hsenc=6", "https://example.com/a"),
        ("https://example.com/a?z=1&a=2", "https://example.com/a?z=1&a=2"),
        ("https://Bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com./a", "https://example.com/a"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://[::FFFF:127.0.0.1]/", "http://[::ffff:7f00:1]/"),
        ("example.com/page", "https://example.com/page"),
        ("<https://example.com/page>", "https://example.com/page"),
        ("  https://example.com/page\n", "https://example.com/page"),
    ],
)  # fmt: skip
def test_normalize_url(url: str, expected: str) -> None:
    """Links are reduced to one canonical form."""
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "no link given"),
        ("ftp://example.com/", "only http and https links can be added"),
        ("file:///etc/passwd", "only http and https links can be added"),
        ("javascript:alert(1)", "only http and https links can be added"),
        ("mailto:someone@example.com", "only http and https links can be added"),
        ("http:///path", "that link has no host name"),
        ("hello world", "that is not a link; paste a full address such as https://example.com/article"),
        ("https://user:secret@example.com/", "links with a user name or password cannot be added"),
        ("https://example.com:99999/", "that link has an invalid port number"),
        ("https://exa mple.com/", "that link's host name is not valid: exa mple.com"),
        ("http://1.2.3.4.5/", "that link's address is not valid: 1.2.3.4.5"),
        ("http://[::1/", "that is not a valid link: http://[::1/"),
    ],
)  # fmt: skip
def test_normalize_url_refuses_invalid_links(url: str, message: str) -> None:
    """Links citebot cannot fetch are InputErrors with a one-line message."""
    with pytest.raises(InputError) as caught:
        normalize_url(url)
    assert str(caught.value) == message


def test_normalize_url_is_idempotent() -> None:
    """Normalizing a normalized link changes nothing."""
    urls = ["https://Bücher.example/a b?x=1&utm_id=2#f", "http://0x7f.1:8080/./a/../b?q=%41"]
    for url in urls:
        once = normalize_url(url)
        assert normalize_url(once) == once


_URL_PIECES = st.sampled_from(
    [
        *"abcXYZ019.:/?#[]@%&=+-_~ <>",
        *("ü", "ß", "\u200b", "\ud800", "。", "１", "http://", "https://", "0x", "::"),
        *("utm_x=1", "fbclid=2", "%zz", "%41", "..", "xn--", "ftp:"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_URL_PIECES, max_size=20).map("".join))
def test_normalize_url_only_raises_input_error_and_is_idempotent(url: str) -> None:
    """Any text is either refused with an InputError or normalized to a stable form."""
    try:
        once = normalize_url(url)
    except InputError as err:
        refusal = str(err)
        assert "\n" not in refusal
        return
    assert normalize_url(once) == once
    assert once.isascii()
    assert not any(ch.isspace() for ch in once)
