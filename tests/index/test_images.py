"""Saved images of an index: what is restored answers exactly as what was saved, the parts are
cut as promised, and an image that does not hold together is refused, never half-used."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import images
from index.bm25 import BM25Params
from index.images import ImageError, Restoring, encode
from index.postings import PassageIndex

PARAMS = BM25Params()


def _index(seed: int, n: int = 300, removed: int = 40, added: int = 30) -> PassageIndex:
    """An index loaded in bulk, then with passages removed (dead slots) and added (in the
    delta): everything an image must carry over."""
    rng = np.random.default_rng(seed)
    index = PassageIndex(PARAMS)

    def doc() -> tuple[np.ndarray, np.ndarray]:
        terms = rng.choice(60, size=int(rng.integers(1, 12)), replace=False).astype(np.int32)
        return terms, rng.integers(1, 5, terms.size).astype(np.int32)

    docs = [doc() for _ in range(n)]
    index.load(list(range(10, 10 + n)), [t for t, _ in docs], [c for _, c in docs])
    index.remove(rng.choice(np.arange(10, 10 + n), removed, replace=False).tolist())
    for doc_id in range(1000, 1000 + added):
        index.add(doc_id, *doc())
    return index


def _restored(index: PassageIndex) -> PassageIndex:
    header, parts = encode(index)
    restoring = Restoring(header)
    for part in parts:
        restoring.add(bytes(part))
    return restoring.finish(PARAMS)


def _answers(index: PassageIndex, queries: list[dict[int, int]]) -> list[list[tuple[int, float]]]:
    return [[(hit.doc_id, hit.score) for hit in index.search(q, 10)] for q in queries]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_restored_index_answers_as_the_saved_one_to_the_bit(seed: int) -> None:
    """Same passages, same hits, same scores (not merely close), and the same IDFs."""
    index = _index(seed)
    restored = _restored(index)
    rng = np.random.default_rng(seed + 1)
    queries = [
        {int(t): int(rng.integers(1, 3)) for t in rng.choice(70, size=4, replace=False)}
        for _ in range(20)
    ]
    assert len(restored) == len(index)
    assert _answers(restored, queries) == _answers(index, queries)
    assert restored.idfs(list(range(70))) == index.idfs(list(range(70)))


def test_a_restored_index_takes_adds_and_removals() -> None:
    """What comes from an image is an index like any other: it takes new passages and loses
    removed ones."""
    restored = _restored(_index(7))
    restored.add(5000, np.array([61], np.int32), np.array([2], np.int32))
    assert [hit.doc_id for hit in restored.search({61: 1}, 5)] == [5000]
    restored.remove([5000])
    assert restored.search({61: 1}, 5) == []


def test_the_parts_are_at_most_part_bytes_and_none_holds_two_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With parts of 64 bytes, every part fits, and the parts of each array add up to it."""
    monkeypatch.setattr(images, "PART_BYTES", 64)
    index = _index(3)
    header, parts = encode(index)
    sizes = [np.dtype(dtype).itemsize * size for _, dtype, size in json.loads(header)["arrays"]]
    assert max(len(part) for part in parts) == 64
    expected = [min(64, size - at) for size in sizes for at in range(0, size, 64)]
    assert [len(part) for part in parts] == expected
    monkeypatch.setattr(images, "PART_BYTES", 1 << 20)  # read as the header says, not as now
    restoring = Restoring(header)
    for part in parts:
        restoring.add(bytes(part))
    assert len(restoring.finish(PARAMS)) == len(index)


def test_an_empty_index_round_trips() -> None:
    """No passages: one part (the postings' pointer, a single 0), and an empty index back."""
    header, parts = encode(PassageIndex(PARAMS))
    assert [bytes(part) for part in parts] == [bytes(8)]
    restoring = Restoring(header)
    restoring.add(bytes(parts[0]))
    assert len(restoring.finish(PARAMS)) == 0


