"""Shared fixtures: the read-only shared data beside the project, the test web site, and
whether write access can really be taken away here (tests/helpers/confined.py)."""

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from hypothesis import settings

from tests.helpers import browser, confined
from tests.helpers.postgres import PostgresServer
from tests.helpers.website import Site

# The machine is shared and noisy: property tests check results, not timings.
settings.register_profile("citebot", deadline=None)
settings.load_profile("citebot")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The shared data folder (samples, eval sets, article pages)."""
    if not SHARED.is_dir():
        pytest.fail(f"the shared data folder is missing: {SHARED}")
    return SHARED


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    served = Site()

    async def handle(request: web.Request) -> web.StreamResponse:
        served.hits[request.path] += 1
        if request.path not in served.pages:
            raise web.HTTPNotFound()
        content_type, data = served.pages[request.path]
        validators = served.validators.get(request.path, {})
        if served.unchanged(request.path, request.headers):
            served.not_modified[request.path] += 1
            return web.Response(status=304, headers=validators)
        return web.Response(body=data, headers={"Content-Type": content_type, **validators})

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    served.base = f"http://127.0.0.1:{port}"
    yield served
    await runner.cleanup()


@pytest.fixture
def permissions_apply() -> None:
    """Skip unless file permissions can be made to bind child processes (as root too)."""
    if reason := confined.why_permissions_cannot_apply():
        pytest.skip(reason)


@pytest.fixture
def read_only_mounts() -> None:
    """Skip unless a read-only filesystem can be mounted for a child shell."""
    if reason := confined.why_no_read_only_mount():
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session, started on first use. It must start:
    the tests fail (never skip) without one, saying how to install it."""
    server = PostgresServer()
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's library lives, once for each backend: a new SQLite file, then a new
    database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "lib.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def chromium() -> str:
    """The Chromium executable. It must be there: the tests fail (never skip) without it,
    saying how to install it."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(browser.INSTALL)
    return path
