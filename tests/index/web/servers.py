"""Test servers for index.web: an aiohttp app with pathological pages, and a DNS double.

The fixtures that start them are in this folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import brotli
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from index.web import FetchSettings

LOCAL = FetchSettings(allow_private=True, connect_timeout=2, total_timeout=5)
GUARDED = FetchSettings(connect_timeout=2, total_timeout=5)  # the default policy
PAGE = "<html><head><title>Caf\xe9</title></head><body><p>Hello.</p></body></html>"
TEXT = b"The council met on Tuesday to discuss the new budget.\n" * 200

RawServer = Callable[[bytes], Awaitable[str]]  # starts a server answering these bytes: its URL


@dataclass
class Server:
    """A test server and what it saw."""

    base: str = ""
    hits: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> str:
        return self.base.rsplit(":", 1)[1]


def _app(server: Server) -> web.Application:
    async def record(request: web.Request, handler: Callable[..., Awaitable[web.StreamResponse]]):
        server.hits.append(request.path_qs)
        server.user_agents.append(request.headers.get("User-Agent", ""))
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
        await _wait(server.stop, 3)
        return web.Response(text="late")

    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        while not server.stop.is_set():
            await response.write(b"x")
            await _wait(server.stop, 0.05)
        return response

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})  # chunked
        await response.prepare(request)
        chunk = b"y" * 65536
        while not server.stop.is_set():
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


@contextlib.asynccontextmanager
async def serving(host: str) -> AsyncIterator[Server]:
    """The test app served on `host`, on a free port, while the context lasts."""
    server = Server()
    running = TestServer(_app(server), host=host)
    await running.start_server()
    server.base = f"http://{host}:{running.port}"
    try:
        yield server
    finally:
        server.stop.set()
        await running.close()


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
