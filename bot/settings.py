"""The bot's settings: environment variables and a `.env` file, read once at start-up.

Built by the launcher (`bot.__main__`) and passed down; nothing reads the environment at import
time, and `index/` never reads it at all. `.env.example` lists and explains every setting.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.paths import default_db_path, sync_state_path
from index.fetch import FetchSettings
from index.library import LibrarySettings

MB = 1024 * 1024
_FETCH = FetchSettings()  # the library's defaults, which these settings override

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Everything the bot is configured with. Field names map to `CITEBOT_<NAME>` variables."""

    model_config = SettingsConfigDict(
        env_prefix="CITEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `CITEBOT_DB=` in a copied .env.example means "the default"
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    discord_token: SecretStr = Field(validation_alias=AliasChoices("DISCORD_TOKEN"))
    db: Path = Field(default_factory=default_db_path)
    admin_role: str | None = None  # a role's name or id, allowed to add and remove articles
    dev_guild: int | None = Field(default=None, gt=0)  # sync commands to this server only
    log_level: LogLevel = "INFO"
    allow_private_urls: bool = False
    fetch_timeout: float = Field(default=_FETCH.total_timeout, gt=0, le=600)  # a whole fetch
    fetch_max_mb: float = Field(default=_FETCH.max_bytes / MB, gt=0, le=100)  # a page or a file
    feed_interval_minutes: float = Field(default=30, ge=1)  # how often feeds are read

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is empty")
        return SecretStr(token)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("admin_role")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def sync_state(self) -> Path:
        return sync_state_path(self.db)

    def library_settings(self) -> LibrarySettings:
        """The library's settings, with the fetch limits configured here."""
        fetch = replace(
            _FETCH,
            total_timeout=self.fetch_timeout,
            max_bytes=int(self.fetch_max_mb * MB),
            allow_private=self.allow_private_urls,
        )
        return LibrarySettings(fetch=fetch)


def describe_error(error: ValidationError) -> str:
    """A settings error as one line naming the variables to fix."""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "settings"
        name = field if field.isupper() else f"CITEBOT_{field.upper()}"  # aliases are env names
        if item["type"] == "missing":
            problems.append(f"{name} is not set")
        else:
            problems.append(f"{name}: {item['msg']}")
    return "; ".join(problems) + " (set it in the environment or in .env; see .env.example)"
