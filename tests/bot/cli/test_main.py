"""The `citebot` command (bot/cli/main.py), run as a user runs it."""

import asyncio
import concurrent.futures
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import cli
from index import indexes
from index.quotes import SENTENCE_WORDS
from tests.helpers.databases import query
from tests.helpers.documents import LIGHTHOUSE, page, rss
from tests.helpers.postgres import PostgresServer
from tests.helpers.website import Site

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"


def run(db: Path | str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=stdin)


def _one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_add_then_ask_answers_with_the_quote(db: Path, shared: Path) -> None:
    """Adding the sample and asking the Xi question prints the quote."""
    sample = str(shared / "samples/china-russia-article.txt")
    added = run(db, "add", sample)
    assert added.exit_code == 0, added.output
    assert added.output.startswith("added #1 China and Russia Relationship")
    answer = run(db, "ask", XI_QUESTION)
    assert answer.exit_code == 0
    assert "cannot be broken" in answer.output


def test_ask_json_has_the_stable_shape(db: Path, shared: Path) -> None:
    """`ask --json` prints exactly the documented keys."""
    run(db, "add", str(shared / "samples/china-russia-article.txt"))
    result = run(db, "ask", XI_QUESTION, "--json", "--k", "2")
    payload = json.loads(result.output)
    assert set(payload) == {"question", "took_ms", "results"}
    assert payload["question"] == XI_QUESTION
    assert isinstance(payload["took_ms"], float)
    assert len(payload["results"]) == 2
    first = payload["results"][0]
    assert set(first) == {"rank", "score", "article", "passage", "quote", "quote_cut", "heading"}
    assert first["quote_cut"] == {"start": False, "end": False} and first["heading"] is None
    assert set(first["article"]) == {"id", "title", "url"}
    assert first["rank"] == 1 and first["article"]["url"] is None
    assert "cannot be broken" in first["quote"] and first["quote"] in first["passage"]


# One sentence of 83 words: longer than a quote (60 words), so quoted in part.
LONG_SENTENCE = (
    "The harbour master said that the new breakwater, which took four years to build and cost"
    " more than any project the town had seen, would protect the fishing fleet from winter storms,"
    " shelter the ferries that cross to the islands twice a day, give the lifeboat crew a calm"
    " berth, keep sand out of the channel that silts up every spring, and let the old quay be"
    " rebuilt for visitors who come each summer to watch the boats unload their catch at dawn,"
    " and give the town a fish market, a slipway for small boats, a car park for the ferry, a"
    " café on the pier and the walk along the sea wall that the council has long promised to"
    " the people who live by the shore."
)


def test_a_quote_cut_inside_its_sentence_says_so_in_json_and_text(db: Path, tmp_path: Path) -> None:
    """The 127-word sentence, longer than a quote completes (`SENTENCE_WORDS`), is quoted from
    its start and cut at its end: `quote_cut` says so, the quote is still an exact substring of
    the passage (no mark in it), the text shows '…'."""
    note = tmp_path / "harbour.txt"
    note.write_text(f"Harbour works\n\n{LONG_SENTENCE}\n")
    assert run(db, "add", str(note)).exit_code == 0
    payload = json.loads(run(db, "ask", "What will the breakwater protect?", "--json").output)
    first = payload["results"][0]
    assert first["quote_cut"] == {"start": False, "end": True}
    assert first["quote"] in first["passage"] and "…" not in first["quote"]
    assert LONG_SENTENCE.startswith(first["quote"])
    assert len(first["quote"].split()) <= SENTENCE_WORDS
    shown = run(db, "ask", "What will the breakwater protect?").output
    assert "…" in shown


def test_ask_reads_questions_from_stdin_as_json_lines(db: Path, shared: Path) -> None:
    """With no question argument, one JSON object per input line; a blank one is an error."""
    run(db, "add", str(shared / "samples/china-russia-article.txt"))
    result = run(db, "ask", stdin=f"{XI_QUESTION}\n\nWho is the ambassador?\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"] for line in lines] == [XI_QUESTION, "", "Who is the ambassador?"]
    assert lines[1]["results"] == []
    assert lines[1]["error"].startswith("the question is empty")
    assert "Denisov" in lines[2]["results"][0]["quote"]


