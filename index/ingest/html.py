"""HTML pages: the article's main text and metadata, extracted with trafilatura (`extract_html`).

Precision mode first (no comments); when that keeps next to nothing of what the balanced mode
finds, the balanced result is used. When that has too little prose to be an article, recall mode,
then trafilatura's plain-text baseline, and, for a page nested deeper than the HTML parser goes
(which drops what lies below), the same again on the page flattened. Page furniture trafilatura
kept at the end is dropped, and a page where no attempt finds enough prose is refused as "no
article".

Before any attempt, prose standing loose at the start of a container beside block elements (a
`<div>` whose lead sentence is its own text, followed by `<p>`s or a figure) is made a paragraph
of its own, as a browser shows it (`_loose_text_as_paragraphs`): trafilatura drops such text.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from index.errors import InputError
from index.ingest.clean import MIN_ARTICLE_WORDS, count_words, looks_like_title, normalise, tidy
from index.ingest.document import Document
from index.ingest.furniture import drop_trailing_furniture
from index.web.url import is_link

log = logging.getLogger(__name__)

_NO_ARTICLE = "no article text found on this page"
_SENTENCE_MARK = re.compile(r"[.!?…。！？]")
_RETRY_BELOW_WORDS = 100  # precision mode found this little: see what the balanced mode finds
_RETRY_FACTOR = 3  # ... and take it when it finds this many times more
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Flattening a page nested too deep: its tags, those kept, and those that are only inline.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*>")
_KEPT = (
    "html head body title meta link base p h1 h2 h3 h4 h5 h6 br"
    " script style noscript template svg math iframe textarea"
)
_KEPT_TAGS = frozenset(_KEPT.split())
_INLINE = (
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small span"
    " strong sub sup time tt u var wbr"
)
_INLINE_TAGS = frozenset(_INLINE.split())
_PARAGRAPH_RUN = re.compile(r"(?:<p>\s*)+")
# Containers whose loose text trafilatura drops when a block element stands beside it, and the
# elements a browser lays out as blocks (those that end a run of loose text).
_CONTAINER = "article aside body center dd div figure main section td th"
_CONTAINERS = tuple(_CONTAINER.split())
_BLOCKS = (
    "address article aside blockquote center details dd div dl dt fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table ul"
)
_BLOCK_TAGS = frozenset(_BLOCKS.split())
_MONTH = "january february march april may june july august september october november december"
_MONTHS = frozenset(_MONTH.split())
# An element this deep: the parser (libxml2, at most 256 levels) may have dropped deeper ones.
_TOO_DEEP = "/" + "/".join(["*"] * 250)


def extract_html(html: str, url: str | None = None) -> Document:
    """An HTML page -> its main text and metadata (title, author, date, site, canonical URL).

    Uses trafilatura in precision mode (no comments); when that keeps next to nothing of what the
    balanced mode finds, the balanced result is used; when that has too little prose, the
    fallbacks (see the module's docstring). Paragraphs are joined by a blank line. Raises
    InputError when no attempt leaves enough prose to be an article.
    """
    if not html.strip():
        raise InputError(_NO_ARTICLE)
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)  # parsed once: every attempt works on a copy
        if tree is not None:
            _loose_text_as_paragraphs(tree)
        page_title = _page_title(tree)
        canonical = _canonical_url(tree, url)
        paragraphs, data = _article(html, tree, url)
    except Exception as exc:  # lxml and trafilatura raise many kinds; the user needs one message
        log.warning("could not parse HTML from %s: %r", url or "an upload", exc)
        raise InputError("could not read this page as HTML") from exc
    if not paragraphs:
        raise InputError(_NO_ARTICLE)
    final_url = canonical or _http_url(data.get("url")) or url
    date = tidy(data.get("date"))
    site = tidy(data.get("sitename")) or tidy(data.get("hostname")) or _hostname(final_url)
    return Document(
        title=tidy(data.get("title")) or page_title or _headline(paragraphs[0]),
        text="\n\n".join(paragraphs),
        url=final_url,
        author=_authors(tidy(data.get("author")), (site, _hostname(final_url))),
        date=date if date and _ISO_DATE.fullmatch(date) else None,
        site=site,
    )


def _article(html: str, tree: Any, url: str | None) -> tuple[list[str], dict[str, Any]]:
    """The first extraction with enough prose (trailing furniture dropped), else no paragraphs.

    The metadata of the first extraction is kept for a later one that has none (the baseline).
    """
    first: dict[str, Any] | None = None
    for paragraphs, data in _extractions(html, tree, url):
        first = data if first is None else first
        paragraphs = [block[0] for block in drop_trailing_furniture([[p] for p in paragraphs])]
        if _prose_words(paragraphs) >= MIN_ARTICLE_WORDS:
            return paragraphs, data or first
    return [], first or {}


def _extractions(
    html: str, tree: Any, url: str | None
) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """Attempts, best first: precision or balanced, recall, the baseline; then the same on the
    page flattened, when it is nested as deep as the parser goes (it drops what lies deeper) or
    could not be parsed at all."""
    if tree is not None:
        yield from _attempts(tree, url)
    if tree is None or tree.xpath(_TOO_DEEP):
        from trafilatura.utils import load_html

        flat = _flatten(html)
        flat_tree = load_html(flat) if flat != html else None
        if flat_tree is not None:
            yield from _attempts(flat_tree, url)


def _attempts(tree: Any, url: str | None) -> Iterator[tuple[list[str], dict[str, Any]]]:
    yield _best_extraction(tree, url)
    yield _extract(tree, url, favor_recall=True)
    yield _baseline(tree), {}


def _best_extraction(tree: Any, url: str | None) -> tuple[list[str], dict[str, Any]]:
    """Precision mode's paragraphs and metadata, or balanced mode's when it finds far more."""
    paragraphs, data = _extract(tree, url, favor_precision=True)
    if count_words("\n".join(paragraphs)) < _RETRY_BELOW_WORDS:
        more, more_data = _extract(tree, url, favor_precision=False)
        enough = _RETRY_FACTOR * max(count_words("\n".join(paragraphs)), 1)
        if count_words("\n".join(more)) >= enough and _prose_words(more) >= MIN_ARTICLE_WORDS:
            return more, more_data
    return paragraphs, data


def _extract(
    tree: Any, url: str | None, *, favor_precision: bool = False, favor_recall: bool = False
) -> tuple[list[str], dict[str, Any]]:
    """Run trafilatura on a copy of the page (it changes what it reads); returns the
    paragraphs and the metadata."""
    import trafilatura  # imported when first needed: it takes a while to load

    result = trafilatura.bare_extraction(
        copy.deepcopy(tree),
        url=url,
        include_comments=False,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
        with_metadata=True,
    )
    if result is None:
        return [], {}
    data: dict[str, Any] = result if isinstance(result, dict) else result.as_dict()
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    return _paragraphs(str(text)), data


def _baseline(tree: Any) -> list[str]:
    """trafilatura's plain-text baseline: the page's paragraphs, or else all its text."""
    import trafilatura

    _body, text, _length = trafilatura.baseline(tree)  # it reads a copy
    return _paragraphs(text)


def _loose_text_as_paragraphs(tree: Any) -> None:
    """Make the loose prose that opens a container holding block elements a `<p>` of its own
    (the container's text with the inline elements and their tails that follow it, up to the
    first block or line break), in place, as a browser lays it out (CSS's anonymous block box).
    trafilatura drops a container's opening text when a block stands beside it, which lost
    MacRumors' lead paragraph; text after a block it keeps."""
    for container in tree.iter(*_CONTAINERS):
        text = container.text
        if not text or not text.strip() or not any(_is_block(e) for e in container):
            continue
        run = list(itertools.takewhile(_is_inline, container))
        words = text + "".join(str(e.text_content()) + (e.tail or "") for e in run)
        if not _prose_words([" ".join(words.split())]):
            continue  # a caption, a label or a counter: left as it was
        paragraph = container.makeelement("p", {})
        paragraph.text, container.text = text, None
        container.insert(0, paragraph)
        for element in run:
            paragraph.append(element)  # moves it, with its tail


def _is_block(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS


def _is_inline(element: Any) -> bool:
    """Not a block and not a line break (a comment counts as inline)."""
    return not _is_block(element) and not (
        isinstance(element.tag, str) and element.tag.lower() == "br"
    )


def _paragraphs(text: str) -> list[str]:
    return [p for line in normalise(text).split("\n") if (p := line.strip())]


def _flatten(html: str) -> str:
    """The page without nesting: inline tags dropped, the start and end of other containers
    made paragraph starts (paragraphs never nest; runs of them made one); what holds no text
    (head, scripts, styles), paragraphs and headings kept as they are."""
    return _PARAGRAPH_RUN.sub("<p>", _TAG.sub(_flat_tag, html))


def _flat_tag(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _KEPT_TAGS:
        return match.group()
    if name in _INLINE_TAGS:
        return ""
    return "<p>"  # an end too: it ends the paragraph, and what follows is another


def _prose_words(paragraphs: list[str]) -> int:
    """Words in paragraphs that read as prose (sentences), not as menus or link lists."""
    total = 0
    for paragraph in paragraphs:
        words = count_words(paragraph)
        if (words >= 8 or len(paragraph) >= 60) and _SENTENCE_MARK.search(paragraph):
            total += words
    return total


def _authors(found: str | None, publisher: tuple[str | None, str | None]) -> str | None:
    """trafilatura's authors ("A; B") without the publisher (the site's name or host, or their
    first words: "Business Insider" of "Business Insider Deutschland"), without a name that
    repeats an earlier one ("Troy L Smith" after "Troy Smith") and without a month that
    followed a byline of three words or more ("Carrie Arnold November"; "Theresa May" stays)."""
    if not found:
        return None
    sites = [_letters(p.removeprefix("www.")) for p in publisher if p]
    kept: list[tuple[str, set[str]]] = []
    for author in found.split(";"):
        words = author.split()
        if len(words) >= 3 and words[-1].lower() in _MONTHS:
            words.pop()
        name = _letters(" ".join(words))
        if not name or any(site[: len(name)] == name for site in sites):
            continue
        if not any(set(name) <= seen or seen <= set(name) for _, seen in kept):
            kept.append((" ".join(words), set(name)))
    return "; ".join(author for author, _ in kept) or None


def _letters(text: str) -> list[str]:
    """Lower-cased words of letters and digits ("Cleveland.com" -> ["cleveland", "com"])."""
    return re.findall(r"[^\W_]+", text.lower())


def _canonical_url(tree: Any, base: str | None) -> str | None:
    if tree is None:
        return None
    for link in tree.xpath("//link[@rel][@href]"):
        rel = str(link.get("rel", "")).lower().split()
        if "canonical" in rel:
            try:
                found = _http_url(urljoin(base or "", str(link.get("href", "")).strip()))
            except ValueError:  # e.g. a malformed IPv6 host
                continue
            if found:
                return found
    return None


def _http_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) link with a host, else None."""
    if not isinstance(url, str) or not is_link(url):
        return None
    try:
        host = urlsplit(url.strip()).netloc
    except ValueError:
        return None
    return url.strip() if host else None


def _hostname(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def _page_title(tree: Any) -> str | None:
    if tree is None:
        return None
    for title in tree.xpath("//title"):
        text = " ".join(str(title.text_content()).split())
        if text:
            return text
    return None


def _headline(paragraph: str) -> str | None:
    """A page without a title: its first paragraph, if that looks like a headline."""
    line = " ".join(paragraph.split())
    return line if looks_like_title(line) else None
