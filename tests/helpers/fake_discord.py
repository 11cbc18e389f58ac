"""A small fake Discord for end-to-end tests: REST and gateway on 127.0.0.1, over real TLS.

The real, unmodified discord.py client reaches it in one of two ways, both documented options of
discord.py, neither patching nor reconfiguring it:

* in the test's own process, `connector=`: an aiohttp `TCPConnector` whose resolver sends
  `discord.com` and `gateway.discord.gg` (and nothing else: every other name fails) to this
  server's port on 127.0.0.1, and whose TLS context trusts a throwaway certificate made for
  those names;
* from another process (`python -m bot`), `proxy=` (the bot's `CITEBOT_PROXY`): this server is
  also an HTTP CONNECT proxy that tunnels those two names to itself, and the process trusts the
  certificate through `SSL_CERT_FILE` (see `tunnel.py`; `subprocess_env` gives both).

Either way discord.py uses its real URLs (`https://discord.com/api/v10`,
`wss://gateway.discord.gg/`) and verifies TLS as it always does.

Implemented, just enough for bots that log in, sync commands and answer:

* REST: `GET /users/@me` (401 unless `Authorization: Bot <token>`), `GET
  /oauth2/applications/@me`, `GET /gateway/bot` (recommending `shards`), `PUT`/`GET` application
  commands (global and guild), `POST /interactions/{id}/{token}/callback`, follow-ups and
  `@original` edits under `/webhooks/{application}/{token}`, and `POST /channels/{id}/messages`.
  Anything else is a 404 and is recorded in `unhandled`, which a test should find empty.
* Gateway (JSON text frames; discord.py reads them even when it asked for zlib): HELLO,
  heartbeat ACKs, IDENTIFY (close 4004 for a wrong token, 4010 for an impossible shard), READY
  and a GUILD_CREATE for each server of the connection's shard, and dispatches the test sends
  (`interact`, `interact_in_dm`, `post_message`). Several servers and several connections at
  once: as on Discord, IDENTIFY's `shard: [id, count]` decides which servers a connection gets
  (`(guild_id >> 22) % count == id`), and an event goes to the connection of its server's
  shard; DMs go to shard 0. Without `shard`, a connection is shard 0 of 1.

Every wait is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from tests.helpers.discord_payloads import (
    MANAGE_GUILD,
    VIEW_AND_SEND,
    Guild,
    Member,
    User,
    command_data,
    dm_channel,
    message_payload,
)
from tests.helpers.tunnel import ConnectProxy

HOSTS = ("discord.com", "gateway.discord.gg")
API = "/api/v10"
TIMEOUT = 10.0  # seconds any single wait may take
_ENDED = (
    aiohttp.WSMsgType.CLOSE,
    aiohttp.WSMsgType.CLOSING,
    aiohttp.WSMsgType.CLOSED,
    aiohttp.WSMsgType.ERROR,
)
GUILD_EPOCH = 100_000_000_000  # servers' ids are (this + n) << 22: below every other id here

__all__ = ["HOSTS", "TIMEOUT", "Certificate", "FakeDiscord", "Guild", "Member", "Request", "User"]


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for discord.com and gateway.discord.gg (openssl, a second)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the end-to-end test needs the openssl command to make a certificate")
    cert, key = folder / "discord.pem", folder / "discord.key"
    names = ",".join(f"DNS:{h}" for h in HOSTS)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=discord.com", "-addext", f"subjectAltName={names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )  # fmt: skip
    return Certificate(cert, key)


class LoopbackResolver(AbstractResolver):
    """Resolves Discord's host names to the fake server; refuses every other name."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in HOSTS:
            raise OSError(f"the fake Discord resolves only {HOSTS}, not {host}")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=self.port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class Request:
    """A REST request a bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any


@dataclass
class Connection:
    """One gateway websocket; `shard` is (id, count) once it has identified."""

    ws: web.WebSocketResponse
    shard: tuple[int, int] | None = None


@dataclass
class FakeDiscord:
    """One application and bot user; a first server ("Fake Server") with a #general channel,
    more with `add_guild`; a curator and a member in every server. `shards`: the shard count
    `GET /gateway/bot` recommends."""

    certificate: Certificate
    token: str = "fake-token"
    shards: int = 1
    requests: list[Request] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scope -> commands
    identifies: list[tuple[int, int]] = field(default_factory=list)  # each IDENTIFY's shard
    sent: list[dict[str, Any]] = field(default_factory=list)  # every message the bot posted

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._guild_times = itertools.count(GUILD_EPOCH)
        self.application_id = self.snowflake()
        self.bot = User(self.application_id, "citebot", bot=True)
        self.owner = User(self.snowflake(), "owner")
        self.guilds: list[Guild] = []
        self.guild = self.add_guild("Fake Server")
        self.curator = self.new_member("curator", VIEW_AND_SEND | MANAGE_GUILD)
        self.member = self.new_member("member")
        self.identified = asyncio.Event()  # set at the first READY
        # how the last gateway connection ended: the close code the bot sent, else the server's
        self.closed_with: int | None = None
        self._changed = asyncio.Condition()
        self.connections: list[Connection] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._proxy: ConnectProxy | None = None
        self.port = 0

    def snowflake(self) -> int:
        return next(self._ids)

    def new_member(self, name: str, permissions: int = VIEW_AND_SEND) -> Member:
        """Another member, in every server."""
        return Member(User(self.snowflake(), name), permissions)

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def channel_id(self) -> int:
        return self.guild.channel_id

    def add_guild(self, name: str, shard: int = 0, of: int = 1) -> Guild:
        """A new server whose events go to shard `shard` of `of` (its id makes it so)."""
        time = next(t for t in self._guild_times if t % of == shard)
        guild = Guild(time << 22, self.snowflake(), name)
        self.guilds.append(guild)
        return guild

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", API + "/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate.cert, self.certificate.key)
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._proxy = await ConnectProxy(HOSTS, self.port).__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for connection in list(self.connections):
            await asyncio.wait_for(connection.ws.close(), TIMEOUT)
        if self._proxy is not None:
            await self._proxy.__aexit__()
        if self._runner is not None:
            await asyncio.wait_for(self._runner.cleanup(), TIMEOUT)

    def connector(self) -> aiohttp.TCPConnector:
        """What an in-process bot gets as `connector=`: Discord's names resolve here; TLS
        trusts our certificate."""
        trusted = ssl.create_default_context(cafile=str(self.certificate.cert))
        return aiohttp.TCPConnector(resolver=LoopbackResolver(self.port), ssl=trusted)

    @property
    def proxy(self) -> ConnectProxy:
        assert self._proxy is not None, "use `async with FakeDiscord(...)`"
        return self._proxy

    def subprocess_env(self) -> dict[str, str]:
        """The environment a bot in another process needs to reach this server: the proxy
        (`CITEBOT_PROXY`), trust in our certificate (`SSL_CERT_FILE`) and the token."""
        return {
            "CITEBOT_PROXY": self.proxy.url,
            "SSL_CERT_FILE": str(self.certificate.cert),
            "DISCORD_TOKEN": self.token,
        }

    # --- waiting ---------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _record(self, request: Request) -> None:
        async with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[Request], bool]) -> Request:
        """The first request (made so far or later) for which `predicate` is true."""
        async with asyncio.timeout(TIMEOUT), self._changed:
            while True:
                for request in self.requests:
                    if predicate(request):
                        return request
                await self._changed.wait()

    async def connection_of(self, shard: int) -> Connection:
        """The open connection that identified as `shard` (the latest), once there is one."""
        async with asyncio.timeout(TIMEOUT), self._changed:
            while True:
                for connection in reversed(self.connections):
                    if connection.shard and connection.shard[0] == shard:
                        return connection
                await self._changed.wait()

    # --- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body = (
            await request.json()
            if request.can_read_body and request.content_type == "application/json"
            else None
        )
        by_token = path.startswith(("/interactions/", "/webhooks/"))  # the URL holds the token
        if not by_token and request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, "401: Unauthorized", 0)
        await self._record(Request(request.method, path, dict(request.query), body))
        handler = self._route(request.method, path.strip("/").split("/"))
        if handler is None:
            self.unhandled.append(f"{request.method} {path}")
            return _error(404, "404: Not Found", 0)
        return _json(handler(body))

    def _route(self, method: str, parts: list[str]) -> Callable[[Any], Any] | None:
        app = str(self.application_id)
        match method, parts:
            case "GET", ["users", "@me"]:
                return lambda _: self.bot.payload()
            case "GET", ["oauth2", "applications", "@me"]:
                return lambda _: self._application()
            case "GET", ["gateway", "bot"]:
                return lambda _: {
                    "url": "wss://gateway.discord.gg",
                    "shards": self.shards,
                    "session_start_limit": {
                        "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1
                    },
                }  # fmt: skip
            case "PUT", ["applications", a, "commands"] if a == app:
                return lambda body: self._put_commands("global", body)
            case "PUT", ["applications", a, "guilds", guild, "commands"] if a == app:
                return lambda body: self._put_commands(guild, body)
            case "GET", ["applications", a, "commands"] if a == app:
                return lambda _: self.commands.get("global", [])
            case "POST", ["interactions", interaction_id, _token, "callback"]:
                return lambda body: self._callback(interaction_id, body)
            case ("POST", ["webhooks", a, _token]) if a == app:
                return lambda body: self._message(body)
            case ("PATCH" | "GET", ["webhooks", a, _token, "messages", _]) if a == app:
                return lambda body: self._message(body or {})
            case "POST", ["channels", channel, "messages"]:
                return lambda body: self._message(body, int(channel))
        return None

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "citebot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot.payload(),
        }

    def _put_commands(self, scope: str, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        registered = [
            {
                **command,
                "id": str(self.snowflake()),
                "application_id": str(self.application_id),
                "version": "1",
                **({"guild_id": scope} if scope != "global" else {}),
            }
            for command in body
        ]
        self.commands[scope] = registered
        return registered

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data") or {}
        kind = body["type"]
        sent = self._message(data) if kind in (4, 5) else None
        flags = data.get("flags", 0)
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": sent["id"] if sent else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind, **({"message": sent} if sent else {})},
        }

    def _message(
        self, body: dict[str, Any] | None, channel_id: int | None = None
    ) -> dict[str, Any]:
        """What the bot posted, as Discord returns it."""
        body = {k: v for k, v in (body or {}).items() if k != "mentions"}
        sent = message_payload(self.snowflake(), channel_id or self.channel_id, self.bot, body)
        self.sent.append(sent)
        return sent

    # --- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = Connection(ws)
        self.connections.append(connection)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        sent_code = None  # the close code the bot sent, if it sent a close frame
        while True:
            frame = await ws.receive()
            if frame.type is aiohttp.WSMsgType.CLOSE:
                sent_code = frame.data
            if frame.type in _ENDED:
                break
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data["op"] == 1:  # heartbeat
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif data["op"] == 2 and not await self._identify(connection, data["d"]):
                break
        self.connections.remove(connection)
        if self.closed_with != 4004:
            self.closed_with = sent_code or ws.close_code
        await self._notify()
        return ws

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> bool:
        """IDENTIFY: READY and this shard's servers, or close (and False) when refused."""
        if data["token"] != self.token:
            self.closed_with = 4004
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return False
        shard_id, count = data.get("shard", [0, 1])
        self.identifies.append((shard_id, count))
        if not 0 <= shard_id < count:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return False
        guilds = [g for g in self.guilds if g.shard(count) == shard_id]
        await self._send(connection.ws, "READY", {
            "v": 10,
            "user": self.bot.payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": f"fake-session-{shard_id}",
            "resume_gateway_url": "wss://gateway.discord.gg",
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        } | ({"shard": [shard_id, count]} if "shard" in data else {}))  # fmt: skip
        for guild in guilds:
            await self._send(connection.ws, "GUILD_CREATE", guild.payload(self.bot, self.owner))
        connection.shard = (shard_id, count)
        self.identified.set()
        await self._notify()
        return True

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the connection that Discord would send it to: that of its
        server's shard, or shard 0's for a DM (waiting for that shard to identify)."""
        await asyncio.wait_for(self.identified.wait(), TIMEOUT)
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        shard = 0
        if guild_id is not None:
            count = next(c.shard[1] for c in reversed(self.connections) if c.shard)
            shard = (guild_id >> 22) % count
        connection = await self.connection_of(shard)
        await self._send(connection.ws, event, data)

    # --- what users do ---------------------------------------------------------------------

    async def interact(
        self,
        member: Member,
        command: str,
        options: dict[str, Any],
        subcommand: str | None = None,
        guild: Guild | None = None,
    ) -> tuple[str, str]:
        """`member` runs a slash command in #general of `guild` (the first server by default);
        returns the interaction's id and token."""
        data = command_data(self.snowflake(), command, options, subcommand)
        return await self._interaction(2, data, self._in_guild(member, guild))

    def _in_guild(self, member: Member, guild: Guild | None) -> dict[str, Any]:
        """Where an interaction in #general of `guild` (the first by default) comes from."""
        guild = guild or self.guild
        return {
            "guild_id": str(guild.id),
            "channel_id": str(guild.channel_id),
            "channel": guild.channel(),
            "member": member.payload(),
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
        }

    async def interact_in_dm(
        self, user: User, command: str, options: dict[str, Any] | None = None
    ) -> tuple[str, str]:
        """`user` runs a slash command in their DM with the bot; returns its id and token."""
        channel_id = self.snowflake()
        data = command_data(self.snowflake(), command, options or {}, None)
        return await self._interaction(2, data, {
            "channel_id": str(channel_id),
            "channel": dm_channel(channel_id, user),
            "user": user.payload(),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        })  # fmt: skip

    async def _interaction(
        self, kind: int, data: dict[str, Any], where: dict[str, Any]
    ) -> tuple[str, str]:
        """An interaction of `kind` (2: a command, 3: a button) with its `data`."""
        interaction_id, token = str(self.snowflake()), f"token-{self.snowflake()}"
        await self.dispatch("INTERACTION_CREATE", {
            "id": interaction_id,
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "app_permissions": str(VIEW_AND_SEND),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
            **where,
        })  # fmt: skip
        return interaction_id, token

    async def post_message(
        self,
        author: Member,
        content: str,
        mentions: list[User],
        guild: Guild | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> str:
        """`author` posts a message in #general of `guild` (the first by default), replying
        to `reply_to` (a message as `sent` holds it) if given; its id."""
        guild = guild or self.guild
        message_id = self.snowflake()
        member = author.payload()
        member.pop("user")
        member.pop("permissions")
        body: dict[str, Any] = {"content": content, "mentions": [u.payload() for u in mentions]}
        replying: dict[str, Any] = {}
        if reply_to is not None:
            body["message_reference"] = {
                "message_id": reply_to["id"], "channel_id": reply_to["channel_id"],
                "guild_id": str(guild.id),
            }  # fmt: skip
            replying["referenced_message"] = reply_to
        await self.dispatch("MESSAGE_CREATE", {
            **message_payload(message_id, guild.channel_id, author.user, body),
            **replying,
            "guild_id": str(guild.id),
            "member": member,
        })  # fmt: skip
        return str(message_id)

    async def press(
        self, member: Member, message: dict[str, Any], label: str, guild: Guild | None = None
    ) -> tuple[str, str]:
        """`member` presses the button labelled `label` under `message` (as `sent` holds it)
        in #general of `guild`; returns the interaction's id and token."""
        [custom_id] = [
            button["custom_id"]
            for row in message["components"]
            for button in row["components"]
            if button.get("label") == label
        ]
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction(
            3, data, {**self._in_guild(member, guild), "message": message}
        )


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON as Discord sends it: discord.py reads a body as JSON only for exactly this type."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _error(status: int, message: str, code: int) -> web.Response:
    return _json({"message": message, "code": code}, status)
