"""Tests for index.web.fetch: fetching over a guarded session, its limits and its messages.

Real HTTP servers on loopback (aiohttp.web, and a raw asyncio server for malformed answers); the
only test double is a fake DNS resolver, since there is no network here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time

import aiohttp
import pytest

from index.errors import InputError
from index.web.fetch import (
    Fetched,
    FetchError,
    FetchSettings,
    _make_session,
    fetch,
    make_session,
    parse_content_type,
)
from tests.index.web.servers import GUARDED, LOCAL, PAGE, TEXT, FakeDNS, RawServer, Server


def only_127_0_0_1(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A narrow policy for redirect tests: the first hop (127.0.0.1) allowed, nothing else."""
    return address == ipaddress.ip_address("127.0.0.1")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def get(url: str, settings: FetchSettings = LOCAL) -> Fetched:
    """Fetch over a session of its own, made with `settings`."""
    async with make_session(settings) as session:
        return await fetch(session, url)


async def _fail(url: str, settings: FetchSettings = LOCAL) -> str:
    with pytest.raises(FetchError) as caught:
        await get(url, settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------------


async def test_page_is_fetched_with_content_type_and_charset(server: Server) -> None:
    """A page comes back with its bytes, media type, charset and normalized URL."""
    page = await get(f"{server.base}/page#intro")
    assert page == Fetched(
        url=f"{server.base}/page",
        content_type="text/html",
        charset="ISO-8859-1",
        data=PAGE.encode("latin-1"),
    )


async def test_user_agent_is_descriptive(server: Server) -> None:
    """Requests carry citebot's User-Agent."""
    await get(f"{server.base}/page")
    assert server.user_agents[0].startswith("citebot/")


async def test_missing_content_type_is_none(raw_server: RawServer) -> None:
    """Without a Content-Type header, the media type and charset are None."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    page = await get(f"{base}/")
    assert (page.content_type, page.charset, page.data) == (None, None, b"hello")


async def test_redirects_are_followed(server: Server) -> None:
    """Relative redirects are followed; the final URL is reported normalized."""
    page = await get(f"{server.base}/redirect/3")
    assert page.url == f"{server.base}/page?id=7"
    assert server.hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0", "/page?id=7"]


async def test_five_redirects_are_allowed(server: Server) -> None:
    """A chain of exactly max_redirects redirects succeeds."""
    page = await get(f"{server.base}/redirect/4")
    assert page.url == f"{server.base}/page?id=7"


async def test_too_many_redirects_are_refused(server: Server) -> None:
    """A sixth redirect is refused, and not followed."""
    message = await _fail(f"{server.base}/redirect/9")
    assert message == "too many redirects (more than 5)"
    assert len(server.hits) == 6


async def test_redirect_to_another_scheme_is_refused(server: Server) -> None:
    """A redirect to a non-http link is refused with a clear message."""
    message = await _fail(f"{server.base}/to?location=file:///etc/passwd")
    assert message == (
        "the page redirected to a link citebot cannot fetch: only http and https links can be added"
    )


async def test_slow_server_times_out(server: Server) -> None:
    """A server that does not answer in time gives the timeout message, promptly."""
    start = time.monotonic()
    message = await _fail(
        f"{server.base}/slow", FetchSettings(allow_private=True, total_timeout=0.3)
    )
    assert message == "the page did not answer within 0.3 s"
    assert time.monotonic() - start < 1.5


async def test_slow_drip_body_times_out(server: Server) -> None:
    """A body trickling in byte by byte is cut off by the total timeout."""
    start = time.monotonic()
    message = await _fail(
        f"{server.base}/drip", FetchSettings(allow_private=True, total_timeout=0.4)
    )
    assert message == "the page did not answer within 0.4 s"
    assert time.monotonic() - start < 1.5


async def test_endless_body_is_refused_while_streaming(server: Server) -> None:
    """A body without Content-Length is refused once the cap is passed, not read to its end."""
    settings = FetchSettings(allow_private=True, total_timeout=5, max_bytes=100 * 1024)
    message = await _fail(f"{server.base}/endless", settings)
    # the body never ends: not a timeout
    assert message == "the page is too large; the limit is 100 KB"


async def test_declared_length_above_cap_is_refused_before_reading(raw_server: RawServer) -> None:
    """A Content-Length above the cap is refused at once, without waiting for the body."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
    start = time.monotonic()
    message = await _fail(f"{base}/", LOCAL)
    assert message == "the page is too large (953.7 MB); the limit is 10 MB"
    assert time.monotonic() - start < 1


async def test_short_content_length_never_yields_more(raw_server: RawServer) -> None:
    """Bytes past a too-small Content-Length are never taken as body (aiohttp: invalid answer)."""
    base = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 5000)
    outcome: bytes | str
    try:  # extra bytes arriving after the body is complete do not reach it
        outcome = (await get(f"{base}/")).data
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
async def test_compressed_bodies_are_decoded(server: Server, path: str) -> None:
    """gzip, deflate and brotli bodies come back decompressed."""
    page = await get(f"{server.base}{path}")
    assert page.data == TEXT


