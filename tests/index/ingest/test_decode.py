"""Tests for index.ingest.decode: bytes to text, charsets declared and detected."""

from __future__ import annotations

import random

import pytest

from index.errors import InputError
from index.ingest.decode import decode
from tests.index.ingest.samples import message


def test_cp1252_decoded() -> None:
    """Windows-1252 text (accents, curly quotes, euro sign) decodes correctly."""
    text = "Le café était plein. Une idée naïve : “ça coûte 5 €” — vraiment."
    assert decode(text.encode("cp1252")) == text


def test_short_cp1252_decoded() -> None:
    """Even a short Windows-1252 text is not mistaken for another code page."""
    text = "café naïve “quoted” €5"
    assert decode(text.encode("cp1252")) == text


def test_latin1_decoded() -> None:
    """ISO-8859-1 text decodes correctly."""
    text = "Über die Straße: café, naïve, São Paulo, señor."
    assert decode(text.encode("latin-1")) == text


def test_utf8_bom_removed() -> None:
    """A UTF-8 byte-order mark is honoured and not kept in the text."""
    assert decode(b"\xef\xbb\xbf" + "café naïve".encode()) == "café naïve"


def test_declared_charset_used() -> None:
    """A charset declared by the caller (e.g. HTTP) decides the decoding."""
    assert decode("Привет, мир".encode("koi8-r"), "koi8-r") == "Привет, мир"


def test_meta_charset_used() -> None:
    """An HTML <meta charset="windows-1251"> decides the decoding without an HTTP charset."""
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    assert "Привет, мир" in decode(page.encode("cp1251"))


def test_utf8_cut_off_at_the_end() -> None:
    """A UTF-8 text whose last character was cut in half still decodes as UTF-8."""
    assert decode("café naïve €".encode()[:-1]) == "café naïve "


def test_binary_rejected() -> None:
    """PNG bytes are reported as binary."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(500)
    with pytest.raises(InputError) as err:
        decode(data)
    assert "binary" in message(err)


def test_control_bytes_rejected() -> None:
    """Data that is mostly control bytes (no NUL) is reported as binary."""
    with pytest.raises(InputError) as err:
        decode(b"ab\x01\x02\x03\x04\x05\x06cd" * 50)
    assert "binary" in message(err)


def test_utf8_with_one_stray_byte_stays_utf8() -> None:
    """A UTF-8 text with one stray byte is read as UTF-8, the byte replaced (not as iso8859_10)."""
    data = "Wir tranken Kaffee im café in München.\n".encode() + b"\xff Danach gingen wir.\n"
    assert decode(data) == "Wir tranken Kaffee im café in München.\n\ufffd Danach gingen wir.\n"


def test_utf8_with_a_few_damaged_bytes_stays_utf8() -> None:
    """A longer UTF-8 text with a few damaged places keeps every intact character."""
    text = "Ελλάδα, Россия, 日本, café, naïve. " * 5
    data = text.encode() + b"\xe9t\xe9 \x80" + text.encode()
    assert decode(data) == text + "\ufffdt\ufffd \ufffd" + text


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("cp1252", "Le café était plein. « Ça coûte 5 € », dit-il — à l’hôtel de la Forêt."),
        ("latin-1", "Über die Straße: café, naïve, São Paulo. À côté de l'église, où l'été."),
        ("cp1251", "Москва — столица России, крупнейший город страны. Ёлки и ёжики в лесу."),
        ("shift_jis", "東京は日本の首都であり、世界有数の大都市です。人口は約千四百万人です。"),
    ],
)
def test_legacy_encodings_still_detected(codec: str, text: str) -> None:
    """Real cp1252, latin-1, windows-1251 and Shift-JIS texts are detected, none read as UTF-8."""
    assert decode(text.encode(codec)) == text
