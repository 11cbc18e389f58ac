"""The README can be followed as written: what a command needs is installed before it runs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_bench_extra_is_installed_before_the_benchmark_that_needs_it() -> None:
    """`python benchmarks/eval_qa.py` imports bm25s: the README installs `.[bench]` first."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = readme.index("`python benchmarks/eval_qa.py`")
    install = readme.find("pip install -e '.[bench]'")
    assert 0 <= install < run
    assert "bm25s" in (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("bench = [")[1]
