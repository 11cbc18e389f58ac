"""The test PostgreSQL server does not outlive a test session killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]

SESSION = """
import sys, time
from tests.helpers.postgres import PostgresServer
server = PostgresServer()
server.start()
pid = (server.data / "postmaster.pid").read_text().split()[0]
print(server.folder, pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_test_session_leaves_no_server_running() -> None:
    session = subprocess.Popen(
        [sys.executable, "-c", SESSION], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert session.stdout is not None
    folder, pid = session.stdout.readline().split()
    assert _alive(int(pid))  # the server runs while the session does
    session.send_signal(signal.SIGKILL)  # no teardown of any kind
    session.wait()
    deadline = time.monotonic() + 60
    while (_alive(int(pid)) or Path(folder).exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(int(pid))
    assert not Path(folder).exists()


def test_stopping_a_server_never_started_removes_its_folder() -> None:
    server = PostgresServer()
    server.stop()
    assert not server.folder.exists()
