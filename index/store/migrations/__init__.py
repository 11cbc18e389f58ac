"""Numbered schema migrations, one folder per backend: `<backend>/NNNN_name.sql`."""

from __future__ import annotations

import re
from importlib import resources

_NAME = re.compile(r"^(\d{4})_\w+\.sql$")


def numbered_scripts(backend: str) -> list[tuple[int, str]]:
    """A backend's migrations as (number, SQL), in order; numbered 1, 2, ... without gaps."""
    found = []
    for entry in resources.files(__name__).joinpath(backend).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    if [n for n, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, ... without gaps")
    return found
