"""A small web site for tests, served by the `site` fixture on 127.0.0.1."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Site:
    """A small web site: path -> (content type, body); counts the requests it answers. A page
    put with an `etag` or `last_modified` answers a request that presents it 304 Not Modified
    (counted in `not_modified`)."""

    base: str = ""
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    not_modified: Counter[str] = field(default_factory=Counter)

    def put(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html",
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = (content_type, data)
        given = {"ETag": etag, "Last-Modified": last_modified}
        self.validators[path] = {name: value for name, value in given.items() if value}
        return self.base + path

    def unchanged(self, path: str, headers: Mapping[str, str]) -> bool:
        """Whether a request with these headers already has the page as it is."""
        validators = self.validators.get(path, {})
        asked = {
            "ETag": headers.get("If-None-Match"),
            "Last-Modified": headers.get("If-Modified-Since"),
        }
        return any(asked[name] and asked[name] == value for name, value in validators.items())