@pytest.mark.parametrize(
    "header",
    [
        "not json",
        "[]",
        json.dumps({"format": 99, "part": 64, "arrays": []}),
        json.dumps({"format": images.FORMAT, "part": 64, "arrays": [["ids", "<i8", 3]]}),
        json.dumps({"format": images.FORMAT, "part": 0, "arrays": []}),
        json.dumps({"format": images.FORMAT, "arrays": []}),
    ],
)
def test_a_header_that_does_not_read_is_refused(header: str) -> None:
    with pytest.raises(ImageError):
        Restoring(header)


def _header_with(name: str, field: int, value: object) -> str:
    header, _ = encode(_index(1))
    described = json.loads(header)
    for entry in described["arrays"]:
        if entry[0] == name:
            entry[field] = value
    return json.dumps(described)


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [("tfs", 1, "|O"), ("slots", 1, "<f8"), ("ids", 2, -1), ("ptr", 2, "12")],
)
def test_an_array_of_another_dtype_or_size_is_refused(name: str, field: int, value: object) -> None:
    """Only the dtypes an index holds (never objects), and sizes that are counts."""
    with pytest.raises(ImageError):
        Restoring(_header_with(name, field, value))


def test_a_missing_extra_or_short_part_is_refused() -> None:
    header, parts = encode(_index(2))
    missing = Restoring(header)
    for part in parts[:-1]:
        missing.add(bytes(part))
    with pytest.raises(ImageError, match="lacks"):
        missing.finish(PARAMS)
    extra = Restoring(header)
    for part in parts:
        extra.add(bytes(part))
    with pytest.raises(ImageError, match="more parts"):
        extra.add(b"\0" * 8)
    with pytest.raises(ImageError, match="size"):
        Restoring(header).add(bytes(parts[0])[:-1])


def _corrupted(name: str, change: object) -> Restoring:
    """An image of a small index whose array `name` was changed by `change(array)`."""
    index = _index(4)
    ids, lengths, distinct, postings = index.image()
    arrays = {"ids": ids, "lengths": lengths, "distinct": distinct, **postings._asdict()}
    array = arrays[name].copy()
    change(array)  # type: ignore[operator]
    arrays[name] = array
    described = [[key, value.dtype.str, int(value.size)] for key, value in arrays.items()]
    header = {"format": images.FORMAT, "part": images.PART_BYTES, "arrays": described}
    restoring = Restoring(json.dumps(header))
    for value in arrays.values():
        data = value.tobytes()
        for at in range(0, len(data), images.PART_BYTES):
            restoring.add(data[at : at + images.PART_BYTES])
    return restoring


def _set(at: int, value: int) -> object:
    def change(array: np.ndarray) -> None:
        array[at] = value

    return change


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("ptr", _set(0, 1)),  # does not start at 0
        ("ptr", _set(-1, 0)),  # does not end at the number of postings
        ("ptr", _set(2, 0)),  # goes back
        ("terms", _set(1, 0)),  # not ascending
        ("terms", _set(0, -5)),  # negative
        ("slots", _set(0, 10**6)),  # a slot past the passages
        ("slots", _set(0, -1)),
        ("tfs", _set(0, 0)),  # a count of 0
        ("distinct", _set(0, 999)),  # terms per passage do not add up to the postings
        ("ids", lambda array: array.__setitem__(1, array[0])),  # two passages with one id
    ],
)
def test_arrays_that_do_not_hold_together_are_refused(name: str, change: object) -> None:
    """A corrupted image is an ImageError at `finish`, never an index that would index out of
    its arrays or count wrongly."""
    with pytest.raises(ImageError):
        _corrupted(name, change).finish(PARAMS)


def test_the_uncorrupted_control_image_is_accepted() -> None:
    """The corruption tests' own way of writing an image restores when nothing is changed."""
    assert len(_corrupted("ids", lambda array: None).finish(PARAMS)) == len(_index(4))
