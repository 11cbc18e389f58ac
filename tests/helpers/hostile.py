"""A corpus of hostile files, generated (nothing binary is kept in the repository): random
bytes, broken HTML and PDF, compression and entity bombs, NUL bytes, surrogates and bidi
controls. Each is (file name, bytes); the name's extension says how it is read."""

from __future__ import annotations

import gzip
import random
import zlib
from collections.abc import Iterator

from tests.helpers.documents import LIGHTHOUSE, make_pdf

PROSE = " ".join(LIGHTHOUSE)
BIDI = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def hostile_files() -> list[tuple[str, bytes]]:
    """Every hostile file, named for what it is."""
    return [*_random(), *_text(), *_html(), *_pdf(), *_bombs()]


def _random() -> Iterator[tuple[str, bytes]]:
    rng = random.Random(11)
    for n, size in enumerate([1, 7, 512, 4096, 65536]):
        for suffix in (".txt", ".html", ".pdf", ".md", ""):
            yield f"random-{n}{suffix or '-no-extension'}", rng.randbytes(size)
    yield "random-after-pdf-magic.pdf", b"%PDF-1.4\n" + rng.randbytes(2048)
    yield "random-after-html-start.html", b"<!doctype html><html>" + rng.randbytes(2048)
    yield "random-high-bytes.txt", bytes(rng.randrange(0x80, 0x100) for _ in range(3000))


def _text() -> Iterator[tuple[str, bytes]]:
    yield "empty.txt", b""
    yield "blank.txt", b" \n\t\r\n" * 100
    yield "nul-bytes.txt", PROSE.encode().replace(b" ", b"\x00")
    yield "one-nul.txt", PROSE.encode() + b"\x00"
    yield "controls.txt", bytes(range(1, 32)) * 50
    yield "only-invisible.txt", ("\u200b\u200d\ufeff\u00ad" * 500).encode()
    yield "only-bidi.txt", (BIDI * 300).encode()
    yield "bidi-in-prose.txt", f"Harbour {BIDI}news\n\n{BIDI}{PROSE}{BIDI}".encode()
    yield "utf8-surrogates.txt", PROSE.encode() + b" \xed\xa0\x80 \xed\xbf\xbf end."
    yield "utf16-with-bom.txt", PROSE.encode("utf-16")
    yield "utf16-no-bom.txt", PROSE.encode("utf-16-le")
    yield "utf32-with-bom.txt", PROSE.encode("utf-32")
    yield "stray-boms.txt", (b"\xef\xbb\xbf\xff\xfe" + PROSE.encode()) * 3
    yield "overlong-utf8.txt", b"The harbour \xc0\xaf\xe0\x80\xaf keeper. " * 40
    yield "one-long-word.txt", b"a" * 200_000
    yield "many-blank-lines.txt", b"\n" * 100_000 + PROSE.encode()
    yield "markdown-soup.md", b"#" * 5000 + b"\n" + b"[" * 10_000 + b"*" * 10_000
    yield "markdown-setext-only.md", b"=" * 10_000 + b"\n" + b"-" * 10_000


def _html() -> Iterator[tuple[str, bytes]]:
    yield "markup-soup.html", b"<<<>>><?xml ?><!DOCTYPE <html <body" * 200
    yield "unclosed-comment.html", f"<html><body><!-- <p>{PROSE}</p>".encode()
    yield "unclosed-script.html", f"<html><body><script>var a = '{PROSE}';".encode()
    yield "truncated.html", f"<html><head><title>Cut</title></head><body><p>{PROSE}".encode()[:-40]
    yield "nested-100k.html", b"<div>" * 100_000 + f"<p>{PROSE}</p>".encode() + b"</div>" * 100_000
    yield "nested-mixed.html", (b"<ul><li><table><tr><td><span>" * 20_000) + PROSE.encode()
    yield "many-attributes.html", b"<p " + b" ".join(b"a%d=x" % i for i in range(20_000)) + b">"
    yield "nul-in-html.html", f"<html><body><p>{PROSE}</p>\x00</body></html>".encode()
    yield (
        "bidi-title.html",
        (
            f"<html><head><title>{BIDI}Harbour{BIDI}</title></head>"
            f"<body><article><p>{BIDI}{PROSE}</p></article></body></html>"
        ).encode(),
    )
    yield "wrong-charset.html", f'<meta charset="utf-16"><p>{PROSE}</p>'.encode()
    yield "bogus-charset.html", f'<meta charset="x-no-such"><p>{PROSE}</p>'.encode()
    yield "base64-charset.html", f'<meta charset="base64"><p>{PROSE}</p>'.encode()
    yield "only-links.html", b"".join(b'<a href="/%d">link %d</a>' % (i, i) for i in range(3000))
    yield "svg-as-html.html", b'<svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>'


def _pdf() -> Iterator[tuple[str, bytes]]:
    good = make_pdf([LIGHTHOUSE], title="The light")
    yield "truncated.pdf", good[: len(good) // 2]
    yield "no-xref.pdf", good[: good.index(b"xref")]
    yield "only-magic.pdf", b"%PDF-1.7\n"
    yield "no-text.pdf", make_pdf([[]])
    yield "bad-catalog.pdf", good.replace(b"/Type /Catalog", b"/Type /Nonsense")
    yield "self-kids.pdf", good.replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]")
    utf16 = b"\xfe\xff" + f"{BIDI}The light\ud800".encode("utf-16-be", "surrogatepass")
    title = b"<%s>" % utf16.hex().encode()
    yield "bidi-title.pdf", good.replace(b"/Title (The light)", b"/Title " + title)
    yield "nul-title.pdf", make_pdf([LIGHTHOUSE], title="Light\x00house")
    yield "encrypted-looking.pdf", good.replace(b"trailer\n<<", b"trailer\n<< /Encrypt 1 0 R")


def _bombs() -> Iterator[tuple[str, bytes]]:
    # 1 GB of zeros as a PDF content stream: pypdf must stop, not inflate it all.
    inflated = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    stream = b"".join(inflated.compress(chunk) for _ in range(1024)) + inflated.flush()
    yield "flate-bomb.pdf", _pdf_with_stream(stream)
    # gzip of 100 MB of text named as text: compressed bytes are binary, never inflated.
    yield "gzip-bomb.txt", gzip.compress(b"a" * 100_000_000, compresslevel=9)
    yield "gzip-bomb.html", gzip.compress(b"<p>" * 30_000_000, compresslevel=9)
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    yield (
        "billion-laughs.xhtml",
        (
            f'<?xml version="1.0"?><!DOCTYPE html [{laughs}]>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&l9; {PROSE}</p></body></html>'
        ).encode(),
    )
    yield (
        "billion-laughs.html",
        (f"<!DOCTYPE html [{laughs}]><html><body><p>&l9;</p></body></html>").encode(),
    )
    yield "quadratic-entities.html", b"<p>" + b"&amp;" * 1_000_000 + b"</p>"


def _pdf_with_stream(stream: bytes) -> bytes:
    """A one-page PDF whose content stream is `stream`, FlateDecode-compressed."""
    good = make_pdf([["x"]])
    start = good.index(b"<< /Length")
    end = good.index(b"endstream", start) + len(b"endstream")
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
    return good[:start] + body + b"\nendstream" + good[end:]
