"""An HTTP CONNECT proxy on 127.0.0.1 that tunnels a few host names to one local port.

How a bot in another process reaches the fake Discord: it is started with `CITEBOT_PROXY` set
to this proxy (discord.py's own `proxy=` option, a real deployment setting) and with
`SSL_CERT_FILE` naming the fake's certificate (which OpenSSL, and so aiohttp's default TLS
context, trusts instead of the system's). discord.py asks the proxy to `CONNECT discord.com:443`
and `gateway.discord.gg:443`; the proxy answers 200 and splices the bytes to the fake's TLS port,
so the TLS handshake, with its certificate and host name checks, is end to end between the bot
and the fake. Any other destination is refused (403) and recorded.
"""

from __future__ import annotations

import asyncio
import contextlib

TIMEOUT = 10.0
CHUNK = 64 * 1024


class ConnectProxy:
    """`async with ConnectProxy(hosts, port) as proxy`: `proxy.url` for the client."""

    def __init__(self, hosts: tuple[str, ...], port: int) -> None:
        self.hosts = hosts
        self.target_port = port
        self.tunnels: list[str] = []  # every CONNECT target accepted, in order
        self.refused: list[str] = []  # every request line refused
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ConnectProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            await asyncio.wait_for(self._server.wait_closed(), TIMEOUT)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        up_writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            method, target, *_ = [*line.split(" "), "", ""]
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host not in self.hosts or port != "443":
                self.refused.append(line)
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            self._writers.add(up_writer)
            self.tunnels.append(target)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away, or sent no request: nothing to tunnel
        finally:
            for each in (writer, up_writer):
                if each is not None:
                    each.close()
                    self._writers.discard(each)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then close the other side."""
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()
