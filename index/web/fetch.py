"""Fetching a web page safely: `fetch` with a session from `make_session`.

A link pasted by a user is untrusted, so a fetch is bounded in every direction:

* only `http` and `https`; at most `max_redirects` redirects, followed here hop by hop so each
  new URL is normalised (`index.web.url`) and checked again;
* a connect timeout and a timeout for the whole fetch (all redirects and the body included);
* a size cap on the decoded (decompressed) body, enforced while streaming: a larger
  `Content-Length` is refused before reading, and a missing or lying one does not matter;
* no proxies from the environment (`trust_env=False`);
* no private addresses (SSRF): the session's connector is guarded (`index.web.guard`), and IP
  literal hosts are checked here before each request.

The caller owns the session (`make_session`) and reuses it for all its fetches. Messages are one
line a user can act on; no aiohttp or asyncio exception escapes `fetch`. `index/` never reads
the environment: the app layer maps CITEBOT_ALLOW_PRIVATE_URLS=1 to
`FetchSettings(allow_private=True)`.
"""

from __future__ import annotations

import asyncio
import os
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from index.errors import InputError
from index.web.guard import (
    AddressPolicy,
    GuardedConnector,
    allow_all,
    blocked_by_guard,
    is_public_address,
    parse_ip,
)
from index.web.messages import show, too_large
from index.web.pages import Fetched, FetchError, FetchSettings, parse_content_type
from index.web.url import DEFAULT_PORTS, normalize_url

_MAX_HEADER_LINE = 32 * 1024  # aiohttp's default (8190) is too small for some real sites
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.5"
_PRIVATE_HINT = "citebot only fetches public pages"
_PAGE = "the page"
_MAX_VALIDATOR = 256  # characters of an ETag or Last-Modified kept to send back


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


class _SessionConnector(GuardedConnector):
    """The connector of a `make_session` session: the guard, and the settings it was made with."""

    def __init__(
        self, settings: FetchSettings, policy: AddressPolicy, upstream: AbstractResolver | None
    ) -> None:
        super().__init__(policy, upstream)
        self.settings = settings


def make_session(settings: FetchSettings) -> aiohttp.ClientSession:
    """A session whose connector refuses private addresses (unless `settings.allow_private`).

    Call it from a running event loop; the caller owns the session, passes it to every `fetch`
    and closes it when done (`async with`).
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
        policy = allow_all if settings.allow_private else is_public_address
    return aiohttp.ClientSession(
        connector=_SessionConnector(settings, policy, upstream),
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
    session: aiohttp.ClientSession,
    url: str,
    settings: FetchSettings | None = None,
    validators: tuple[str | None, str | None] = (None, None),
) -> Fetched:
    """Fetch a page: the link normalised, redirects followed and checked, the body capped.

    `session` (from `make_session`) decides which addresses may be connected to; `settings`
    (default: the session's) the limits of this fetch. `validators`, a previous fetch's
    `(etag, last_modified)`, ask the server whether the page changed since: if not, the
    result is `not_modified`, without a body. Every failure is a FetchError with a one-line
    message.
    """
    connector = session.connector
    if not isinstance(connector, _SessionConnector):
        raise TypeError("fetch() needs a session made by make_session()")
    settings = settings or connector.settings
    try:
        current = normalize_url(url)
    except InputError as err:
        raise FetchError(str(err)) from None
    try:
        async with asyncio.timeout(settings.total_timeout):
            return await _follow(session, connector.policy, current, settings, validators)
    except TimeoutError:
        raise FetchError(_no_answer(settings)) from None


async def _follow(
    session: aiohttp.ClientSession,
    policy: AddressPolicy,
    url: str,
    settings: FetchSettings,
    validators: tuple[str | None, str | None],
) -> Fetched:
    headers = {"User-Agent": settings.user_agent, **_conditions(*validators)}
    timeout = _timeout(settings, total=None)  # the whole fetch is timed by the caller
    current = url
    for hop in range(settings.max_redirects + 1):
        redirected = hop > 0
        host, port = _host_port(current)
        address = parse_ip(host)
        if address is not None and not policy(address):
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
                if response.status == 304 and any(validators):
                    return Fetched(current, None, None, b"", *validators, not_modified=True)
                _check_status(response)
                data = await _read_body(response, settings)
                content_type, charset = parse_content_type(response.headers.get("Content-Type"))
                etag, modified = (_validator(response, h) for h in ("ETag", "Last-Modified"))
                return Fetched(current, content_type, charset, data, etag, modified)
        except (aiohttp.ClientError, OSError, ValueError) as err:
            raise FetchError(_describe(err, host, port, settings, redirected=redirected)) from err
    raise FetchError(f"too many redirects (more than {settings.max_redirects})")


def _conditions(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The request headers asking whether a page changed since it had these validators."""
    asked = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    return {name: value for name, value in asked.items() if value}


def _validator(response: aiohttp.ClientResponse, header: str) -> str | None:
    """A validator the server gave, if it is one that can be sent back as it is."""
    value = response.headers.get(header, "").strip()
    return value if value and len(value) <= _MAX_VALIDATOR and value.isprintable() else None


def _host_port(url: str) -> tuple[str, int]:
    """Host (IPv6 without brackets) and port of a normalized URL."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme]


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
        reason = show(response.reason or "", 40)
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
        raise FetchError(too_large(_PAGE, limit, declared))
    data = bytearray()
    while True:
        # aiohttp decompresses in bounded steps as we read, so a compression bomb only ever
        # costs a chunk beyond the cap.
        chunk = await response.content.read(min(2**16, limit + 1 - len(data)))
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise FetchError(too_large(_PAGE, limit))


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


def _no_answer(settings: FetchSettings) -> str:
    return f"the page did not answer within {settings.total_timeout:g} s"


def _private_message(host: str, address: str, *, redirected: bool) -> str:
    shown = address if host == address else f"{show(host)} is {address}"
    where = "the page redirected to" if redirected else "that link points to"
    return f"{where} a private network address ({shown}); {_PRIVATE_HINT}"


def _describe(
    err: BaseException, host: str, port: int, settings: FetchSettings, *, redirected: bool
) -> str:
    """An aiohttp or socket error -> one line for the user."""
    shown = show(host)
    blocked = blocked_by_guard(err)
    if blocked is not None:
        return _private_message(blocked.host, blocked.address, redirected=redirected)
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return f"cannot find the host {shown}"
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        reason = getattr(err.certificate_error, "verify_message", None) or "invalid certificate"
        return f"the secure connection to {shown} failed: {show(reason, 80)}"
    if isinstance(err, aiohttp.ClientSSLError):
        return f"the secure connection to {shown} failed"
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return f"could not connect to {shown} within {settings.connect_timeout:g} s"
    if isinstance(err, TimeoutError):
        return _no_answer(settings)
    if isinstance(err, aiohttp.ClientConnectorError):
        code = err.os_error.errno
        reason = (os.strerror(code) if code else err.strerror or "no answer").lower()
        return f"could not connect to {shown} port {port} ({show(reason, 60)})"
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
    return f"the connection failed: {show(reason, 100)}"