async def test_gzip_bomb_is_refused_by_the_cap(server: Server) -> None:
    """A small body that decompresses past the cap is refused (the cap is on decoded bytes)."""
    settings = FetchSettings(allow_private=True, total_timeout=5, max_bytes=1024 * 1024)
    message = await _fail(f"{server.base}/bomb", settings)
    assert message == "the page is too large; the limit is 1 MB"


async def test_not_found_message(server: Server) -> None:
    """A 404 says so."""
    assert await _fail(f"{server.base}/status/404") == "the server answered 404 Not Found"


async def test_server_error_message(server: Server) -> None:
    """A 500 says so and suggests trying later."""
    message = await _fail(f"{server.base}/status/500")
    assert message == "the server answered 500 Internal Server Error — try again later"


async def test_forbidden_message(server: Server) -> None:
    """A 403 hints at logins and bot blocking."""
    message = await _fail(f"{server.base}/status/403")
    assert message.startswith("the server answered 403 Forbidden — ")


async def test_connection_refused_message() -> None:
    """A closed port gives a 'could not connect' message."""
    port = _closed_port()
    message = await _fail(f"http://127.0.0.1:{port}/")
    assert message == f"could not connect to 127.0.0.1 port {port} (connection refused)"


async def test_unknown_host_message(server: Server) -> None:
    """A name that does not resolve gives 'cannot find the host'."""
    async with _make_session(LOCAL, upstream=FakeDNS({})) as session:
        with pytest.raises(FetchError) as caught:
            await fetch(session, "http://nowhere.invalid/")
    assert str(caught.value) == "cannot find the host nowhere.invalid"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi"],
)
async def test_non_http_schemes_are_refused(url: str) -> None:
    """Only http and https are fetched; the error is an InputError."""
    with pytest.raises(InputError, match=r"^only http and https links can be added$"):
        await get(url, FetchSettings())


async def test_a_session_is_reused_for_many_fetches(server: Server) -> None:
    """One session from make_session serves several fetches (feeds)."""
    async with make_session(LOCAL) as session:
        first = await fetch(session, f"{server.base}/page")
        second = await fetch(session, f"{server.base}/gzip")
    assert (first.content_type, second.data) == ("text/html", TEXT)


