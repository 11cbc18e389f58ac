"""Tests for index.fetch: URL normalisation, the SSRF guard, limits and messages.

Real HTTP servers on loopback (aiohttp.web, and a raw asyncio server for malformed answers); the
only test double is a fake DNS resolver, since there is no network here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import ipaddress
import socket
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import brotli
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import InputError
from index.fetch import (
    Fetched,
    FetchError,
    FetchSettings,
    _GuardedResolver,
    _make_session,
    fetch,
    is_public_address,
    make_session,
    normalize_url,
)

LOCAL = FetchSettings(allow_private=True, connect_timeout=2, total_timeout=5)
GUARDED = FetchSettings(connect_timeout=2, total_timeout=5)  # the default policy
PAGE = "<html><head><title>Caf\xe9</title></head><body><p>Hello.</p></body></html>"
TEXT = b"The council met on Tuesday to discuss the new budget.\n" * 200


def only_127_0_0_1(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A narrow policy for redirect tests: the first hop (127.0.0.1) allowed, nothing else."""
    return address == ipaddress.ip_address("127.0.0.1")


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    """A test server and what it saw."""

    base: str = ""
    hits: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


def _app(site: Site) -> web.Application:
    async def record(request: web.Request, handler: Callable[..., Awaitable[web.StreamResponse]]):
        site.hits.append(request.path_qs)
        site.user_agents.append(request.headers.get("User-Agent", ""))
        return await handler(request)

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            body=PAGE.encode("latin-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"}
        )

    async def redirect(request: web.Request) -> web.Response:
        left = int(request.match_info["n"])
        target = "/page?utm_source=x&id=7#top" if left == 0 else f"../redirect/{left - 1}"
        raise web.HTTPFound(target)

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["location"])

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no")

    async def slow(request: web.Request) -> web.Response:
        await _wait(site.stop, 3)
        return web.Response(text="late")

    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        while not site.stop.is_set():
            await response.write(b"x")
            await _wait(site.stop, 0.05)
        return response

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})  # chunked
        await response.prepare(request)
        chunk = b"y" * 65536
        while not site.stop.is_set():
            await response.write(chunk)
        return response

    def encoded(body: bytes, encoding: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(
                body=body, headers={"Content-Type": "text/plain", "Content-Encoding": encoding}
            )

        return handler

    app = web.Application(middlewares=[web.middleware(record)])
    app.router.add_get("/page", page)
    app.router.add_get("/redirect/{n}", redirect)
    app.router.add_get("/to", to)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/slow", slow)
    app.router.add_get("/drip", drip)
    app.router.add_get("/endless", endless)
    app.router.add_get("/gzip", encoded(gzip.compress(TEXT), "gzip"))
    app.router.add_get("/deflate", encoded(zlib.compress(TEXT), "deflate"))
    app.router.add_get("/br", encoded(brotli.compress(TEXT), "br"))
    app.router.add_get("/bomb", encoded(_gzip_zeros(16 * 1024 * 1024), "gzip"))
    return app


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


@functools.cache
def _gzip_zeros(size: int) -> bytes:
    """A gzip bomb: `size` zero bytes, compressed about a thousand times."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


async def _start(host: str) -> tuple[Site, TestServer]:
    site = Site()
    server = TestServer(_app(site), host=host)
    await server.start_server()
    site.base = f"http://{host}:{server.port}"
    return site, server


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    """A test site on 127.0.0.1."""
    site, server = await _start("127.0.0.1")
    yield site
    site.stop.set()
    await server.close()


@pytest.fixture
async def internal() -> AsyncIterator[Site]:
    """A second site, on 127.0.0.2: an internal service a redirect must not reach."""
    site, server = await _start("127.0.0.2")
    yield site
    site.stop.set()
    await server.close()


RawServer = Callable[[bytes], Awaitable[str]]


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    """Start servers answering any request with fixed bytes, then holding the connection."""
    servers: list[asyncio.Server] = []

    async def start(answer: bytes) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(answer)
                await writer.drain()
                await asyncio.wait_for(reader.read(), 3)  # until the client hangs up
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


class FakeDNS(AbstractResolver):
    """A DNS double: each name answers its lists of addresses in turn (the last one repeats)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        turns = self.answers.get(host)
        if not turns:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        pass


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _fail(url: str, settings: FetchSettings = LOCAL) -> str:
    with pytest.raises(FetchError) as caught:
        await fetch(url, settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------------


async def test_page_is_fetched_with_content_type_and_charset(site: Site) -> None:
    """A page comes back with its bytes, media type, charset and normalized URL."""
    page = await fetch(f"{site.base}/page#intro", LOCAL)
    assert page == Fetched(
        url=f"{site.base}/page",
        content_type="text/html",
        charset="ISO-8859-1",
        data=PAGE.encode("latin-1"),
    )


async def test_user_agent_is_descriptive(site: Site) -> None:
    """Requests carry citebot's User-Agent."""
    await fetch(f"{site.base}/page", LOCAL)
    assert site.user_agents[0].startswith("citebot/")


async def test_missing_content_type_is_none(raw_server: RawServer) -> None:
    """Without a Content-Type header, the media type and charset are None."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    page = await fetch(f"{base}/", LOCAL)
    assert (page.content_type, page.charset, page.data) == (None, None, b"hello")


async def test_redirects_are_followed(site: Site) -> None:
    """Relative redirects are followed; the final URL is reported normalized."""
    page = await fetch(f"{site.base}/redirect/3", LOCAL)
    assert page.url == f"{site.base}/page?id=7"
    assert site.hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0", "/page?id=7"]


async def test_five_redirects_are_allowed(site: Site) -> None:
    """A chain of exactly max_redirects redirects succeeds."""
    page = await fetch(f"{site.base}/redirect/4", LOCAL)
    assert page.url == f"{site.base}/page?id=7"


async def test_too_many_redirects_are_refused(site: Site) -> None:
    """A sixth redirect is refused, and not followed."""
    message = await _fail(f"{site.base}/redirect/9")
    assert message == "too many redirects (more than 5)"
    assert len(site.hits) == 6


async def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    """A redirect to a non-http link is refused with a clear message."""
    message = await _fail(f"{site.base}/to?location=file:///etc/passwd")
    assert message == (
        "the page redirected to a link citebot cannot fetch: only http and https links can be added"
    )


async def test_slow_server_times_out(site: Site) -> None:
    """A server that does not answer in time gives the timeout message, promptly."""
    start = time.monotonic()
    message = await _fail(f"{site.base}/slow", FetchSettings(allow_private=True, total_timeout=0.3))
    assert message == "the page did not answer within 0.3 s"
    assert time.monotonic() - start < 1.5


async def test_slow_drip_body_times_out(site: Site) -> None:
    """A body trickling in byte by byte is cut off by the total timeout."""
    start = time.monotonic()
    message = await _fail(f"{site.base}/drip", FetchSettings(allow_private=True, total_timeout=0.4))
    assert message == "the page did not answer within 0.4 s"
    assert time.monotonic() - start < 1.5


async def test_endless_body_is_refused_while_streaming(site: Site) -> None:
    """A body without Content-Length is refused once the cap is passed, not read to its end."""
    settings = FetchSettings(allow_private=True, total_timeout=5, max_bytes=100 * 1024)
    message = await _fail(f"{site.base}/endless", settings)
    assert message == "the page is larger than 100 KB"  # the body never ends: not a timeout


async def test_declared_length_above_cap_is_refused_before_reading(raw_server: RawServer) -> None:
    """A Content-Length above the cap is refused at once, without waiting for the body."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
    start = time.monotonic()
    message = await _fail(f"{base}/", LOCAL)
    assert message == "the page is larger than 10 MB"
    assert time.monotonic() - start < 1


async def test_short_content_length_never_yields_more(raw_server: RawServer) -> None:
    """Bytes past a too-small Content-Length are never taken as body (aiohttp: invalid answer)."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 5000)
    outcome: bytes | str
    try:  # extra bytes arriving after the body is complete do not reach it
        outcome = (await fetch(f"{base}/", LOCAL)).data
    except FetchError as err:  # extra bytes arriving with the body (as here, usually)
        outcome = str(err)
    assert outcome in (b"x" * 10, "the server sent an invalid answer")


async def test_body_cut_short_is_reported() -> None:
    """A body shorter than its Content-Length (connection closed) gives a clear message."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    async with server:
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        message = await _fail(f"{base}/", LOCAL)
    assert message == "the connection was closed before the whole page arrived — try again later"


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/br"])
async def test_compressed_bodies_are_decoded(site: Site, path: str) -> None:
    """gzip, deflate and brotli bodies come back decompressed."""
    page = await fetch(f"{site.base}{path}", LOCAL)
    assert page.data == TEXT


async def test_gzip_bomb_is_refused_by_the_cap(site: Site) -> None:
    """A small body that decompresses past the cap is refused (the cap is on decoded bytes)."""
    settings = FetchSettings(allow_private=True, total_timeout=5, max_bytes=1024 * 1024)
    message = await _fail(f"{site.base}/bomb", settings)
    assert message == "the page is larger than 1 MB"


async def test_not_found_message(site: Site) -> None:
    """A 404 says so."""
    assert await _fail(f"{site.base}/status/404") == "the server answered 404 Not Found"


async def test_server_error_message(site: Site) -> None:
    """A 500 says so and suggests trying later."""
    message = await _fail(f"{site.base}/status/500")
    assert message == "the server answered 500 Internal Server Error — try again later"


async def test_forbidden_message(site: Site) -> None:
    """A 403 hints at logins and bot blocking."""
    message = await _fail(f"{site.base}/status/403")
    assert message.startswith("the server answered 403 Forbidden — ")


async def test_connection_refused_message() -> None:
    """A closed port gives a 'could not connect' message."""
    port = _closed_port()
    message = await _fail(f"http://127.0.0.1:{port}/")
    assert message == f"could not connect to 127.0.0.1 port {port} (connection refused)"


async def test_unknown_host_message(site: Site) -> None:
    """A name that does not resolve gives 'cannot find the host'."""
    async with _make_session(LOCAL, upstream=FakeDNS({})) as session:
        with pytest.raises(FetchError) as caught:
            await fetch("http://nowhere.invalid/", session=session)
    assert str(caught.value) == "cannot find the host nowhere.invalid"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi"],
)
async def test_non_http_schemes_are_refused(url: str) -> None:
    """Only http and https are fetched; the error is an InputError."""
    with pytest.raises(InputError, match=r"^only http and https links can be added$"):
        await fetch(url)


async def test_a_session_is_reused_for_many_fetches(site: Site) -> None:
    """One session from make_session serves several fetches (feeds)."""
    async with make_session(LOCAL) as session:
        first = await fetch(f"{site.base}/page", session=session)
        second = await fetch(f"{site.base}/gzip", session=session)
    assert (first.content_type, second.data) == ("text/html", TEXT)


async def test_fetch_refuses_an_unguarded_session() -> None:
    """A plain aiohttp session, without the address guard, is a programming error."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TypeError):
            await fetch("http://example.com/", session=session)


# --------------------------------------------------------------------------------------------
# Private addresses (SSRF)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("10.1.2.3", "10.1.2.3"),
        ("172.16.0.1", "172.16.0.1"),
        ("192.168.1.1", "192.168.1.1"),
        ("169.254.169.254", "169.254.169.254"),
        ("100.64.0.1", "100.64.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("224.0.0.1", "224.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[::]", "::"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe"),
        ("[fe80::1]", "fe80::1"),
        ("[fd00:ec2::254]", "fd00:ec2::254"),
        ("[64:ff9b::7f00:1]", "64:ff9b::7f00:1"),
        ("[2002:7f00:1::1]", "2002:7f00:1::1"),
    ],
)
async def test_literal_private_addresses_are_refused(site: Site, host: str, shown: str) -> None:
    """IP literals, in any spelling, that are not public are refused before any connection."""
    port = site.base.rsplit(":", 1)[1]
    message = await _fail(f"http://{host}:{port}/page", GUARDED)
    assert message == (
        f"that link points to a private network address ({shown}); "
        "citebot only fetches public pages"
    )
    assert site.hits == []


async def test_localhost_is_refused(site: Site) -> None:
    """A name resolving to loopback is refused, and the server is never reached."""
    port = site.base.rsplit(":", 1)[1]
    message = await _fail(f"http://localhost:{port}/page", GUARDED)
    assert message.startswith("that link points to a private network address (localhost is ")
    assert site.hits == []


async def test_connector_refuses_literal_addresses_by_itself(site: Site) -> None:
    """A make_session session used without fetch() still cannot connect to a private literal."""
    async with make_session(GUARDED) as session:
        with pytest.raises(aiohttp.ClientConnectorError, match="non-public address"):
            await session.get(f"{site.base}/page")
    assert site.hits == []


async def test_ip_literals_bypass_the_resolver(site: Site) -> None:
    """aiohttp never asks the resolver about IP literals: why literals are checked separately."""
    dns = FakeDNS({})
    async with _make_session(LOCAL, upstream=dns) as session:
        await fetch(f"{site.base}/page", session=session)
    assert dns.calls == []
    assert site.hits == ["/page"]


async def test_allow_private_allows_loopback(site: Site) -> None:
    """allow_private lets a fetch reach loopback (tests, intranets)."""
    page = await fetch(f"{site.base}/page", FetchSettings(allow_private=True))
    assert page.content_type == "text/html"


async def test_redirect_to_a_private_literal_is_refused(site: Site, internal: Site) -> None:
    """An allowed first hop redirecting to a refused address stops there."""
    target = f"{internal.base}/page"
    async with _make_session(GUARDED, policy=only_127_0_0_1) as session:
        with pytest.raises(FetchError) as caught:
            await fetch(f"{site.base}/to?location={target}", session=session)
    assert str(caught.value) == (
        "the page redirected to a private network address (127.0.0.2); "
        "citebot only fetches public pages"
    )
    assert len(site.hits) == 1
    assert internal.hits == []


async def test_redirect_to_cloud_metadata_is_refused(site: Site) -> None:
    """A redirect to the metadata service (169.254.169.254) is refused."""
    location = "http://169.254.169.254/latest/meta-data/"
    async with _make_session(GUARDED, policy=only_127_0_0_1) as session:
        with pytest.raises(FetchError, match=r"redirected to a private network address \(169"):
            await fetch(f"{site.base}/to?location={location}", session=session)


async def test_redirect_to_a_private_name_is_refused(site: Site, internal: Site) -> None:
    """A redirect to a host name resolving to a refused address is refused by the resolver."""
    dns = FakeDNS({"news.test": [["127.0.0.1"]], "intranet.test": [["127.0.0.2"]]})
    site_port = site.base.rsplit(":", 1)[1]
    target = f"http://intranet.test:{internal.base.rsplit(':', 1)[1]}/page"
    async with _make_session(GUARDED, policy=only_127_0_0_1, upstream=dns) as session:
        with pytest.raises(FetchError) as caught:
            await fetch(f"http://news.test:{site_port}/to?location={target}", session=session)
    assert str(caught.value).startswith(
        "the page redirected to a private network address (intranet.test is 127.0.0.2)"
    )
    assert len(site.hits) == 1
    assert internal.hits == []


async def test_resolver_keeps_only_public_addresses() -> None:
    """A mixed DNS answer is filtered down to its public addresses."""
    dns = FakeDNS({"mixed.test": [["10.0.0.1", "93.184.216.34", "::1", "2606:4700::1111"]]})
    results = await _GuardedResolver(is_public_address, dns).resolve("mixed.test", 80)
    assert [result["host"] for result in results] == ["93.184.216.34", "2606:4700::1111"]


async def test_resolver_refuses_rebinding() -> None:
    """A name answering public first and private next is refused on the second lookup."""
    dns = FakeDNS({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    guard = _GuardedResolver(is_public_address, dns)
    assert [r["host"] for r in await guard.resolve("rebind.test", 80)] == ["93.184.216.34"]
    with pytest.raises(OSError, match=r"rebind\.test is a non-public address \(127\.0\.0\.1\)"):
        await guard.resolve("rebind.test", 80)


async def test_rebinding_after_a_check_does_not_reach_the_server(site: Site) -> None:
    """An answer vetted earlier counts for nothing: the lookup used to connect is checked."""
    dns = FakeDNS({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    checked = await _GuardedResolver(is_public_address, dns).resolve("rebind.test", 80)
    assert checked  # a naive check would pass here
    port = site.base.rsplit(":", 1)[1]
    async with _make_session(GUARDED, upstream=dns) as session:
        with pytest.raises(FetchError, match=r"\(rebind\.test is 127\.0\.0\.1\)"):
            await fetch(f"http://rebind.test:{port}/page", session=session)
    assert site.hits == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("10.0.0.1", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.100.100.200", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("192.0.2.1", False),
        ("239.1.1.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("::127.0.0.1", False),
        ("64:ff9b::a00:1", False),
        ("2002:a00:1::1", False),
        ("2001::1", False),
        ("2001:db8::1", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    """Only globally routable unicast addresses are public, embedded IPv4 forms included."""
    assert is_public_address(ipaddress.ip_address(address)) is public


# --------------------------------------------------------------------------------------------
# normalize_url
# --------------------------------------------------------------------------------------------


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
