"""The library's settings: how text is analysed, split and ranked, and how pages are fetched.

Analysis and splitting are stored with the index (`stored`): a change means re-indexing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.analyzer import AnalyzerSettings
from index.bm25 import BM25Params
from index.following import FeedRetry
from index.passages import PassageSettings
from index.rank import RankSettings
from index.web import FetchSettings


@dataclass(frozen=True)
class LibrarySettings:
    """How text is analysed, split and ranked. Analysis and splitting are stored with the index."""

    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    passages: PassageSettings = field(
        default_factory=lambda: PassageSettings(
            target_words=110, max_words=200, min_words=55, title_weight=1
        )  # paragraphs of up to 200 words whole: tuned on two sets (benchmarks/eval_qa.py)
    )
    bm25: BM25Params = field(default_factory=lambda: BM25Params(k1=0.6, b=0.45))  # tuned
    rank: RankSettings = field(default_factory=RankSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract_time_limit: float = 30.0  # seconds a page or file may take to read
    feed_retry: FeedRetry = field(default_factory=FeedRetry)  # when failed feed entries retry

    def stored(self) -> dict[str, str]:
        """The settings that shape the stored index (a change means re-indexing)."""
        return {"analyzer": self.analyzer.to_json(), "passages": self.passages.to_json()}
