"""Headless Chromium for tests, driven over the DevTools protocol by a small client on aiohttp's
websockets: open a link and read back the words the page highlights.

Chromium exposes no API for the range a text fragment (`#:~:text=`) highlights, so the test pages
paint it (`::target-text`) in one colour, text and background alike, that nothing else on them
has; after the link is opened, a screenshot is drawn on a canvas in the page and every word of
the page is looked up at the centre of its box: the words painted in that colour are the
highlighted ones.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

INSTALL = "Chromium is needed for these tests: `apt-get install -y chromium` provides it"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]
# The style a test page gives the highlighted text: the one place this colour appears.
HIGHLIGHT_CSS = "::target-text { color: #ff00ff; background-color: #ff00ff; }"
VIEWPORT = {"width": 1200, "height": 6000, "deviceScaleFactor": 1, "mobile": False}

# In the page: the words of the document, each with whether the screenshot `png` (base64) shows
# it in the highlight's colour.
_READ_HIGHLIGHT = """async (png) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  context.drawImage(image, 0, 0);
  const scale = image.width / window.innerWidth;
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const box = range.getClientRects()[0];
      if (!box) continue;
      const x = Math.floor((box.left + box.width / 2) * scale);
      const y = Math.floor((box.top + box.height / 2) * scale);
      const [r, g, b] = context.getImageData(x, y, 1, 1).data;
      words.push([match[0], r > 200 && g < 90 && b > 200]);
    }
  }
  return words;
}"""


class DevTools:
    """One DevTools protocol connection (to a page): calls, and events waited for."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self._calls: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            data = message.json()
            if "id" in data and data["id"] in self._calls:
                self._calls.pop(data["id"]).set_result(data)
            for waiter in self._events.pop(data.get("method", ""), []):
                waiter.set_result(data.get("params", {}))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        self._calls[number] = asyncio.get_running_loop().create_future()
        await self._socket.send_json({"id": number, "method": method, "params": params})
        reply = await asyncio.wait_for(self._calls[number], 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply["result"])

    def event(self, method: str) -> asyncio.Future[dict[str, Any]]:
        """A future for the next `method` event (ask before causing it)."""
        waiter = asyncio.get_running_loop().create_future()
        self._events.setdefault(method, []).append(waiter)
        return waiter

    async def close(self) -> None:
        await self._socket.close()
        self._reader.cancel()


class Browser:
    """A headless Chromium with one page (`chromium()` starts and stops it)."""

    def __init__(self, page: DevTools) -> None:
        self.page = page

    async def highlighted(self, url: str) -> str:
        """Open `url` and return the words the page highlights, in order, one space apart.

        The page is left first: a link to the page already open would only scroll it, and a
        browser applies a text fragment when it loads a page.
        """
        for address in ("about:blank", url):
            loaded = self.page.event("Page.loadEventFired")
            await self.page.call("Page.navigate", url=address)
            await asyncio.wait_for(loaded, 30)
        words: list[str] = []
        for _ in range(50):  # the highlight is painted shortly after the page has loaded
            await asyncio.sleep(0.1)
            shot = await self.page.call("Page.captureScreenshot", format="png")
            found = await self.page.call(
                "Runtime.evaluate",
                expression=f"({_READ_HIGHLIGHT})({json.dumps(shot['data'])})",
                awaitPromise=True,
                returnByValue=True,
            )
            words = [word for word, hit in found["result"]["value"] if hit]
            if words:
                break
        return " ".join(words)


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Browser]:
    """Chromium started headless on a fresh profile, its page sized to hold a whole article."""
    profile = Path(tempfile.mkdtemp(prefix="citebot-chromium-"))
    process = await asyncio.create_subprocess_exec(
        executable,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port = await _devtools_port(profile, process)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as reply:
                targets = await reply.json()
            page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            socket = await session.ws_connect(page_url, max_msg_size=0)
            page = DevTools(socket)
            try:
                await page.call("Page.enable")
                await page.call("Emulation.setDeviceMetricsOverride", **VIEWPORT)
                yield Browser(page)
            finally:
                await page.close()
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        shutil.rmtree(profile, ignore_errors=True)


async def _devtools_port(profile: Path, process: asyncio.subprocess.Process) -> int:
    """The port Chromium chose (it writes it into the profile), once it listens."""
    written = profile / "DevToolsActivePort"
    for _ in range(600):
        if written.exists() and written.read_text().strip():
            return int(written.read_text().split()[0])
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