async def test_fetch_refuses_an_unguarded_session() -> None:
    """A plain aiohttp session, without the address guard, is a programming error."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TypeError):
            await fetch(session, "http://example.com/")


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
async def test_literal_private_addresses_are_refused(server: Server, host: str, shown: str) -> None:
    """IP literals, in any spelling, that are not public are refused before any connection."""
    port = server.port
    message = await _fail(f"http://{host}:{port}/page", GUARDED)
    assert message == (
        f"that link points to a private network address ({shown}); "
        "citebot only fetches public pages"
    )
    assert server.hits == []


async def test_localhost_is_refused(server: Server) -> None:
    """A name resolving to loopback is refused, and the server is never reached."""
    port = server.port
    message = await _fail(f"http://localhost:{port}/page", GUARDED)
    assert message.startswith("that link points to a private network address (localhost is ")
    assert server.hits == []


async def test_allow_private_allows_loopback(server: Server) -> None:
    """allow_private lets a fetch reach loopback (tests, intranets)."""
    page = await get(f"{server.base}/page", FetchSettings(allow_private=True))
    assert page.content_type == "text/html"


async def test_redirect_to_a_private_literal_is_refused(server: Server, internal: Server) -> None:
    """An allowed first hop redirecting to a refused address stops there."""
    target = f"{internal.base}/page"
    async with _make_session(GUARDED, policy=only_127_0_0_1) as session:
        with pytest.raises(FetchError) as caught:
            await fetch(session, f"{server.base}/to?location={target}")
    assert str(caught.value) == (
        "the page redirected to a private network address (127.0.0.2); "
        "citebot only fetches public pages"
    )
    assert len(server.hits) == 1
    assert internal.hits == []


async def test_redirect_to_cloud_metadata_is_refused(server: Server) -> None:
    """A redirect to the metadata service (169.254.169.254) is refused."""
    location = "http://169.254.169.254/latest/meta-data/"
    async with _make_session(GUARDED, policy=only_127_0_0_1) as session:
        with pytest.raises(FetchError, match=r"redirected to a private network address \(169"):
            await fetch(session, f"{server.base}/to?location={location}")


async def test_redirect_to_a_private_name_is_refused(server: Server, internal: Server) -> None:
    """A redirect to a host name resolving to a refused address is refused by the resolver."""
    dns = FakeDNS({"news.test": [["127.0.0.1"]], "intranet.test": [["127.0.0.2"]]})
    target = f"http://intranet.test:{internal.port}/page"
    async with _make_session(GUARDED, policy=only_127_0_0_1, upstream=dns) as session:
        with pytest.raises(FetchError) as caught:
            await fetch(session, f"http://news.test:{server.port}/to?location={target}")
    assert str(caught.value).startswith(
        "the page redirected to a private network address (intranet.test is 127.0.0.2)"
    )
    assert len(server.hits) == 1
    assert internal.hits == []


# --------------------------------------------------------------------------------------------
# parse_content_type
# --------------------------------------------------------------------------------------------


def test_content_type_is_split_into_media_type_and_charset() -> None:
    """A header with a quoted charset gives the lower-cased media type and the charset."""
    assert parse_content_type('Text/HTML; charset="UTF-8"') == ("text/html", "UTF-8")


def test_content_type_without_charset() -> None:
    """A bare media type has no charset."""
    assert parse_content_type("application/pdf") == ("application/pdf", None)


@pytest.mark.parametrize("value", [None, ""])
def test_missing_content_type_is_none_and_none(value: str | None) -> None:
    """No header, or an empty one, gives (None, None)."""
    assert parse_content_type(value) == (None, None)


def test_first_non_empty_charset_counts() -> None:
    """Of several charset parameters, the first with a value is the charset."""
    value = "text/plain; charset=; format=flowed; charset=koi8-r; charset=utf-8"
    assert parse_content_type(value) == ("text/plain", "koi8-r")


def test_control_characters_in_a_content_type_are_shown_as_question_marks() -> None:
    """Unprintable characters from a server or an upload are made safe for a message."""
    assert parse_content_type("text/\x07html; charset=utf\x00-8") == ("text/?html", "utf?-8")


def test_a_long_media_type_is_cut_short() -> None:
    """A media type longer than 100 characters is cut, with an ellipsis."""
    assert parse_content_type("x/" + "y" * 200) == ("x/" + "y" * 97 + "…", None)
