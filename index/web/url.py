"""Links: `is_link` tells a link from other text, `normalize_url` gives a link's identity.

A link's canonical form is what the library stores and compares (the same article pasted with
`utm_*` parameters or a `#fragment` is a duplicate). Numeric host tricks (`http://2130706433/`,
`http://0x7f.1/`) are canonicalised the way browsers do, to `http://127.0.0.1/`, so that the
address guard (`index.web.guard`) sees the address actually meant.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import quote, unquote_plus, urlsplit

from yarl import URL

from index.errors import InputError
from index.web.messages import show

# Query parameters that only track the click; compared lower-cased. Plus every `utm_*`.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "_ga",
        "_gl",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "wickedid",
        "s_kwcid",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}  # also the schemes citebot fetches

_MAX_URL_LENGTH = 8192
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_ANY_LINK = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_PORT_ONLY = re.compile(r"\d*(?:[/?#]|$)")  # "example.com:8080/x" has no scheme, just a port
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,62})?")
_NUMBER_LABEL = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_NOT_A_LINK = "that is not a link; paste a full address such as https://example.com/article"


def is_link(text: str, *, any_scheme: bool = False) -> bool:
    """Whether a text is a web link (rather than, say, a file name): it starts http(s)://.

    With `any_scheme`, a link of any scheme counts (`ftp://…`, `file:///…`): what a user means
    as a link, though `normalize_url` refuses all but http and https.
    """
    text = text.strip()
    if any_scheme:
        return _ANY_LINK.match(text) is not None
    return text.lower().startswith(("http://", "https://"))


def normalize_url(url: str) -> str:
    """A link's canonical form, used as its identity; InputError for links citebot cannot fetch.

    Scheme and host lower-cased, the host IDNA-encoded (UTS #46, as browsers do) and without a
    trailing dot, numeric IPv4 forms made dotted quads (`http://2130706433/` is
    `http://127.0.0.1/`, as in browsers), IPv6 hosts compressed, default ports removed, the
    fragment removed, an empty path made "/", dot segments resolved, characters that are not
    allowed in a URL percent-encoded, and tracking parameters (`utm_*`, `fbclid`, `gclid`, ...,
    see `TRACKING_PARAMS`) removed from the query; the remaining query is kept in its order.

    Leniency for pasted links: surrounding spaces and Discord's `<...>` are removed, and a link
    without a scheme (`example.com/page`, `//example.com/page`) is taken as https. Links with a
    user name or password are refused.
    """
    text = _with_scheme(url)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as err:
        if "port" in str(err).lower():
            raise InputError("that link has an invalid port number") from None
        raise InputError(f"that is not a valid link: {show(text)}") from None
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise InputError("links with a user name or password cannot be added")
    if not parts.hostname:
        raise InputError("that link has no host name")
    host = _normalize_host(parts.hostname)
    if port == 0:
        raise InputError("that link has an invalid port number")
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(_encode(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = "&".join(
        piece
        for piece in _encode(parts.query, _QUERY_SAFE).split("&")
        if piece and not _is_tracking(piece)
    )
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _with_scheme(url: str) -> str:
    """A pasted link tidied and checked to be http(s), "https://" added when it has no scheme."""
    text = re.sub(r"[\t\r\n]", "", url).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not text:
        raise InputError("no link given")
    if not text.isascii() and not _is_utf8(text):  # lone surrogates
        raise InputError(f"that is not a valid link: {show(text)}")
    if len(text) > _MAX_URL_LENGTH:
        raise InputError(f"that link is too long (more than {_MAX_URL_LENGTH} characters)")
    match = _SCHEME.match(text)
    rest = text[match.end() :] if match else ""
    if match and (rest.startswith("//") or not _PORT_ONLY.match(rest)):
        if match.group(1).lower() not in DEFAULT_PORTS:
            raise InputError("only http and https links can be added")
        return text
    if text.startswith("//"):
        return "https:" + text
    host = re.split(r"[/?#:]", text, maxsplit=1)[0]
    if "." not in host or " " in host:
        raise InputError(_NOT_A_LINK)
    return "https://" + text


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _encode(component: str, safe: str) -> str:
    """Percent-encode what is not allowed in a URL (spaces, non-ASCII); keep existing escapes."""
    return quote(_STRAY_PERCENT.sub("%25", component), safe=safe)


def _is_tracking(piece: str) -> bool:
    key = unquote_plus(piece.partition("=")[0]).strip().lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: "/a/./b/../c" -> "/a/c"."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") or not path.startswith("/") else "/" + result


def _normalize_host(hostname: str) -> str:
    """A URL host (without brackets, as urlsplit gives it) -> its canonical form for a URL."""
    if ":" in hostname:  # IPv6 (urlsplit checked the brackets)
        if "%" in hostname:  # a zone, "fe80::1%25eth0"
            raise InputError(f"that link's address is not valid: {show(hostname)}")
        try:
            address = ipaddress.IPv6Address(hostname)
        except ValueError:
            raise InputError(f"that link's address is not valid: {show(hostname)}") from None
        return f"[{address.compressed}]"
    try:
        # IDNA (UTS #46 mapping, like browsers): "Bücher.DE" -> "xn--bcher-kva.de".
        host = URL.build(scheme="http", host=hostname).raw_host or ""
    except (ValueError, UnicodeError):
        raise InputError(f"that link's host name is not valid: {show(hostname)}") from None
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if _NUMBER_LABEL.fullmatch(labels[-1]):
        # Ends in a number: an IPv4 address in any of the forms inet_aton (and browsers) accept,
        # "127.1", "2130706433", "0x7f.1", "0177.0.0.1"; made a dotted quad.
        try:
            if not all(_NUMBER_LABEL.fullmatch(label) for label in labels):
                raise OSError
            return str(ipaddress.IPv4Address(socket.inet_aton(host)))
        except OSError:
            raise InputError(f"that link's address is not valid: {show(hostname)}") from None
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InputError(f"that link's host name is not valid: {show(hostname)}")
    return host