def test_ask_answers_each_stdin_line_as_it_arrives(db: Path, shared: Path) -> None:
    """A long-lived `citebot ask` (a pipe kept open) prints each answer before the next line."""
    run(db, "add", str(shared / "samples/china-russia-article.txt"))
    script = Path(sys.executable).parent / "citebot"
    process = subprocess.Popen(
        [str(script), "--db", str(db), "ask"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    answers = []
    reader = concurrent.futures.ThreadPoolExecutor(1)  # no answer in time: fail, not hang
    try:
        for question in (XI_QUESTION, "Who is the ambassador?"):
            process.stdin.write(question + "\n")
            process.stdin.flush()
            answers.append(json.loads(reader.submit(process.stdout.readline).result(60)))
        process.stdin.close()
        process.wait(timeout=60)
    finally:
        process.kill()  # nothing if it has ended
        reader.shutdown(wait=False)
    assert [a["question"] for a in answers] == [XI_QUESTION, "Who is the ambassador?"]
    assert process.returncode == 0


def test_ask_from_a_pipe_sees_what_other_processes_add_and_remove(
    db: Path, shared: Path, tmp_path: Path
) -> None:
    """Between two questions on one open `citebot ask`, another `citebot` adds an article and
    then removes it: each answer reflects the library as it is at that question."""
    run(db, "add", str(shared / "samples/china-russia-article.txt"))
    note = tmp_path / "cloves.txt"
    note.write_text("Zanzibar quays unload cloves at dawn each day.")
    script = str(Path(sys.executable).parent / "citebot")
    process = subprocess.Popen(
        [script, "--db", str(db), "ask"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    reader = concurrent.futures.ThreadPoolExecutor(1)  # no answer in time: fail, not hang

    def answer(question: str) -> list[str]:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(question + "\n")
        process.stdin.flush()
        line = json.loads(reader.submit(process.stdout.readline).result(60))
        return [result["quote"] for result in line["results"]]

    def elsewhere(*args: str) -> None:
        done = subprocess.run([script, "--db", str(db), *args], capture_output=True, check=False)
        assert done.returncode == 0, done.stderr

    try:
        assert answer("When are cloves unloaded?") == []
        elsewhere("add", str(note))
        assert answer("When are cloves unloaded?") == [note.read_text()]
        elsewhere("remove", "2")
        assert answer("When are cloves unloaded?") == []
        process.stdin.close()
        process.wait(timeout=60)
    finally:
        process.kill()  # nothing if it has ended
        reader.shutdown(wait=False)
    assert process.returncode == 0


@pytest.mark.parametrize("existing", [False, True], ids=["new library", "existing library"])
def test_four_citebot_adds_at_once_all_succeed(tmp_path: Path, existing: bool) -> None:
    """Four `citebot add` processes started together, with new words some share and some do
    not: each exits 0 and every article is stored exactly once."""
    db = tmp_path / "lib.db"
    if existing:
        assert (
            run(db, "add", str(_note(tmp_path, "old", "Harbour lights guide ships."))).exit_code
            == 0
        )
    script = str(Path(sys.executable).parent / "citebot")
    processes = []
    for p in range(4):
        files = [
            _note(tmp_path, f"p{p}n{n}", f"Keeper{p} saw lighthouse{n} beams over reef{n}{p}.")
            for n in range(3)
        ]
        command = [script, "--db", str(db), "add", *map(str, files)]
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [(p.returncode, err) for p, err in zip(processes, errors, strict=True)] == [(0, "")] * 4
    listed = json.loads(run(db, "list", "--json").output)
    assert len(listed) == 12 + existing
    assert len({a["title"] for a in listed}) == len(listed)


def _note(folder: Path, name: str, text: str) -> Path:
    """A text file titled by its first line, "Note NAME"."""
    path = folder / f"{name}.txt"
    path.write_text(f"Note {name}\n\n{text}")
    return path


def test_add_json_reports_each_input_and_fails_if_any_failed(db: Path, tmp_path: Path) -> None:
    """One JSON line per input; good inputs are added even when others fail."""
    good = tmp_path / "good.txt"
    good.write_text("Otters hold hands while they sleep.")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run(db, "add", "--json", str(good), str(empty), str(good))
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["status"] for r in records] == ["added", "error", "duplicate"]
    assert records[0]["passages"] == 1 and records[2]["id"] == records[0]["id"]
    assert "empty" in records[1]["error"]
    keys = {"input", "status", "id", "title", "passages", "error"}
    assert all(set(r) == keys for r in records)


def test_add_jsonl_adds_one_article_per_line(db: Path, tmp_path: Path) -> None:
    """--jsonl takes title, text and url; a bad line is reported, the rest added."""
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text(
        json.dumps({"title": "Otters", "text": "Otters hold hands.", "url": "https://x.test/o"})
        + "\nnot json\n"
        + json.dumps({"title": "Bees", "text": "Bees dance to talk."})
        + "\n"
    )
    result = run(db, "add", "--jsonl", str(jsonl), "--json")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["status"] for r in records] == ["added", "error", "added"]
    assert result.exit_code == 1
    listed = json.loads(run(db, "list", "--json").output)
    assert [(a["title"], a["url"]) for a in listed] == [
        ("Otters", "https://x.test/o"),
        ("Bees", None),
    ]


def test_jsonl_lines_are_written_in_one_transaction(db: Path, tmp_path: Path) -> None:
    """The lines of a JSONL file are added in bulk: one write (one change in the log), not
    one a line."""
    jsonl = tmp_path / "many.jsonl"
    lines = [json.dumps({"title": f"T{n}", "text": f"Fact number {n} is true."}) for n in range(5)]
    jsonl.write_text("\n".join(lines) + "\n")
    assert run(db, "add", "--jsonl", str(jsonl)).exit_code == 0
    assert query(str(db), "SELECT count(*) FROM articles") == [(5,)]
    assert query(
        str(db), "SELECT count(*) FROM changes WHERE added IS NOT NULL AND length(added) > 0"
    ) == [(1,)]


def test_every_bad_jsonl_line_says_where_and_the_rest_are_added(db: Path, tmp_path: Path) -> None:
    """Each failing line is one line `file:line: reason` (a JSON error with its column); the
    good lines around them are all added."""
    jsonl = tmp_path / "articles.jsonl"
    good = [json.dumps({"title": f"Otters {n}", "text": f"Otters {n} hold hands."}) for n in (1, 2)]
    lines = [
        good[0],
        '{"title": "x", "text": "y",}',
        json.dumps({"title": "Empty", "text": ""}),
        '{"text": "A lone \\ud800 surrogate."}',
        json.dumps({"text": "Ftp.", "url": "ftp://example.com/file.txt"}),
        json.dumps({"text": "Script.", "url": "javascript:alert(1)"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "In \u2028 one line"}, ensure_ascii=False),
        good[1],
    ]
    jsonl.write_bytes("\n".join(lines).encode() + b"\n\xff{}\n")
    result = run(db, "add", "--jsonl", str(jsonl))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert [e.split(": ")[1] for e in errors] == [f"{jsonl}:{n}" for n in (2, 3, 4, 5, 6, 7, 10)]
    assert "at column 28" in errors[0]
    assert "lone surrogate" in errors[2]
    assert all("http or https" in e for e in errors[3:5])
    assert "not UTF-8" in errors[6]
    titles = [a["title"] for a in json.loads(run(db, "list", "--json").output)]
    assert titles == ["Otters 1", None, "Otters 2"]


def test_a_missing_jsonl_file_is_one_line(db: Path, tmp_path: Path) -> None:
    """--jsonl with a file that is not there says so in one line (not a raw [Errno 2])."""
    result = run(db, "add", "--jsonl", str(tmp_path / "missing.jsonl"))
    line = _one_line_error(result)
    assert line.endswith(f"file not found: {tmp_path / 'missing.jsonl'}") and "Errno" not in line


def test_show_json_carries_the_full_text(db: Path, tmp_path: Path) -> None:
    """`show --json` has the metadata, the stored text and the passage count."""
    path = tmp_path / "a.txt"
    path.write_text("Title line\n\nBody sentence one. Body sentence two.")
    run(db, "add", str(path))
    shown = json.loads(run(db, "show", "1", "--json").output)
    assert shown["title"] == "Title line"
    assert shown["text"] == "Body sentence one. Body sentence two."
    assert shown["passages"] == 1
    assert {"id", "url", "author", "date", "site"} <= set(shown)


def test_remove_then_show_is_a_one_line_error(db: Path, tmp_path: Path) -> None:
    """Removing works once; an unknown id afterwards is one clear line."""
    path = tmp_path / "a.txt"
    path.write_text("Some text about moths.")
    run(db, "add", str(path))
    assert run(db, "remove", "1").output.startswith("removed #1")
    assert "no article 1" in _one_line_error(run(db, "show", "1"))
    assert "no article 1" in _one_line_error(run(db, "remove", "1"))


def test_a_file_that_is_not_sqlite_is_a_one_line_error(tmp_path: Path) -> None:
    """Pointing --db at a text file says so and leaves the file alone."""
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    assert "not a citebot database" in _one_line_error(run(path, "list"))
    assert path.read_text() == "not a database\n" * 100


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    ],
)
def test_bad_files_are_one_line_errors(
    db: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    """Empty and binary files are refused with a reason, nothing stored."""
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert message in _one_line_error(run(db, "add", str(path)))
    assert json.loads(run(db, "list", "--json").output) == []


@pytest.mark.parametrize("link", ["ftp://example.com/file.txt", "file:///etc/hostname"])
def test_links_of_other_schemes_are_refused_as_links(db: Path, link: str) -> None:
    """`ftp://…` and `file:///…` are links citebot cannot add, not file paths."""
    assert _one_line_error(run(db, "add", link)).endswith("only http and https links can be added")


def test_a_20_mb_text_file_is_refused_without_losing_anything(db: Path, tmp_path: Path) -> None:
    """An oversized file is a one-line error and the library keeps what it had."""
    small = tmp_path / "small.txt"
    small.write_text("Herons stand still in shallow water.")
    run(db, "add", str(small))
    big = tmp_path / "big.txt"
    with big.open("w") as f:
        line = "This is a long line of perfectly ordinary English text. " * 20 + "\n"
        while f.tell() < 20 * 1024 * 1024:
            f.write(line)
    assert "MB" in _one_line_error(run(db, "add", str(big)))
    assert "Herons" in run(db, "ask", "herons", "--json").output


# --- settings: the same as the bot's --------------------------------------------------------


def test_the_fetch_size_limit_from_settings_reaches_add(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CITEBOT_FETCH_MAX_MB limits what `citebot add` reads, as it does for the bot."""
    path = tmp_path / "herons.txt"
    path.write_text("Herons stand still in shallow water for hours. " * 500)  # 24 KB
    monkeypatch.setenv("CITEBOT_FETCH_MAX_MB", "0.01")
    assert "the limit is 10 KB" in _one_line_error(run(db, "add", str(path)))
    monkeypatch.delenv("CITEBOT_FETCH_MAX_MB")
    assert run(db, "add", str(path)).exit_code == 0


def test_a_dot_env_file_configures_the_command_line(tmp_path: Path) -> None:
    """The command reads the bot's .env too: CITEBOT_DB there chooses the library's file."""
    chosen = tmp_path / "from-dot-env.db"
    Path(".env").write_text(f"CITEBOT_DB={chosen}\n")  # the tests run in tmp_path
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 1, result.output
    assert f"no library at {chosen}" in result.output
    assert not chosen.exists()


def test_a_bad_setting_is_a_one_line_error(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A setting the command cannot use is one line naming its variable."""
    monkeypatch.setenv("CITEBOT_FETCH_TIMEOUT", "-3")
    assert "CITEBOT_FETCH_TIMEOUT" in _one_line_error(run(db, "list"))


def test_an_article_without_a_title_is_untitled(db: Path, tmp_path: Path) -> None:
    """A JSONL line without a title is added as "Untitled"; its JSON title is null."""
    jsonl = tmp_path / "untitled.jsonl"
    jsonl.write_text(json.dumps({"text": "Otters hold hands while they sleep."}) + "\n")
    assert run(db, "add", "--jsonl", str(jsonl)).output.startswith("added #1 Untitled")
    assert json.loads(run(db, "list", "--json").output)[0]["title"] is None


def test_the_installed_command_runs(db: Path) -> None:
    """The `citebot` console script is installed: it adds a file and lists it."""
    script = Path(sys.executable).parent / "citebot"
    notes = db.parent / "keeper-notes.txt"
    notes.write_text("The keeper lit the lamp at dusk.\n")
    for command in (["add", str(notes)], ["list"]):
        done = subprocess.run(
            [str(script), "--db", str(db), *command], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    assert "keeper-notes.txt" in done.stdout


async def citebot(db: Path, *args: str, allow_private: bool = True) -> tuple[int, str, str]:
    """Run the installed `citebot` in a subprocess (the test's HTTP server keeps serving)."""
    env = {**os.environ, "CITEBOT_ALLOW_PRIVATE_URLS": "1" if allow_private else "0"}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "citebot"),
        "--db",
        str(db),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_add_takes_links_and_files_together(db: Path, site: Site, tmp_path: Path) -> None:
    """`citebot add URL PATH` fetches the link and reads the file."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    path = tmp_path / "note.txt"
    path.write_text("Herons stand still in shallow water for hours.")
    code, out, err = await citebot(db, "add", url, str(path))
    assert code == 0, err
    assert "added #1 The northern lighthouse" in out
    assert "added #2" in out
    code, out, _ = await citebot(db, "refresh", "1")
    assert (code, out.strip()) == (0, "unchanged: #1 The northern lighthouse")


async def test_a_private_link_is_refused_in_one_line(db: Path, site: Site) -> None:
    """Without CITEBOT_ALLOW_PRIVATE_URLS, a loopback link is refused, nothing fetched."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    code, _, err = await citebot(db, "add", url, allow_private=False)
    assert code == 1
    assert "private network address" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert site.hits["/lighthouse"] == 0


async def test_feed_commands_follow_poll_and_forget_a_feed(db: Path, site: Site) -> None:
    """feed add, poll, list and remove work from the command line."""
    one = site.put("/one", page("The northern lighthouse", LIGHTHOUSE))
    feed_url = site.put("/feed.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    code, out, err = await citebot(db, "feed", "add", feed_url)
    assert code == 0, err
    assert out.startswith("following feed #1 Coast News")
    code, out, _ = await citebot(db, "feed", "poll")
    assert out.strip() == f"#1 {feed_url}: 1 added, 0 failed"
    code, out, _ = await citebot(db, "feed", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["articles"], listed["last_error"]) == (1, None)
    code, out, _ = await citebot(db, "feed", "remove", "1")
    assert out.startswith("stopped following #1")
    code, out, _ = await citebot(db, "list", "--json")
    assert [a["title"] for a in json.loads(out)] == ["The northern lighthouse"]


def test_reading_commands_on_a_missing_library_create_nothing(tmp_path: Path) -> None:
    """list, show and ask on a mistyped --db: "no library at PATH", exit 1, no file made."""
    missing = tmp_path / "typo" / "citebot.db"
    for command in (["list"], ["show", "1"], ["ask", "Who lit the lamp?"]):
        result = CliRunner().invoke(cli, ["--db", str(missing), *command])
        assert result.exit_code == 1, result.output
        assert result.output == f"error: no library at {missing}\n"
    assert not missing.parent.exists()


def test_a_postgresql_url_holds_a_library_like_a_file(
    postgres: PostgresServer, shared: Path
) -> None:
    """`--db postgresql://…`: add, list and ask work as on a file."""
    url = postgres.new_database()
    assert run(url, "add", str(shared / "samples/china-russia-article.txt")).exit_code == 0
    listed = json.loads(run(url, "list", "--json").output)
    answer = json.loads(run(url, "ask", XI_QUESTION, "--json").output)
    assert [a["id"] for a in listed] == [1]
    assert "cannot be broken" in answer["results"][0]["quote"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://citebot@127.0.0.1:1/library",
            "cannot reach PostgreSQL at 127.0.0.1:1: connection refused",
        ),
        (
            "postgresql://citebot:secret@/library?host=/nonexistent",
            "cannot reach PostgreSQL at /nonexistent: no such file or directory",
        ),
    ],
)
def test_an_unreachable_postgresql_is_one_line(url: str, message: str) -> None:
    """No server there: one line naming it and why, exit 1, no traceback, no password."""
    result = run(url, "list")
    assert (result.exit_code, result.output) == (1, f"error: {message}\n")


def test_a_missing_postgresql_database_says_to_create_it(postgres: PostgresServer) -> None:
    url = postgres.url("nosuchlibrary")
    result = run(url, "list")
    assert result.exit_code == 1
    assert result.output == (
        f"error: there is no database nosuchlibrary on PostgreSQL at {postgres.folder}:"
        " create it first (createdb nosuchlibrary)\n"
    )


def _lines_jsonl(tmp_path: Path, count: int) -> Path:
    jsonl = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"title": f"T{n}", "text": f"Fact number {n} is true."}) for n in range(count)
    ]
    jsonl.write_text("\n".join(lines) + "\n")
    return jsonl


def test_a_large_jsonl_import_saves_the_index_and_says_so(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection of `IMAGE_FROM` passages or more after the import: its image is written
    before the command ends, and one line on stderr says so."""
    monkeypatch.setattr(indexes, "IMAGE_FROM", 3)
    result = run(db, "add", "--jsonl", str(_lines_jsonl(tmp_path, 3)))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"saved the index of console for fast starts \(3 passages, \d+\.\d s\)\n", result.stderr
    )
    assert query(str(db), "SELECT collection FROM index_images") == [("console",)]


def test_with_json_stdout_stays_json_lines_when_the_index_is_saved(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexes, "IMAGE_FROM", 3)
    result = run(db, "add", "--jsonl", str(_lines_jsonl(tmp_path, 3)), "--json")
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == ["added"] * 3
    assert result.stderr.startswith("saved the index of console")


def test_a_small_jsonl_import_neither_saves_the_index_nor_says_anything_of_it(
    db: Path, tmp_path: Path
) -> None:
    result = run(db, "add", "--jsonl", str(_lines_jsonl(tmp_path, 3)))
    assert result.exit_code == 0 and result.stderr == ""
    assert query(str(db), "SELECT count(*) FROM index_images") == [(0,)]
