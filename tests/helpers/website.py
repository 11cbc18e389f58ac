"""A small web site for tests, served by the `site` fixture on 127.0.0.1."""

from collections import Counter
from dataclasses import dataclass, field


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
