"""Where citebot keeps its files by default (shared by the command line and the bot)."""

from __future__ import annotations

from pathlib import Path

import platformdirs


def default_db_path() -> Path:
    """The library's SQLite file in the user's data folder, e.g. ~/.local/share/citebot/."""
    return Path(platformdirs.user_data_dir("citebot")) / "citebot.db"


def sync_state_path(db: Path) -> Path:
    """The small file next to the database recording which command set was last synced."""
    return db.with_name(db.name + ".commands.json")
