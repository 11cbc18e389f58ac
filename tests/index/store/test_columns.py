"""An article's passages held column by column: what goes in comes out, ids are resolved,
rows are what the stores write, and a large article is a few objects for the collector."""

import gc

import numpy as np

from index.analyzer import Analyzer
from index.indexing import analyse, with_term_ids
from index.passages import PassageSettings
from index.store.columns import (
    NewPassage,
    NewPassages,
    StoredTokens,
    find_tokens,
    mapping,
    token_count,
    token_patterns,
    token_span,
)
from index.vocabulary import Vocabulary


def _passage(start: int, ids: list[int], tokens: bool = True) -> NewPassage:
    stored = StoredTokens(np.array(ids, np.int32), np.arange(2 * len(ids), dtype=np.uint16))
    return NewPassage(
        start,
        start + 10,
        [(start, start + 4), (start + 5, start + 10)],
        np.array(ids, np.int32),
        np.ones(len(ids), np.int32),
        cuts=(0, 2),
        heading=(0, 3) if start else None,
        tokens=stored if tokens else None,
    )


def test_passages_come_out_as_they_went_in() -> None:
    given = [_passage(0, [1, -1]), _passage(20, [], tokens=False), _passage(40, [3])]
    back = list(NewPassages.of(given))
    assert [(p.start, p.end, list(p.sentences), p.cuts, p.heading) for p in back] == [
        (p.start, p.end, list(p.sentences), tuple(p.cuts), p.heading) for p in given
    ]
    assert [p.term_ids.tolist() for p in back] == [[1, -1], [], [3]]
    assert [p.tokens is None for p in back] == [False, True, False]


def test_provisional_ids_are_replaced_in_terms_and_tokens() -> None:
    passages = NewPassages.of([_passage(0, [1, -1]), _passage(20, [-2, 5])]).resolved([7, 9])
    assert [p.term_ids.tolist() for p in passages] == [[1, 7], [9, 5]]
    assert [p.tokens.term_ids.tolist() for p in passages if p.tokens] == [[1, 7], [9, 5]]


def test_rows_are_what_the_stores_write() -> None:
    rows = NewPassages.of([_passage(0, [1, 2]), _passage(20, [], tokens=False)]).rows(5, "c")
    first, second = rows
    assert first[:5] == (5, "c", 0, 0, 10)
    assert np.frombuffer(first[5], "<i4").tolist() == [0, 4, 5, 10]
    assert np.frombuffer(first[6], "<i4").tolist() == [1, 2]
    assert first[8:11] == (b"\x00\x02", None, None)
    blob = first[11]
    assert find_tokens(blob, token_patterns({1: "a", 2: "b"})) == [(0, "a"), (1, "b")]
    assert [token_span(blob, i) for i in range(token_count(blob))] == [(0, 1), (2, 3)]
    assert second[8:] == (b"\x00\x02", 0, 3, None)


def test_no_passages_make_ten_empty_columns() -> None:
    assert NewPassages.of([]).columns() == [[] for _ in range(10)]


def test_a_large_article_is_a_few_objects_for_the_garbage_collector() -> None:
    """Every object a passage kept was scanned by each full collection (holding the GIL) while
    the article was analysed and written: 20,000 passages were 160,000 such objects."""
    text = "The harbour was rebuilt in stone. " * 30_000  # about 2,300 passages
    analyse(text[:1000], "Harbour", Analyzer(), PassageSettings())  # what is made once
    gc.collect()
    before = len(gc.get_objects())
    analysed = analyse(text, "Harbour", Analyzer(), PassageSettings())
    passages, new = with_term_ids(analysed, Vocabulary())
    rows = passages.resolved(range(1, len(new) + 1)).rows(1, "c")
    gc.collect(1)  # not a full collection: only that stops following dicts of numbers
    assert len(passages) > 2_000 and len(rows) == len(passages)
    assert len(gc.get_objects()) - before < 100


def test_pairs_made_a_dict_in_pieces_are_the_dict_of_them_all() -> None:
    """A vocabulary's (term, id) rows, over several pieces of `mapping`, give what `dict`
    gives at once (a later pair of a key wins)."""
    pairs = [(f"t{i % 9000}", i) for i in range(10_000)]
    assert mapping(pairs) == dict(pairs)
    assert mapping([]) == {}
