"""Running citebot without write access, for real: as a user that file permissions apply to, and
on a read-only filesystem.

Tests run as root in CI, and root ignores file permissions. `setpriv` takes away the
capabilities that let it (DAC override, DAC read search, owner override) for the command it
runs, so a folder of mode 0555 or a file of 0444 really refuses it. A read-only filesystem is a
tmpfs mounted and then remounted read-only inside `unshare -m`: a mount namespace private to
one shell, so nothing outside it sees the mount, and everything the shell made there is gone
when it ends. Each probe says why the machine cannot do it (the tests then skip), or None.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETPRIV = (
    "setpriv",
    "--bounding-set",
    "-dac_override,-dac_read_search,-fowner",
    "--inh-caps",
    "-all",
    "--",
)
_CLI = "from bot.cli.main import main; main()"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def env() -> dict[str, str]:
    """The environment of a child process: this checkout's code, whatever is installed."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def citebot(db: Path, *args: str) -> list[str]:
    """The command line of `citebot --db DB ARGS...` run from this checkout."""
    return [sys.executable, "-c", _CLI, "--db", str(db), *args]


def python(script: str, *args: str) -> list[str]:
    return [sys.executable, "-c", script, *args]


def without_override(command: Sequence[str]) -> list[str]:
    """`command`, run so that file permissions apply to it (as root too)."""
    return [*SETPRIV, *command] if os.geteuid() == 0 else list(command)


def run(command: Sequence[str], stdin: str | None = None) -> Ran:
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env(), timeout=120
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def on_read_only_mount(
    mount: Path, setup: Sequence[Sequence[str]], commands: Sequence[Sequence[str]]
) -> list[Ran]:
    """Mount a tmpfs at `mount`, run `setup` there (each must succeed), remount it read-only
    and run each of `commands`; their outcomes, in order. The mount lives only meanwhile."""
    outputs = Path(tempfile.mkdtemp(prefix="citebot-ro-"))
    script = [
        "set -e",
        f"mount -t tmpfs none {shlex.quote(str(mount))}",
        *(shlex.join(command) for command in setup),
        f"mount -o remount,ro {shlex.quote(str(mount))}",
        "set +e",
    ]
    for n, command in enumerate(commands):
        out = shlex.quote(str(outputs / str(n)))
        script.append(f"{shlex.join(command)} </dev/null >{out}.out 2>{out}.err; echo $? >{out}.rc")
    try:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", "\n".join(script)],
            capture_output=True,
            text=True,
            env=env(),
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return [
            Ran(
                int((outputs / f"{n}.rc").read_text()),
                (outputs / f"{n}.out").read_text(),
                (outputs / f"{n}.err").read_text(),
            )
            for n in range(len(commands))
        ]
    finally:
        shutil.rmtree(outputs)


@functools.cache
def why_permissions_cannot_apply() -> str | None:
    """None when `without_override` makes file permissions bind here, else why not."""
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    started = run(without_override(python("pass")))
    if started.code != 0:
        return f"Python does not start under setpriv: {started.err.strip()[-200:]}"
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        try:
            wrote = run(without_override(["touch", f"{folder}/x"]))
        finally:
            os.chmod(folder, 0o755)
    if wrote.code == 0:
        return "setpriv does not take root's permission override away on this machine"
    return None


@functools.cache
def why_no_read_only_mount() -> str | None:
    """None when `on_read_only_mount` works here, else why not."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "mounting a read-only filesystem needs root and unshare (util-linux)"
    with tempfile.TemporaryDirectory() as folder:
        try:
            ran = on_read_only_mount(
                Path(folder), [["touch", f"{folder}/x"]], [["touch", f"{folder}/y"]]
            )
        except AssertionError as exc:
            return f"cannot mount a tmpfs in a private mount namespace: {str(exc)[-200:]}"
    if ran[0].code == 0:
        return "the remounted tmpfs is still writable"
    return None


# A writer killed (os._exit) right after it committed an article: its changes stay in the -wal
# file, not yet copied into the database, and the -wal and -shm files stay behind.
KILLED_WRITER = """
import asyncio, os, sys
from index import Document, Library

async def main():
    async with Library.open(sys.argv[1]) as library:
        await library.add("console", Document(title=sys.argv[2], text=sys.argv[3]))
        os._exit(0)

asyncio.run(main())
"""


def make_read_only(*paths: Path) -> None:
    """Take write permission away from files (0444) and folders (0555)."""
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)


def make_writable(folder: Path) -> None:
    """Give `folder` and everything in it back to this user, writable (for the clean-up)."""
    for path in [folder, *folder.rglob("*")]:
        if os.geteuid() == 0:
            os.chown(path, 0, 0)
        path.chmod(0o755 if path.is_dir() else 0o644)
