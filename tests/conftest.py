"""Shared fixtures: paths to the read-only shared data beside the project."""

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from hypothesis import settings

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


@dataclass
class Site:
    """A small web site: path -> (content type, body); counts the requests it answers."""

    base: str = ""
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def put(self, path: str, body: str | bytes, content_type: str = "text/html") -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = (content_type, data)
        return self.base + path


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    served = Site()

    async def handle(request: web.Request) -> web.StreamResponse:
        served.hits[request.path] += 1
        if request.path not in served.pages:
            raise web.HTTPNotFound()
        content_type, data = served.pages[request.path]
        return web.Response(body=data, headers={"Content-Type": content_type})

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
