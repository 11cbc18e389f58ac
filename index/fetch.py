"""Fetching web pages for ingestion, safely: `fetch`, `normalize_url` and `make_session`.

A link pasted by a user is untrusted, so a fetch is bounded in every direction:

* only `http` and `https`; at most `max_redirects` redirects, followed here hop by hop so each
  new URL is normalised and checked again;
* a connect timeout and a timeout for the whole fetch (all redirects and the body included);
* a size cap on the decoded (decompressed) body, enforced while streaming: a larger
  `Content-Length` is refused before reading, and a missing or lying one does not matter;
* no proxies from the environment (`trust_env=False`);
* no private addresses (SSRF). The check is made where aiohttp connects, so it applies to the
  address actually connected to, on every hop, whatever DNS answers later (rebinding):

  - `_GuardedResolver` wraps aiohttp's `ThreadedResolver` and drops every address the policy
    refuses, so the connector only ever gets vetted IPs for a host name (and a host name with
    nothing but private addresses fails with the address shown);
  - aiohttp does not call the resolver for IP literals (`http://127.0.0.1/`, `http://[::1]/`),
    so `fetch` checks literal hosts itself before each request, and the connector's socket
    factory (`_guarded_socket_factory`) checks the address of every socket before it is
    connected: a backstop that also covers sessions from `make_session` used directly.

  "Private" (see `is_public_address`) is anything not globally routable: loopback, RFC 1918,
  link-local (169.254.169.254, the cloud metadata service), CGNAT 100.64/10, multicast,
  unspecified, reserved and documentation ranges, IPv6 ULA/site-local, and IPv6 forms that
  embed such an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64 64:ff9b::/96).
  Numeric tricks (`http://2130706433/`, `http://0x7f.1/`) are canonicalised by `normalize_url`
  the way browsers do, to `http://127.0.0.1/`, and refused like any literal.

Messages are one line a user can act on; no aiohttp or asyncio exception escapes `fetch`.
`index/` never reads the environment: the app layer maps CITEBOT_ALLOW_PRIVATE_URLS=1 to
`FetchSettings(allow_private=True)`.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TypeAlias
from urllib.parse import quote, unquote_plus, urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from index.errors import InputError

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy: TypeAlias = Callable[[IPAddress], bool]  # True: may connect to this address
AddrInfo: TypeAlias = tuple[int, int, int, str, tuple[str, int] | tuple[str, int, int, int]]

_MB = 1024 * 1024
_MAX_URL_LENGTH = 8192
_MAX_HEADER_LINE = 32 * 1024  # aiohttp's default (8190) is too small for some real sites
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.5"
_PRIVATE_HINT = "citebot only fetches public pages"

DEFAULT_USER_AGENT = "citebot/0.1 (+https://github.com/citebot; article fetcher)"


@dataclass(frozen=True)
class FetchSettings:
    """Limits of a fetch; `allow_private` (tests, intranets) allows connecting to any address."""

    connect_timeout: float = 10.0  # seconds, DNS lookup and TCP/TLS connect of one hop
    total_timeout: float = 30.0  # seconds, the whole fetch: every hop and the body
    max_bytes: int = 10 * _MB  # the decoded (decompressed) body
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """A fetched page."""

    url: str  # the final URL after redirects (normalized)
    content_type: str | None  # the media type, e.g. "text/html" (no parameters)
    charset: str | None  # from the Content-Type header, if any
    data: bytes  # decoded (decompressed) body, <= max_bytes


class FetchError(InputError):
    """A page could not be fetched; the message is one line a user can act on."""


# --------------------------------------------------------------------------------------------
# URL identity
# --------------------------------------------------------------------------------------------

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
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_PORT_ONLY = re.compile(r"\d*(?:[/?#]|$)")  # "example.com:8080/x" has no scheme, just a port
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,62})?")
_NUMBER_LABEL = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_NOT_A_LINK = "that is not a link; paste a full address such as https://example.com/article"


def is_link(text: str) -> bool:
    """Whether a user's argument is a web link (rather than, say, a file name)."""
    return text.strip().lower().startswith(("http://", "https://"))


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
    text = re.sub(r"[\t\r\n]", "", url).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not text:
        raise InputError("no link given")
    if not text.isascii() and not _is_utf8(text):  # lone surrogates
        raise InputError(f"that is not a valid link: {_show(text)}")
    if len(text) > _MAX_URL_LENGTH:
        raise InputError(f"that link is too long (more than {_MAX_URL_LENGTH} characters)")
    match = _SCHEME.match(text)
    rest = text[match.end() :] if match else ""
    if match and (rest.startswith("//") or not _PORT_ONLY.match(rest)):
        if match.group(1).lower() not in _DEFAULT_PORTS:
            raise InputError("only http and https links can be added")
    elif text.startswith("//"):
        text = "https:" + text
    else:
        host = re.split(r"[/?#:]", text, maxsplit=1)[0]
        if "." not in host or " " in host:
            raise InputError(_NOT_A_LINK)
        text = "https://" + text

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as err:
        if "port" in str(err).lower():
            raise InputError("that link has an invalid port number") from None
        raise InputError(f"that is not a valid link: {_show(text)}") from None
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise InputError("links with a user name or password cannot be added")
    if not parts.hostname:
        raise InputError("that link has no host name")
    host = _normalize_host(parts.hostname)
    if port == 0:
        raise InputError("that link has an invalid port number")
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(_encode(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = "&".join(
        piece
        for piece in _encode(parts.query, _QUERY_SAFE).split("&")
        if piece and not _is_tracking(piece)
    )
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


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
            raise InputError(f"that link's address is not valid: {_show(hostname)}")
        try:
            address = ipaddress.IPv6Address(hostname)
        except ValueError:
            raise InputError(f"that link's address is not valid: {_show(hostname)}") from None
        return f"[{address.compressed}]"
    try:
        # IDNA (UTS #46 mapping, like browsers): "Bücher.DE" -> "xn--bcher-kva.de".
        host = URL.build(scheme="http", host=hostname).raw_host or ""
    except (ValueError, UnicodeError):
        raise InputError(f"that link's host name is not valid: {_show(hostname)}") from None
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
            raise InputError(f"that link's address is not valid: {_show(hostname)}") from None
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InputError(f"that link's host name is not valid: {_show(hostname)}")
    return host


# --------------------------------------------------------------------------------------------
# Which addresses may be connected to
# --------------------------------------------------------------------------------------------

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address; False for anything private or special."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:127.0.0.1
            return is_public_address(address.ipv4_mapped)
        if address in _NAT64:  # 64:ff9b::7f00:1 reaches 127.0.0.1 through a NAT64 gateway
            return is_public_address(ipaddress.IPv4Address(address.packed[-4:]))
        if address.sixtofour is not None and not is_public_address(address.sixtofour):
            return False  # 2002:7f00:1::/48, 6to4 for 127.0.0.1
        if address.teredo is not None or address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def _allow_all(address: IPAddress) -> bool:
    return True


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class _BlockedAddressError(OSError):
    """Raised inside the connector for an address the policy refuses (aiohttp wraps it)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(errno.EACCES, f"{host} is a non-public address ({address})")
        self.host = host
        self.address = address


class _GuardedResolver(AbstractResolver):
    """Resolves with an upstream resolver and keeps only the addresses the policy allows.

    The connector connects to what `resolve` returns, so the check is on the very addresses
    used: a DNS answer that changes between two lookups (rebinding) is checked again each time
    (the connector caches vetted answers only, for 10 s).
    """

    def __init__(self, policy: AddressPolicy, upstream: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._upstream = upstream or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._upstream.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[str] = []
        for result in results:
            address = _parse_ip(result["host"])
            if address is not None and self._policy(address):
                allowed.append(result)
            else:
                refused.append(result["host"])
        if refused and not allowed:
            raise _BlockedAddressError(host, refused[0])
        return allowed

    async def close(self) -> None:
        await self._upstream.close()


def _guarded_socket_factory(policy: AddressPolicy) -> Callable[[AddrInfo], socket.socket]:
    """A socket factory for TCPConnector refusing disallowed addresses (IP literals included)."""

    def factory(addr_info: AddrInfo) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        address = _parse_ip(sockaddr[0])
        if address is None or not policy(address):
            raise _BlockedAddressError(sockaddr[0], sockaddr[0])
        return socket.socket(family=family, type=type_, proto=proto)

    return factory


class _GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector that only connects to addresses its policy allows (see the module doc)."""

    def __init__(
        self,
        settings: FetchSettings,
        policy: AddressPolicy,
        upstream: AbstractResolver | None = None,
    ) -> None:
        super().__init__(
            resolver=_GuardedResolver(policy, upstream),
            socket_factory=_guarded_socket_factory(policy),
            limit_per_host=4,
        )
        self.settings = settings
        self.policy = policy


def make_session(settings: FetchSettings) -> aiohttp.ClientSession:
    """A session whose connector refuses private addresses (unless `settings.allow_private`).

    Call it from a running event loop; close the session when done (`async with`). Callers
    fetching many URLs (feeds) should reuse one session with `fetch(..., session=session)`.
    """
    return _make_session(settings)


def _make_session(
    settings: FetchSettings,
    *,
    policy: AddressPolicy | None = None,
    upstream: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """`make_session` with the address policy and the DNS resolver replaceable (for tests)."""
    if policy is None:
        policy = _allow_all if settings.allow_private else is_public_address
    return aiohttp.ClientSession(
        connector=_GuardedConnector(settings, policy, upstream),
        trust_env=False,
        headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
        timeout=_timeout(settings, total=settings.total_timeout),
        max_line_size=_MAX_HEADER_LINE,
        max_field_size=_MAX_HEADER_LINE,
    )


def _timeout(settings: FetchSettings, *, total: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=total, connect=settings.connect_timeout, sock_connect=settings.connect_timeout
    )


# --------------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------------


async def fetch(
    url: str, settings: FetchSettings | None = None, session: aiohttp.ClientSession | None = None
) -> Fetched:
    """Fetch a page: the link normalised, redirects followed and checked, the body capped.

    With `session` (from `make_session`), the session's settings decide which addresses may be
    connected to, and `settings` (default: the session's) the limits of this fetch. Every
    failure is a FetchError with a one-line message.
    """
    if session is not None:
        if not isinstance(session.connector, _GuardedConnector):
            raise TypeError("fetch() needs a session made by make_session()")
        settings = settings or session.connector.settings
    settings = settings or FetchSettings()
    try:
        current = normalize_url(url)
    except InputError as err:
        raise FetchError(str(err)) from None
    if session is not None:
        return await _fetch_with_timeout(session, current, settings)
    async with make_session(settings) as own:
        return await _fetch_with_timeout(own, current, settings)


async def _fetch_with_timeout(
    session: aiohttp.ClientSession, url: str, settings: FetchSettings
) -> Fetched:
    try:
        async with asyncio.timeout(settings.total_timeout):
            return await _follow(session, url, settings)
    except TimeoutError:
        raise FetchError(_no_answer(settings)) from None


async def _follow(session: aiohttp.ClientSession, url: str, settings: FetchSettings) -> Fetched:
    connector = session.connector
    assert isinstance(connector, _GuardedConnector)
    headers = {"User-Agent": settings.user_agent}
    timeout = _timeout(settings, total=None)  # the whole fetch is timed by the caller
    current = url
    for hop in range(settings.max_redirects + 1):
        redirected = hop > 0
        host, port = _host_port(current)
        address = _parse_ip(host)
        if address is not None and not connector.policy(address):
            raise FetchError(_private_message(host, str(address), redirected=redirected))
        try:
            async with session.get(
                URL(current, encoded=True),
                allow_redirects=False,
                headers=headers,
                timeout=timeout,
            ) as response:
                if response.status in _REDIRECTS and "Location" in response.headers:
                    if hop == settings.max_redirects:
                        break
                    current = _redirect_target(current, response.headers["Location"])
                    continue
                _check_status(response)
                data = await _read_body(response, settings)
                content_type, charset = _parse_content_type(response.headers.get("Content-Type"))
                return Fetched(url=current, content_type=content_type, charset=charset, data=data)
        except (aiohttp.ClientError, OSError, ValueError) as err:
            raise FetchError(_describe(err, host, port, settings, redirected=redirected)) from err
    raise FetchError(f"too many redirects (more than {settings.max_redirects})")


def _host_port(url: str) -> tuple[str, int]:
    """Host (IPv6 without brackets) and port of a normalized URL."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or _DEFAULT_PORTS[parts.scheme]


def _redirect_target(current: str, location: str) -> str:
    try:
        return normalize_url(urljoin(current, location.strip()))
    except (InputError, ValueError) as err:
        raise FetchError(f"the page redirected to a link citebot cannot fetch: {err}") from None


def _check_status(response: aiohttp.ClientResponse) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = _show(response.reason or "", 40)
    answered = f"the server answered {status} {reason}".rstrip()
    if status in (401, 403, 407, 451):
        raise FetchError(f"{answered} — the page may need a login or does not allow bots")
    if status in (408, 429) or status >= 500:
        raise FetchError(f"{answered} — try again later")
    raise FetchError(answered)


async def _read_body(response: aiohttp.ClientResponse, settings: FetchSettings) -> bytes:
    """The decoded body, refused as soon as it is larger than the cap (before, if declared)."""
    limit = settings.max_bytes
    declared = response.content_length
    if declared is not None and declared > limit:
        raise FetchError(_too_large(limit))
    data = bytearray()
    while True:
        # aiohttp decompresses in bounded steps as we read, so a compression bomb only ever
        # costs a chunk beyond the cap.
        chunk = await response.content.read(min(2**16, limit + 1 - len(data)))
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise FetchError(_too_large(limit))


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset="UTF-8"' -> ('text/html', 'UTF-8')."""
    if not value:
        return None, None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset" and charset is None:
            charset = _show(raw.strip(" \t\"'"), 40) or None
    return _show(mime.strip().lower(), 100) or None, charset


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


def _show(text: str, limit: int = 80) -> str:
    """Untrusted text made safe for a one-line message."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _size(size: int) -> str:
    if size >= _MB:
        return f"{round(size / _MB, 1):g} MB"
    if size >= 1024:
        return f"{round(size / 1024, 1):g} KB"
    return f"{size} bytes"


def _too_large(limit: int) -> str:
    return f"the page is larger than {_size(limit)}"


def _no_answer(settings: FetchSettings) -> str:
    return f"the page did not answer within {settings.total_timeout:g} s"


def _private_message(host: str, address: str, *, redirected: bool) -> str:
    shown = address if host == address else f"{_show(host)} is {address}"
    where = "the page redirected to" if redirected else "that link points to"
    return f"{where} a private network address ({shown}); {_PRIVATE_HINT}"


def _blocked(err: BaseException) -> _BlockedAddressError | None:
    """The refusal of the address guard behind an aiohttp error, if that is what it is."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, _BlockedAddressError):
            return exc
        if isinstance(exc, aiohttp.ClientConnectorError):
            todo.append(exc.os_error)
        todo += [exc.__cause__, exc.__context__]
    return None


def _describe(
    err: BaseException, host: str, port: int, settings: FetchSettings, *, redirected: bool
) -> str:
    """An aiohttp or socket error -> one line for the user."""
    shown = _show(host)
    blocked = _blocked(err)
    if blocked is not None:
        return _private_message(blocked.host, blocked.address, redirected=redirected)
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return f"cannot find the host {shown}"
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        reason = getattr(err.certificate_error, "verify_message", None) or "invalid certificate"
        return f"the secure connection to {shown} failed: {_show(reason, 80)}"
    if isinstance(err, aiohttp.ClientSSLError):
        return f"the secure connection to {shown} failed"
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return f"could not connect to {shown} within {settings.connect_timeout:g} s"
    if isinstance(err, TimeoutError):
        return _no_answer(settings)
    if isinstance(err, aiohttp.ClientConnectorError):
        code = err.os_error.errno
        reason = (os.strerror(code) if code else err.strerror or "no answer").lower()
        return f"could not connect to {shown} port {port} ({_show(reason, 60)})"
    if isinstance(err, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering — try again later"
    if isinstance(err, aiohttp.ClientPayloadError):
        if "encoding" in str(err).lower():
            return "the page's compressed data is damaged"
        return "the connection was closed before the whole page arrived — try again later"
    if isinstance(err, aiohttp.ClientResponseError):
        return "the server sent an invalid answer"
    if isinstance(err, aiohttp.InvalidURL | ValueError):
        return "that link is not valid"
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    return f"the connection failed: {_show(reason, 100)}"
