"""The web: links, the SSRF guard, fetching pages safely, and feeds.

Nothing here imports `index.ingest`, which uses `is_link`, `parse_content_type` and the
messages. The README's "How it works" maps the modules. `fetch`, `make_session` and the guard
(`index.web.fetch`, `index.web.guard`) are imported from their modules where a page is fetched:
they load aiohttp, which nothing else needs.
"""

from index.web.feeds import Entry, FeedReport, ParsedFeed, discover_feed, parse_feed
from index.web.pages import Fetched, FetchError, FetchSettings, parse_content_type
from index.web.url import TRACKING_PARAMS, is_link, normalize_url

__all__ = [
    "TRACKING_PARAMS",
    "Entry",
    "FeedReport",
    "FetchError",
    "FetchSettings",
    "Fetched",
    "ParsedFeed",
    "discover_feed",
    "is_link",
    "normalize_url",
    "parse_content_type",
    "parse_feed",
]
