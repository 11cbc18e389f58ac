"""Settings (bot/settings.py): environment and .env, read once, token kept secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import (
    MB,
    Settings,
    SettingsError,
    default_db_path,
    describe_error,
    load_settings,
    override,
    parse_shard_ids,
)
from index import Shards

ROOT = Path(__file__).resolve().parents[2]


def load() -> Settings:
    return Settings()


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DISCORD_TOKEN and CITEBOT_* variables fill the settings."""
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    monkeypatch.setenv("CITEBOT_DB", str(tmp_path / "x.db"))
    monkeypatch.setenv("CITEBOT_ADMIN_ROLE", "Librarians")
    monkeypatch.setenv("CITEBOT_DEV_GUILD", "1234")
    monkeypatch.setenv("CITEBOT_LOG_LEVEL", "debug")
    settings = load()
    assert settings.discord_token.get_secret_value() == "abc.def"
    assert settings.db == str(tmp_path / "x.db")
    assert settings.admin_role == "Librarians" and settings.dev_guild == 1234
    assert settings.log_level == "DEBUG"


def test_reads_a_dot_env_file_under_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A .env in the working folder is read; a variable in the environment wins over it."""
    Path(".env").write_text("DISCORD_TOKEN=from-file\nCITEBOT_ADMIN_ROLE=Editors\n")
    monkeypatch.setenv("CITEBOT_ADMIN_ROLE", "Librarians")
    settings = load()
    assert settings.discord_token.get_secret_value() == "from-file"
    assert settings.admin_role == "Librarians"


def test_empty_values_mean_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """`CITEBOT_DB=` (as in a copied .env.example) means the default path."""
    Path(".env").write_text("DISCORD_TOKEN=t\nCITEBOT_DB=\nCITEBOT_DEV_GUILD=\n")
    settings = load()
    assert settings.db == str(default_db_path()) and settings.dev_guild is None


def test_token_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token appears in no repr or str of the settings."""
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    settings = load()
    assert "very-secret-token" not in repr(settings) and "very-secret-token" not in str(settings)


def test_missing_token_is_one_line_naming_the_variable() -> None:
    """Without a token, asking for it (as the bot does) is one line that names DISCORD_TOKEN."""
    with pytest.raises(SettingsError) as caught:
        load().token()
    message = str(caught.value)
    assert message.startswith("DISCORD_TOKEN is not set") and "\n" not in message


def test_the_command_line_needs_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without DISCORD_TOKEN the settings still load: the command line runs without one."""
    monkeypatch.setenv("CITEBOT_ALLOW_PRIVATE_URLS", "1")
    settings = load()
    assert settings.discord_token is None
    assert settings.library_settings().fetch.allow_private


def test_load_settings_names_a_bad_variable_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """load_settings turns a rejected value into one SettingsError line naming its variable."""
    monkeypatch.setenv("CITEBOT_FETCH_MAX_MB", "lots")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("CITEBOT_FETCH_MAX_MB: ") and "\n" not in str(caught.value)


def test_load_settings_db_overrides_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A database given to load_settings (citebot --db) wins over CITEBOT_DB."""
    monkeypatch.setenv("CITEBOT_DB", str(tmp_path / "env.db"))
    assert load_settings(tmp_path / "given.db").db == tmp_path / "given.db"


def test_blank_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token of spaces is as good as none."""
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    with pytest.raises(ValidationError) as caught:
        load()
    assert describe_error(caught.value).startswith("DISCORD_TOKEN: ")


def test_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rejected value is reported under its variable's name."""
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CITEBOT_FETCH_TIMEOUT", "-3")
    with pytest.raises(ValidationError) as caught:
        load()
    assert describe_error(caught.value).startswith("CITEBOT_FETCH_TIMEOUT: ")


def test_fetch_limits_reach_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetch settings become the library's FetchSettings; private URLs are off by default."""
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    assert not load().library_settings().fetch.allow_private
    monkeypatch.setenv("CITEBOT_FETCH_TIMEOUT", "12.5")
    monkeypatch.setenv("CITEBOT_FETCH_MAX_MB", "3")
    monkeypatch.setenv("CITEBOT_ALLOW_PRIVATE_URLS", "1")
    fetch = load().library_settings().fetch
    assert fetch.total_timeout == 12.5 and fetch.max_bytes == 3 * MB and fetch.allow_private


