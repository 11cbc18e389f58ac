"""The library under a burst: 200 questions at once, with articles added and removed meanwhile
(`Library.ask` on the compute thread, `index/compute.py`). Timing belongs to
benchmarks/burst.py; this checks what must hold whatever the timing."""

import asyncio
import json
import random
from pathlib import Path

from index.ingest import Document
from index.library import Answer, Library

KEPT = ["Super_Bowl_50", "Warsaw", "Oxygen", "Apollo_program"]
REMOVED = ["Black_Death", "Prime_number"]  # removed during the burst, one after the other
ADDED = ["Geology", "Construction", "Harvard_University"]  # added during the burst


def _squad(shared: Path) -> tuple[dict[str, Document], dict[str, list[str]]]:
    """The SQuAD articles by id, and the questions about each."""
    folder = shared / "eval" / "squad-dev-a"
    with (folder / "articles.jsonl").open() as f:
        rows = [json.loads(line) for line in f]
    articles = {r["id"]: Document(title=r["title"], text=r["text"]) for r in rows}
    questions: dict[str, list[str]] = {}
    with (folder / "questions.jsonl").open() as f:
        for line in f:
            row = json.loads(line)
            questions.setdefault(row["article_id"], []).append(row["question"])
    return articles, questions


async def test_a_burst_of_questions_with_adds_and_removes(tmp_path: Path, shared: Path) -> None:
    """200 questions at once while articles are added and removed: none fails, and no question
    asked after `remove()` returned is answered from the removed article."""
    articles, questions = _squad(shared)
    rng = random.Random(9)
    about = {a: rng.sample(questions[a], 25) for a in KEPT + REMOVED + ADDED}
    answers: list[tuple[set[int], Answer]] = []  # (articles removed when asked, answer)
    removed: set[int] = set()

    async def ask(question: str) -> None:
        gone = set(removed)  # removals that returned before this question was asked
        answers.append((gone, await library.ask("c", question, k=5)))

    async def remove(article_id: int) -> None:
        await library.remove("c", article_id)
        removed.add(article_id)

    async with Library.open(tmp_path / "lib.db") as library:
        ids = {a: (await library.add("c", articles[a])).article.id for a in KEPT + REMOVED}
        before = [await library.ask("c", q) for q in about["Black_Death"]]
        assert any(a.results and a.results[0].article.id == ids["Black_Death"] for a in before)

        first = [q for qs in about.values() for q in qs[:12]]  # asked before the removals
        late = [q for qs in about.values() for q in qs[12:]]  # asked after one or both
        rng.shuffle(first)
        rng.shuffle(late)
        tasks = [asyncio.create_task(ask(q)) for q in first[:100]]
        tasks += [asyncio.create_task(library.add("c", articles[a])) for a in ADDED[:2]]
        await remove(ids["Black_Death"])  # while the first hundred are under way
        tasks += [asyncio.create_task(ask(q)) for q in late[:50]]
        tasks.append(asyncio.create_task(library.add("c", articles[ADDED[2]])))
        await remove(ids["Prime_number"])
        tasks += [asyncio.create_task(ask(q)) for q in late[50:100]]
        await asyncio.gather(*tasks)  # any exception fails the test here

    assert len(answers) == 200
    stale = [
        (a.question, r.article.title)
        for gone, a in answers
        for r in a.results
        if r.article.id in gone
    ]
    assert stale == []
    asked_after = [a for gone, a in answers if ids["Black_Death"] in gone]
    assert len(asked_after) >= 50  # the check above was not vacuous
    assert any(r.article.title == "Geology" for _, a in answers for r in a.results)
