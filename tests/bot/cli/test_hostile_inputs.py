"""Hostile input through `citebot` itself, run as a user runs it (a process of its own, so that
whatever its reader process prints would show): each input is one line, added or refused, never
a traceback, and the library keeps what it had."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers.confined import citebot, env, run
from tests.helpers.hostile import BIDI, hostile_files

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"


def _library(tmp_path: Path, shared: Path) -> tuple[Path, str]:
    """A library holding the sample, and all that is stored of it."""
    db = tmp_path / "lib.db"
    assert run(citebot(db, "add", str(shared / "samples/china-russia-article.txt"))).code == 0
    return db, _stored(db)


def _stored(db: Path) -> str:
    """Article 1 as stored (details and text), and that the Xi question still finds it."""
    found = json.loads(run(citebot(db, "ask", XI_QUESTION, "--json")).out)["results"]
    assert any(r["article"]["id"] == 1 for r in found)
    return run(citebot(db, "show", "1", "--json")).out


def test_add_says_one_line_for_each_hostile_file(tmp_path: Path, shared: Path) -> None:
    """Every hostile file given to one `citebot add` gets its line (added, already there, or
    why not), on stdout or stderr, and nothing else is printed."""
    db, stored = _library(tmp_path, shared)
    folder = tmp_path / "hostile"
    folder.mkdir()
    paths = []
    for name, data in hostile_files():
        (folder / name).write_bytes(data)
        paths.append(str(folder / name))
    ran = run(citebot(db, "add", *paths))
    assert "Traceback" not in ran.out + ran.err
    assert len(ran.out.splitlines()) + len(ran.err.splitlines()) == len(paths), ran.err
    assert ran.code == 1  # some were refused
    assert _stored(db) == stored


def test_add_json_reports_every_hostile_file_and_prints_nothing_else(
    tmp_path: Path, shared: Path
) -> None:
    """With --json, one record per hostile file on stdout and not a byte on stderr (the
    reader process's libraries log nothing at the user)."""
    db, stored = _library(tmp_path, shared)
    paths = []
    for name, data in hostile_files():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    ran = run(citebot(db, "add", "--json", *paths))
    records = [json.loads(line) for line in ran.out.splitlines()]
    assert [r["input"] for r in records] == paths
    assert all((r["status"] == "error") == bool(r["error"]) for r in records)
    assert ran.err == ""
    assert _stored(db) == stored


def test_hostile_jsonl_lines_each_get_their_line(tmp_path: Path, shared: Path) -> None:
    """JSONL lines with NUL, a lone surrogate, bidi controls, nothing visible, deep nesting or
    the wrong shape: each added or refused alone, the others still read."""
    db, stored = _library(tmp_path, shared)
    lines = [
        json.dumps({"title": "Nul\u0000", "text": "Otters \u0000hold hands."}),
        json.dumps({"title": "Half\ud800", "text": "Half a pair\udcff of surrogates."}),
        json.dumps({"title": f"{BIDI}Bidi", "text": f"Ferries {BIDI}cross at dawn."}),
        json.dumps({"text": "\u200b\u200d\ufeff" * 100}),
        "[" * 100_000,
        '{"text": ' * 2_000,
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Herons wait in the shallows."}),
    ]
    jsonl = tmp_path / "hostile.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ran = run(citebot(db, "add", "--json", "--jsonl", str(jsonl)))
    records = [json.loads(line) for line in ran.out.splitlines()]
    statuses = ["added", "error", "added", "error", "error", "error", "error", "added"]
    assert [r["status"] for r in records] == statuses  # a lone surrogate is refused, by name
    assert "lone surrogate" in records[1]["error"]
    assert ran.err == ""
    assert _stored(db) == stored


def test_hostile_questions_each_get_their_answer_line(tmp_path: Path, shared: Path) -> None:
    """Questions on stdin with undecodable bytes, NUL, bidi controls, only punctuation or
    nothing visible: one JSON line each, never a traceback."""
    db, _stored_before = _library(tmp_path, shared)
    questions = [b"harb\xffour?", b"?", b"\x00", BIDI.encode(), b"\xed\xa0\x80 Xi Jinping", b""]
    ran = subprocess.run(
        citebot(db, "ask"),
        input=b"\n".join(questions) + b"\n",
        capture_output=True,
        env=env(),
        timeout=120,
    )
    assert ran.returncode == 0 and ran.stderr == b""
    records = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(records) == len(questions)
    assert records[4]["results"], "the question's words still find the article"
