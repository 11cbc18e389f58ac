"""Tests for index.web.guard: which addresses may be connected to, checked where aiohttp connects.

The only test double is a fake DNS resolver, since there is no network here.
"""

from __future__ import annotations

import ipaddress

import aiohttp
import pytest

from index.web.fetch import FetchError, _make_session, fetch, make_session
from index.web.guard import GuardedResolver, is_public_address
from tests.index.web.servers import GUARDED, LOCAL, FakeDNS, Server


async def test_connector_refuses_literal_addresses_by_itself(server: Server) -> None:
    """A make_session session used without fetch() still cannot connect to a private literal."""
    async with make_session(GUARDED) as session:
        with pytest.raises(aiohttp.ClientConnectorError, match="non-public address"):
            await session.get(f"{server.base}/page")
    assert server.hits == []


async def test_ip_literals_bypass_the_resolver(server: Server) -> None:
    """aiohttp never asks the resolver about IP literals: why literals are checked separately."""
    dns = FakeDNS({})
    async with _make_session(LOCAL, upstream=dns) as session:
        await fetch(session, f"{server.base}/page")
    assert dns.calls == []
    assert server.hits == ["/page"]


async def test_resolver_keeps_only_public_addresses() -> None:
    """A mixed DNS answer is filtered down to its public addresses."""
    dns = FakeDNS({"mixed.test": [["10.0.0.1", "93.184.216.34", "::1", "2606:4700::1111"]]})
    results = await GuardedResolver(is_public_address, dns).resolve("mixed.test", 80)
    assert [result["host"] for result in results] == ["93.184.216.34", "2606:4700::1111"]


async def test_resolver_refuses_rebinding() -> None:
    """A name answering public first and private next is refused on the second lookup."""
    dns = FakeDNS({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    guard = GuardedResolver(is_public_address, dns)
    assert [r["host"] for r in await guard.resolve("rebind.test", 80)] == ["93.184.216.34"]
    with pytest.raises(OSError, match=r"rebind\.test is a non-public address \(127\.0\.0\.1\)"):
        await guard.resolve("rebind.test", 80)


async def test_rebinding_after_a_check_does_not_reach_the_server(server: Server) -> None:
    """An answer vetted earlier counts for nothing: the lookup used to connect is checked."""
    dns = FakeDNS({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    checked = await GuardedResolver(is_public_address, dns).resolve("rebind.test", 80)
    assert checked  # a naive check would pass here
    port = server.port
    async with _make_session(GUARDED, upstream=dns) as session:
        with pytest.raises(FetchError, match=r"\(rebind\.test is 127\.0\.0\.1\)"):
            await fetch(session, f"http://rebind.test:{port}/page")
    assert server.hits == []


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
