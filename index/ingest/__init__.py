"""Ingestion: what users give us (files, uploads, pasted text, web pages) as a `Document`.

Synchronous and pure: bytes or text in, a `Document` (or an `InputError` with a one-line
message) out. `reader.Reader` runs `load_bytes` in a time-limited child process
(`python -m index.ingest`). The README's "How it works" maps the modules.
"""

from index.ingest.clean import clean_text, normalise
from index.ingest.decode import decode
from index.ingest.document import Document
from index.ingest.html import extract_html
from index.ingest.load import MAX_TEXT_BYTES, RawDocument, load_bytes, load_file, read_file
from index.ingest.markdown import clean_markdown
from index.ingest.pdf import extract_pdf

__all__ = [
    "MAX_TEXT_BYTES",
    "Document",
    "RawDocument",
    "clean_markdown",
    "clean_text",
    "decode",
    "extract_html",
    "extract_pdf",
    "load_bytes",
    "load_file",
    "normalise",
    "read_file",
]
