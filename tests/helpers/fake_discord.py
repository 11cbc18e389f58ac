"""A small fake Discord for end-to-end tests: REST and gateway on 127.0.0.1, over real TLS.

The real, unmodified discord.py client reaches it through its documented `connector=` option:
an aiohttp `TCPConnector` whose resolver sends `discord.com` and `gateway.discord.gg` (and
nothing else: every other name fails) to this server's port on 127.0.0.1, and whose TLS context
trusts a throwaway certificate made for those names. So discord.py uses its real URLs
(`https://discord.com/api/v10`, `wss://gateway.discord.gg/`), verifies TLS as it always does,
and nothing in discord.py is patched or reconfigured.

Implemented, just enough for a bot that logs in, syncs commands and answers:

* REST: `GET /users/@me` (401 unless `Authorization: Bot <token>`), `GET
  /oauth2/applications/@me`, `GET /gateway/bot`, `PUT`/`GET` application commands (global and
  guild), `POST /interactions/{id}/{token}/callback`, follow-ups and `@original` edits under
  `/webhooks/{application}/{token}`, and `POST /channels/{id}/messages`. Anything else is a 404
  and is recorded in `unhandled`, which a test should find empty.
* Gateway (JSON text frames; discord.py reads them even when it asked for zlib): HELLO, heartbeat
  ACKs, IDENTIFY (close 4004 for a wrong token), READY, one GUILD_CREATE, and dispatches the test
  sends (`interact`, `post_message`).

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

HOSTS = ("discord.com", "gateway.discord.gg")
API = "/api/v10"
TIMEOUT = 10.0  # seconds any single wait may take

VIEW_AND_SEND = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31)  # view, send, history, app commands
MANAGE_GUILD = 1 << 5


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
    """A REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any


@dataclass
class User:
    id: int
    name: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Member:
    user: User
    permissions: int

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [],
            "nick": None,
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(self.permissions),
        }


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class FakeDiscord:
    """One application, one bot user, one guild with a #general channel and two members."""

    certificate: Certificate
    token: str = "fake-token"
    requests: list[Request] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scope -> commands

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self.application_id = self.snowflake()
        self.bot = User(self.application_id, "citebot", bot=True)
        self.owner = User(self.snowflake(), "owner")
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.curator = Member(User(self.snowflake(), "curator"), VIEW_AND_SEND | MANAGE_GUILD)
        self.member = Member(User(self.snowflake(), "member"), VIEW_AND_SEND)
        self.identified = asyncio.Event()
        self.closed_with: int | None = None  # the close code of the last gateway connection
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def snowflake(self) -> int:
        return next(self._ids)

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
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self._sockets):
            await asyncio.wait_for(ws.close(), TIMEOUT)
        if self._runner is not None:
            await asyncio.wait_for(self._runner.cleanup(), TIMEOUT)

    def connector(self) -> aiohttp.TCPConnector:
        """What the bot gets as `connector=`: Discord's names resolve here; TLS trusts our cert."""
        trusted = ssl.create_default_context(cafile=str(self.certificate.cert))
        return aiohttp.TCPConnector(resolver=LoopbackResolver(self.port), ssl=trusted)

    # --- waiting ---------------------------------------------------------------------------

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
                    "shards": 1,
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
        message = self._message(data) if kind in (4, 5) else None
        flags = data.get("flags", 0)
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind, **({"message": message} if message else {})},
        }

    def _message(
        self, body: dict[str, Any] | None, channel_id: int | None = None
    ) -> dict[str, Any]:
        body = body or {}
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id or self.channel_id),
            "author": self.bot.payload(),
            "content": body.get("content", ""),
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": body.get("components", []),
            "pinned": False,
            "type": 19 if body.get("message_reference") else 0,
            "flags": body.get("flags", 0),
        } | (
            {"message_reference": body["message_reference"]} if "message_reference" in body else {}
        )

    # --- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for frame in ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:  # heartbeat
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:  # identify
                if message["d"]["token"] != self.token:
                    self.closed_with = 4004
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                await self._ready(ws)
        self._sockets.remove(ws)
        if self.closed_with != 4004:
            self.closed_with = ws.close_code
        return ws

    async def _ready(self, ws: web.WebSocketResponse) -> None:
        await self._send(ws, "READY", {
            "v": 10,
            "user": self.bot.payload(),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": "wss://gateway.discord.gg",
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        })  # fmt: skip
        await self._send(ws, "GUILD_CREATE", self._guild())
        self.identified.set()

    def _guild(self) -> dict[str, Any]:
        guild = str(self.guild_id)
        bot = Member(self.bot, VIEW_AND_SEND).payload()
        del bot["permissions"]
        return {
            "id": guild,
            "name": "Fake Server",
            "icon": None,
            "owner_id": str(self.owner.id),
            "roles": [
                {
                    "id": guild,
                    "name": "@everyone",
                    "permissions": str(VIEW_AND_SEND),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                {
                    "id": str(self.channel_id),
                    "type": 0,
                    "guild_id": guild,
                    "name": "general",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                    "topic": None,
                    "last_message_id": None,
                    "rate_limit_per_user": 0,
                }
            ],
            "members": [bot],
            "member_count": 4,
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
        }

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the connected bot."""
        await asyncio.wait_for(self.identified.wait(), TIMEOUT)
        await self._send(self._sockets[-1], event, data)

    # --- what users do ---------------------------------------------------------------------

    async def interact(
        self, member: Member, command: str, options: dict[str, Any], subcommand: str | None = None
    ) -> tuple[str, str]:
        """`member` runs a slash command in #general; returns the interaction's id and token."""
        interaction_id, token = str(self.snowflake()), f"token-{self.snowflake()}"
        leaf = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        data = {
            "id": str(self.snowflake()),
            "name": command,
            "type": 1,
            "options": [{"name": subcommand, "type": 1, "options": leaf}] if subcommand else leaf,
        }
        await self.dispatch("INTERACTION_CREATE", {
            "id": interaction_id,
            "application_id": str(self.application_id),
            "type": 2,
            "token": token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "channel": {"id": str(self.channel_id), "type": 0, "guild_id": str(self.guild_id),
                        "name": "general", "position": 0, "permission_overwrites": []},
            "member": member.payload(),
            "app_permissions": str(VIEW_AND_SEND),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
        })  # fmt: skip
        return interaction_id, token

    async def post_message(self, author: Member, content: str, mentions: list[User]) -> str:
        """`author` posts a message in #general; returns its id."""
        message_id = str(self.snowflake())
        member = author.payload()
        member.pop("user")
        member.pop("permissions")
        await self.dispatch("MESSAGE_CREATE", {
            "id": message_id,
            "channel_id": str(self.channel_id),
            "guild_id": str(self.guild_id),
            "author": author.user.payload(),
            "member": member,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [user.payload() for user in mentions],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        })  # fmt: skip
        return message_id


def _option_type(value: object) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON as Discord sends it: discord.py reads a body as JSON only for exactly this type."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _error(status: int, message: str, code: int) -> web.Response:
    return _json({"message": message, "code": code}, status)
