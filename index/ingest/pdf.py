"""PDFs: their text, in paragraphs, and metadata, read with pypdf (`extract_pdf`)."""

from __future__ import annotations

import io
import logging
import re

from index.errors import InputError
from index.ingest.clean import clean_text, count_words, normalise, tidy
from index.ingest.document import Document

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"""[.!?:"”’)]$""")


def _pdf_paragraphs(page_text: str) -> list[str]:
    """A page's lines grouped into paragraphs: a short line that ends a sentence ends one.

    Lines inside a paragraph keep their breaks; the passage splitter reads hard wraps through.
    """
    lines = [line.rstrip() for line in page_text.splitlines()]
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return []
    typical = lengths[len(lengths) // 2]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.75 * typical:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def extract_pdf(data: bytes) -> Document:
    """A PDF's text (pypdf) and metadata; InputError for encrypted, broken or image-only PDFs
    (no words at all: a short text is accepted).

    The title is the PDF's own (metadata), else the first line when it looks like a title (see
    `clean_text`), else None.
    """
    import pypdf  # imported when first needed

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("this PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = tidy(meta.title) if meta else None
        author = tidy(meta.author) if meta else None
        created = meta.creation_date if meta else None
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        log.warning("could not read a PDF: %r", exc)
        raise InputError("could not read this PDF (it may be damaged)") from exc
    text = "\n\n".join(p for page in pages for p in _pdf_paragraphs(normalise(page)))
    first_line, body = clean_text(text)
    if not count_words(body):  # short is fine: a one-page notice is an article too
        raise InputError("this PDF has no text to read (is it a scan?)")
    return Document(
        title=title or first_line,
        text=body,
        author=author,
        date=created.date().isoformat() if created else None,
    )
