"""The web: links, the SSRF guard, fetching pages safely, and feeds.

Nothing here imports `index.ingest`, which uses `is_link`, `parse_content_type` and the
messages. The README's "How it works" maps the modules.
"""

from index.web.feeds import Entry, FeedReport, ParsedFeed, discover_feed, parse_feed
from index.web.fetch import (
    Fetched,
    FetchError,
    FetchSettings,
    fetch,
    make_session,
    parse_content_type,
)
from index.web.guard import is_public_address
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
    "fetch",
    "is_link",
    "is_public_address",
    "make_session",
    "normalize_url",
    "parse_content_type",
    "parse_feed",
]
