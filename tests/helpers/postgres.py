"""A real PostgreSQL server for the tests: started once per test session, in a temporary
folder, reachable only through a Unix socket.

`initdb` refuses to run as root, so the server runs as the `postgres` system user (through
`runuser` when the tests run as root), with `fsync=off` (a test server need not survive a
power cut) and trust authentication over its socket. Each test gets a database of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

INSTALL = "PostgreSQL 15 is needed for these tests: `apt-get install -y postgresql` provides it"


class PostgresServer:
    """A throwaway PostgreSQL server; `url(name)` addresses one of its databases."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="citebot-pg-"))
        self.data = self.folder / "data"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*as_postgres, *command], capture_output=True, text=True, check=False, timeout=60
        )

    def start(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not on PATH. {INSTALL}")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        steps = [
            ("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
            (
                "pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o",
                f"-c listen_addresses='' -c unix_socket_directories='{self.folder}'"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=200",
                "start",
            ),
        ]  # fmt: skip
        for step in steps:
            done = self._run(*step)
            if done.returncode != 0:
                log = (self.folder / "log").read_text() if (self.folder / "log").exists() else ""
                raise RuntimeError(
                    f"{step[0]} failed ({INSTALL}):\n{done.stdout}{done.stderr}{log}"
                )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        done = self._run("psql", "-h", str(self.folder), "-U", "postgres", "-qc",
                         f"CREATE DATABASE {name}")  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"cannot create a test database: {done.stderr}")
        return self.url(name)
