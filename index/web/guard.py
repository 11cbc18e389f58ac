"""The SSRF guard: which addresses a fetch may connect to, enforced where aiohttp connects.

A link pasted by a user is untrusted, so no private address is ever connected to (unless the
settings allow it, for tests and intranets). The check is made on the address actually
connected to, on every hop, whatever DNS answers later (rebinding):

- `GuardedResolver` wraps aiohttp's `ThreadedResolver` and drops every address the policy
  refuses, so the connector only ever gets vetted IPs for a host name (and a host name with
  nothing but private addresses fails with the address shown);
- aiohttp does not call the resolver for IP literals (`http://127.0.0.1/`, `http://[::1]/`), so
  `index.web.fetch` checks literal hosts itself before each request, and the connector's socket
  factory checks the address of every socket before it is connected: a backstop that also
  covers sessions from `make_session` used directly.

"Private" (see `is_public_address`) is anything not globally routable: loopback, RFC 1918,
link-local (169.254.169.254, the cloud metadata service), CGNAT 100.64/10, multicast,
unspecified, reserved and documentation ranges, IPv6 ULA/site-local, and IPv6 forms that embed
such an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64 64:ff9b::/96).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable
from typing import TypeAlias

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy: TypeAlias = Callable[[IPAddress], bool]  # True: may connect to this address
AddrInfo: TypeAlias = tuple[int, int, int, str, tuple[str, int] | tuple[str, int, int, int]]

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


def allow_all(address: IPAddress) -> bool:
    """The policy of `FetchSettings(allow_private=True)`: any address."""
    return True


def parse_ip(text: str) -> IPAddress | None:
    """An IP address, or None when `text` is not one (a host name)."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class BlockedAddressError(OSError):
    """Raised inside the connector for an address the policy refuses (aiohttp wraps it)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(errno.EACCES, f"{host} is a non-public address ({address})")
        self.host = host
        self.address = address


class GuardedResolver(AbstractResolver):
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
            address = parse_ip(result["host"])
            if address is not None and self._policy(address):
                allowed.append(result)
            else:
                refused.append(result["host"])
        if refused and not allowed:
            raise BlockedAddressError(host, refused[0])
        return allowed

    async def close(self) -> None:
        await self._upstream.close()


def _guarded_socket_factory(policy: AddressPolicy) -> Callable[[AddrInfo], socket.socket]:
    """A socket factory for TCPConnector refusing disallowed addresses (IP literals included)."""

    def factory(addr_info: AddrInfo) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        address = parse_ip(sockaddr[0])
        if address is None or not policy(address):
            raise BlockedAddressError(sockaddr[0], sockaddr[0])
        return socket.socket(family=family, type=type_, proto=proto)

    return factory


class GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector that only connects to addresses its policy allows (see the module doc)."""

    def __init__(self, policy: AddressPolicy, upstream: AbstractResolver | None = None) -> None:
        super().__init__(
            resolver=GuardedResolver(policy, upstream),
            socket_factory=_guarded_socket_factory(policy),
            limit_per_host=4,
        )
        self.policy = policy


def blocked_by_guard(err: BaseException) -> BlockedAddressError | None:
    """The guard's refusal behind an aiohttp error (it wraps and chains it), if that is what it
    is."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, BlockedAddressError):
            return exc
        if isinstance(exc, aiohttp.ClientConnectorError):
            todo.append(exc.os_error)
        todo += [exc.__cause__, exc.__context__]
    return None