def test_env_example_lists_every_setting() -> None:
    """.env.example names every setting the bot reads, and nothing else."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z_]+)=", example, re.MULTILINE))
    aliases = {"discord_token": "DISCORD_TOKEN"}
    expected = {aliases.get(name, f"CITEBOT_{name.upper()}") for name in Settings.model_fields}
    assert listed == expected


@pytest.mark.parametrize(
    ("text", "ids"),
    [("0", {0}), ("0-3", {0, 1, 2, 3}), ("0,2", {0, 2}), (" 0-1, 4 ", {0, 1, 4}), ("2-2", {2})],
)
def test_shard_ids_are_ranges_and_lists(text: str, ids: set[int]) -> None:
    """CITEBOT_SHARD_IDS names shards as ranges, single ids, or both, comma-separated."""
    assert parse_shard_ids(text) == ids


@pytest.mark.parametrize("text", ["a", "1,", "-1", "3-1", "0-", "1.5", "0;2", "0-99999999999"])
def test_malformed_shard_ids_are_refused(text: str) -> None:
    """Anything but ids and ranges of ids, separated by commas, is refused."""
    with pytest.raises(ValueError, match=r"shard ids|empty range|more shards"):
        parse_shard_ids(text)


def test_shards_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A count and ids are this process's shards; a count alone means all of them; neither
    means discord.py decides (no shards given)."""
    assert load().shards() is None
    monkeypatch.setenv("CITEBOT_SHARD_COUNT", "4")
    assert load().shards() == Shards(4, frozenset({0, 1, 2, 3}))
    monkeypatch.setenv("CITEBOT_SHARD_IDS", "1,3")
    assert load().shards() == Shards(4, frozenset({1, 3}))


@pytest.mark.parametrize(
    ("count", "ids", "message"),
    [
        ("", "0-1", "CITEBOT_SHARD_IDS: needs CITEBOT_SHARD_COUNT"),
        ("2", "1-2", "CITEBOT_SHARD_IDS: shard ids go from 0 to 1"),
        ("2", "x", "CITEBOT_SHARD_IDS: 'x' is not a list of shard ids"),
        ("0", "0", "CITEBOT_SHARD_COUNT: "),
        ("two", "0", "CITEBOT_SHARD_COUNT: "),
    ],
)
def test_bad_shard_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, message: str
) -> None:
    """Shard settings that cannot work are one line naming the variable to fix."""
    monkeypatch.setenv("CITEBOT_SHARD_COUNT", count)
    monkeypatch.setenv("CITEBOT_SHARD_IDS", ids)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_override_checks_the_settings_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values given on the command line are checked with those of the environment."""
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CITEBOT_SHARD_COUNT", "2")
    settings = load_settings()
    assert override(settings, shard_ids="1").shards() == Shards(2, frozenset({1}))
    assert override(settings, shard_ids="1").token() == "t"
    with pytest.raises(SettingsError, match="CITEBOT_SHARD_IDS: shard ids go from 0 to 1"):
        override(settings, shard_ids="2")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("http://proxy.example:3128", "http://proxy.example:3128"), ("", None), (None, None)],
)
def test_proxy_is_a_url(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str | None
) -> None:
    """CITEBOT_PROXY is an http(s) URL; empty or unset means a direct connection."""
    if value is not None:
        monkeypatch.setenv("CITEBOT_PROXY", value)
    assert load().proxy == expected


@pytest.mark.parametrize("value", ["proxy.example:3128", "socks5://proxy.example", "http://"])
def test_a_proxy_that_is_not_a_url_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Anything else is one line naming CITEBOT_PROXY."""
    monkeypatch.setenv("CITEBOT_PROXY", value)
    with pytest.raises(SettingsError, match=r"^CITEBOT_PROXY: must be a proxy's URL"):
        load_settings()
