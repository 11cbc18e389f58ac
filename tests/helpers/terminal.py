"""The installed `citebot` run at a terminal: a pseudo-terminal that is the process's controlling
terminal, so that typing Ctrl-C or Ctrl-D there does what it does for a person."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path


def citebot_command(*args: str) -> list[str]:
    """The installed `citebot` console script with these arguments."""
    return [str(Path(sys.executable).parent / "citebot"), *args]


def _take_terminal() -> None:
    """In the child, a session leader already: make its stdin (the pty) its terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A process at a terminal: type into it and read what it shows."""

    def __init__(self, command: list[str]) -> None:
        self._master, slave = pty.openpty()
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_take_terminal,
        )
        os.close(slave)
        self.shown = ""

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def read_until(self, text: str, timeout: float = 30.0) -> str:
        """What the terminal shows until `text` appears (it fails after `timeout` s)."""
        deadline = time.monotonic() + timeout
        while text not in self.shown:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise AssertionError(f"{text!r} never appeared; the terminal shows {self.shown!r}")
        return self.shown

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self._master, 65536)
        except OSError:  # the process ended and closed the terminal
            return False
        self.shown += data.decode(errors="replace")
        return bool(data)

    def wait(self, timeout: float = 30.0) -> int:
        """The exit status, once everything shown has been read."""
        status = self.process.wait(timeout)
        while self._read(0.1):
            pass
        os.close(self._master)
        return status
