"""citebot's library: articles in, verbatim cited quotes out. No Discord, no environment.

Callers (the bot, the CLI, benchmarks) import from here, never from the modules; the README's
"How it works" is the map of the modules.
"""

import gc

from index.analyzer import AnalyzerSettings
from index.bm25 import BM25Params
from index.bulk import AddResult
from index.community import RETENTION_DAYS, RETENTION_MAX, ServerSettings, topic_names
from index.copying import CopyReport
from index.errors import CitebotError, ClosingError, InputError, NotFoundError, StorageError
from index.fragments import TextFragment, text_fragment
from index.guilds import Shards, guild_collection, guild_of
from index.ingest import Document, clean_markdown, clean_text
from index.library import Answer, Library, RefreshResult
from index.passages import PassageSettings, Span
from index.rank import RankSettings, Result
from index.settings import LibrarySettings
from index.sources import Progress
from index.store import is_postgres
from index.store.base import ArticleInfo, FeedInfo
from index.store.community import PassageVotes, Usage
from index.web import FeedReport, FetchSettings, is_link, normalize_url
from index.web.messages import too_large

# The interpreter runs no full garbage collection while these imports make their objects
# (numpy, aiosqlite, ...), and the first one after them follows every one. In a process
# that does not freeze them (`citebot run` does), it fell at start-up or at the first question
# or add: 11-99 ms of the event loop. It is run here, where no event loop waits. The next one
# waits for a quarter as many survivors (the collector's own rule): questions leave none, and
# adds none either (the postings' delta holds bytearrays, which the collector does not track).
gc.collect()

__all__ = [
    "RETENTION_DAYS",
    "RETENTION_MAX",
    "AddResult",
    "AnalyzerSettings",
    "Answer",
    "ArticleInfo",
    "BM25Params",
    "CitebotError",
    "ClosingError",
    "CopyReport",
    "Document",
    "FeedInfo",
    "FeedReport",
    "FetchSettings",
    "InputError",
    "Library",
    "LibrarySettings",
    "NotFoundError",
    "PassageSettings",
    "PassageVotes",
    "Progress",
    "RankSettings",
    "RefreshResult",
    "Result",
    "ServerSettings",
    "Shards",
    "Span",
    "StorageError",
    "TextFragment",
    "Usage",
    "clean_markdown",
    "clean_text",
    "guild_collection",
    "guild_of",
    "is_link",
    "is_postgres",
    "normalize_url",
    "text_fragment",
    "too_large",
    "topic_names",
]
