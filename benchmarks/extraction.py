"""Extraction quality on real pages: bag-of-words F1 of citebot's text against hand-checked text.

For every page of ../shared/articles (see its SOURCE.md), the page's HTML goes through the same
path as a fetched link (`index.ingest.load_bytes`, as text/html) and the extracted text is compared
with the gold main text: tokens are lower-cased ``\\w+`` words, precision/recall/F1 over their
multisets, averaged over pages. In the same run, trafilatura alone (``extract`` with default
settings) is measured for reference.

Usage: python benchmarks/extraction.py [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from index.errors import InputError
from index.ingest import load_bytes

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"\w+")


def scores(predicted: str, gold: str) -> tuple[float, float, float]:
    pred, true = Counter(WORD.findall(predicted.lower())), Counter(WORD.findall(gold.lower()))
    overlap = sum((pred & true).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(true.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "articles")
    args = parser.parse_args()
    import trafilatura

    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    print(f"{'page':<40} {'lang':<4} {'P':>5} {'R':>5} {'F1':>5} {'ms':>6}  {'trafilatura F1':>14}")
    ours, theirs = [], []
    for entry in manifest["pages"]:
        html = (args.data / entry["html"]).read_bytes()
        gold = (args.data / entry["gold_text"]).read_text(encoding="utf-8")
        started = time.perf_counter()
        try:
            text = load_bytes(html, entry["id"] + ".html", "text/html").text
        except InputError as exc:
            text = ""
            print(f"  ({entry['id']}: {exc})")
        took = (time.perf_counter() - started) * 1000
        precision, recall, f1 = scores(text, gold)
        plain = trafilatura.extract(html.decode("utf-8", "replace")) or ""
        reference = scores(plain, gold)[2]
        ours.append(f1)
        theirs.append(reference)
        print(
            f"{entry['id'][:40]:<40} {entry['language']:<4} {precision:>5.2f} {recall:>5.2f} "
            f"{f1:>5.2f} {took:>6.0f}  {reference:>14.2f}"
        )
    print(
        f"\nmean F1 over {len(ours)} pages: citebot {statistics.mean(ours):.3f}, "
        f"trafilatura defaults {statistics.mean(theirs):.3f}"
    )


if __name__ == "__main__":
    main()
