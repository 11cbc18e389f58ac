"""Fixtures of the index.web tests: real HTTP servers on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.index.web.servers import RawServer, Server, serving


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """The test app on 127.0.0.1."""
    async with serving("127.0.0.1") as served:
        yield served


@pytest.fixture
async def internal() -> AsyncIterator[Server]:
    """A second server, on 127.0.0.2: an internal service a redirect must not reach."""
    async with serving("127.0.0.2") as served:
        yield served


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    """Start servers answering any request with fixed bytes, then holding the connection."""
    servers: list[asyncio.Server] = []

    async def start_raw(answer: bytes) -> str:
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

        raw = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(raw)
        return f"http://127.0.0.1:{raw.sockets[0].getsockname()[1]}"

    yield start_raw
    for raw in servers:
        raw.close()
        await raw.wait_closed()
