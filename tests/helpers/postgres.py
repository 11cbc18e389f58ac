"""A real PostgreSQL server for the tests: started once per test session, in a temporary
folder, reachable only through a Unix socket.

`initdb` refuses to run as root, so the server runs as the `postgres` system user (through
`runuser` when the tests run as root), with `fsync=off` (a test server need not survive a
power cut) and trust authentication over its socket. Each test gets a database of its own.

A test session killed outright (SIGKILL, a closed terminal) runs no teardown, so the server is
also watched by a small process of its own: it waits for the end of a pipe the test session
holds, which the kernel closes however that session ends, then stops the server and removes
its folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

INSTALL = "PostgreSQL 15 is needed for these tests: `apt-get install -y postgresql` provides it"

# the watchdog: argv[1] is the server's folder, the rest the command that stops the server
WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], capture_output=True, timeout=60, check=False)
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class PostgresServer:
    """A throwaway PostgreSQL server; `url(name)` addresses one of its databases."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="citebot-pg-"))
        self.data = self.folder / "data"
        self._watchdog: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _as_postgres(*command: str) -> list[str]:
        return [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), *command]

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_postgres(*command), capture_output=True, text=True, check=False, timeout=60
        )

    def start(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not on PATH. {INSTALL}")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        stop = self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(self.folder), *stop],
            stdin=subprocess.PIPE, start_new_session=True,  # a Ctrl-C to the tests spares it
        )  # fmt: skip
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
        """Stop the server and remove its folder (its watchdog does, once told)."""
        if self._watchdog is None or self._watchdog.stdin is None:  # never started
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        self._watchdog.stdin.close()
        self._watchdog.wait(timeout=90)

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
