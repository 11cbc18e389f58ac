"""citebot's one configuration, for the bot and the command line alike, and its logging.

Environment variables and a `.env` file, read once by `load_settings` when a process starts (the
launcher `bot.__main__`, or the `citebot` command) and passed down; nothing reads the environment
at import time, and `index/` never reads it at all. `.env.example` lists and explains every
setting. The token is optional here, because the command line works without one; the bot asks
for it with `Settings.token()`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index import FetchSettings, LibrarySettings, Shards, is_postgres

MB = 1024 * 1024
_FETCH = FetchSettings()  # the library's defaults, which these settings override
_WHERE = " (set it in the environment or in .env; see .env.example)"
MAX_SHARDS = 100_000  # far more than any bot runs: a typo, not a plan
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
QUIET_LOGGERS = ("aiosqlite", "asyncio", "markdown_it")  # internals: warnings only


class SettingsError(Exception):
    """The settings cannot be used; the message is one line naming what to fix."""


def default_db_path() -> Path:
    """The library's SQLite file in the user's data folder, e.g. ~/.local/share/citebot/."""
    return Path(platformdirs.user_data_dir("citebot")) / "citebot.db"


class Settings(BaseSettings):
    """Everything citebot is configured with. Field names map to `CITEBOT_<NAME>` variables."""

    model_config = SettingsConfigDict(
        env_prefix="CITEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `CITEBOT_DB=` in a copied .env.example means "the default"
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    # the bot's token: only `citebot run` needs it (see `token`)
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN")
    )
    # the library: a file (SQLite, the default) or a postgresql:// URL (several processes)
    db: str = Field(default_factory=lambda: str(default_db_path()))
    admin_role: str | None = None  # a role's name or id, allowed to add and remove articles
    dev_guild: int | None = Field(default=None, gt=0)  # sync commands to this server only
    log_level: LogLevel = "INFO"
    allow_private_urls: bool = False
    fetch_timeout: float = Field(default=_FETCH.total_timeout, gt=0, le=600)  # a whole fetch
    fetch_max_mb: float = Field(default=_FETCH.max_bytes / MB, gt=0, le=100)  # a page or a file
    feed_interval_minutes: float = Field(default=30, ge=1)  # how often feeds are read
    # sharding: the total number of shards, and those this process runs (all when not given)
    shard_count: int | None = Field(default=None, ge=1, le=MAX_SHARDS)
    shard_ids: Annotated[frozenset[int] | None, NoDecode] = None  # "0-3", "0,2"
    proxy: str | None = None  # an HTTP proxy for every connection to Discord
    # the privileged message-content intent, needed by ask channels (also turn it on in the
    # Developer Portal); off by default
    message_content: bool = False

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is empty")
        return SecretStr(token)

    @field_validator("db", mode="before")
    @classmethod
    def _location(cls, value: object) -> object:
        """A path as a string (with ~ expanded); a postgresql:// URL as it is."""
        if isinstance(value, Path) or (isinstance(value, str) and not is_postgres(value)):
            return str(Path(value).expanduser())
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("admin_role")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        return parse_shard_ids(value) if isinstance(value, str) else value

    @field_validator("shard_ids")
    @classmethod
    def _ids_within_count(cls, value: frozenset[int] | None, info: ValidationInfo) -> object:
        if value is None or "shard_count" not in info.data:  # a bad count is reported already
            return value
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("needs CITEBOT_SHARD_COUNT, the total number of shards")
        if max(value) >= count:
            raise ValueError(f"shard ids go from 0 to {count - 1} (CITEBOT_SHARD_COUNT={count})")
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = urlsplit(value.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("must be a proxy's URL, such as http://proxy.example:3128")
        return value.strip()

    def token(self) -> str:
        """The bot's token; a `SettingsError` naming DISCORD_TOKEN when it is not set."""
        if self.discord_token is None:
            raise SettingsError("DISCORD_TOKEN is not set" + _WHERE)
        return self.discord_token.get_secret_value()

    def shards(self) -> Shards | None:
        """The shards this process runs, when configured (None: discord.py asks Discord how
        many shards to run, and this process runs them all)."""
        if self.shard_count is None:
            return None
        ids = self.shard_ids or frozenset(range(self.shard_count))
        return Shards(self.shard_count, ids)

    @property
    def sync_state(self) -> Path:
        """The small file recording which command set was last synced: next to an SQLite
        database, or in the user's data folder for a PostgreSQL one."""
        if is_postgres(self.db):
            digest = hashlib.sha256(self.db.encode()).hexdigest()[:12]
            return default_db_path().with_name(f"postgres-{digest}.commands.json")
        return Path(self.db + ".commands.json")

    def library_settings(self) -> LibrarySettings:
        """The library's settings, with the fetch limits configured here."""
        fetch = replace(
            _FETCH,
            total_timeout=self.fetch_timeout,
            max_bytes=int(self.fetch_max_mb * MB),
            allow_private=self.allow_private_urls,
        )
        return LibrarySettings(fetch=fetch)


def load_settings(db: str | None = None) -> Settings:
    """The settings from the environment and `.env`; `db` (from `citebot --db`) overrides.

    A value that cannot be used is a `SettingsError` of one line naming its variable.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None
    return settings if db is None else settings.model_copy(update={"db": db})


def override(settings: Settings, **values: Any) -> Settings:
    """`settings` with some values replaced (`citebot run --shard-count ...`), checked as a
    whole again; a `SettingsError` of one line when they cannot be used."""
    try:
        return Settings.model_validate(settings.model_dump() | values)
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None


def parse_shard_ids(text: str) -> frozenset[int]:
    """`0-3`, `0,2` or `0-3,8` -> the shard ids it names (a `ValueError` otherwise)."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{text!r} is not a list of shard ids such as 0-3 or 0,2")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"{part!r} is an empty range (write the lower id first)")
        if high >= MAX_SHARDS:
            raise ValueError(f"{high} is more shards than any bot runs")
        ids.update(range(low, high + 1))
    return frozenset(ids)


def describe_error(error: ValidationError) -> str:
    """A settings error as one line naming the variables to fix."""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "settings"
        name = field if field.isupper() else f"CITEBOT_{field.upper()}"  # aliases are env names
        if item["type"] == "missing":
            problems.append(f"{name} is not set")
        else:
            problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems) + _WHERE


def configure_logging(level: str) -> None:
    """Logging for the whole process, configured once by whichever entry point starts it.
    Libraries' internals (every SQL call, every Markdown rule) say warnings only, so that at
    DEBUG (`citebot -v`) citebot's own lines are what shows."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
