"""The store contract, continued (see test_conformance.py): reads stream and interleave with appends,
what is stored persists, corrections and retractions are checked against their target."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from timeline.errors import StoreError, ValidationError
from timeline.events import Correction, Event, Retraction
from timeline.store import (
    EventStore,
    Recorded,
)

from ._events import note, story

if TYPE_CHECKING:
    pass

from ._conformance import StoreFactory, summary

# -- reading: streamed, and safe to interleave with appends -------------------------------------------------


def _peak_bytes(consume: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        consume()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.backends("sqlite", "postgres")  # the memory store holds the whole log by nature
@pytest.mark.parametrize("reader", ["read", "read_all"])
def test_reads_stream_instead_of_loading_the_whole_log(store: EventStore, reader: str) -> None:
    for start in range(0, 8000, 2000):
        store.append("s", story(2000, start=start))

    def read() -> Iterator[Recorded]:
        return store.read("s") if reader == "read" else store.read_all()

    def walk() -> None:
        count = 0
        for _ in read():
            count += 1
        assert count == 8000

    loaded = _peak_bytes(lambda: list(read()))
    streamed = _peak_bytes(walk)
    assert streamed < loaded / 3, (streamed, loaded)


def test_reading_and_appending_interleave_in_one_thread(store: EventStore) -> None:
    store.append("s", story(2500))
    seen = []
    reader = store.read_all()
    for record in reader:
        seen.append(record.position)
        if record.position in (10, 1500):  # mid-page and past the first page
            store.append("s", story(5, start=len(seen) + 10_000))
    stream_versions = []
    for record in store.read("s"):
        stream_versions.append(record.version)
        if record.version == 1200:
            store.append("s", [note("during read")])
    # A reader gives a gapless prefix of the log, and whatever it saw past the start is in order.
    assert seen == list(range(1, len(seen) + 1))
    assert len(seen) >= 2500
    assert stream_versions == list(range(1, len(stream_versions) + 1))
    assert store.head() == 2511


# -- persistence --------------------------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgres")
def test_a_reopened_store_holds_the_same_records(store_factory: StoreFactory) -> None:
    first = store_factory()
    written = first.append("a", story(7)) + first.append("b", story(3, prefix="b"))
    first.close()
    again = store_factory()
    assert list(again.read_all()) == written
    assert (again.head(), again.version("a"), again.streams()) == (10, 7, ["a", "b"])
    # Idempotency survives the restart; so do the versions.
    assert again.append("a", story(7)) == written[:7]
    assert summary(again.append("a", [note("n")], expected_version=7)) == [(11, "a", 8, "n")]


@pytest.mark.backends("sqlite", "postgres")
def test_a_closed_store_refuses_to_work(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.append("a", [note("x")])
    store.close()
    with pytest.raises(StoreError):
        store.append("a", [note("y")])
    with pytest.raises(StoreError):
        list(store.read_all())


# -- corrections and retractions are checked against their target -------------------------------------------


def test_a_correction_in_the_same_batch_as_its_target_is_accepted(store: EventStore) -> None:
    target = note("t")
    fix = Correction(id="c", target="t", changes={"text": "new words"}, reason="misquoted")
    assert [r.version for r in store.append("s", [target, fix])] == [1, 2]


@pytest.mark.parametrize(
    ("amendment", "path"),
    [
        (Correction(target="nope", changes={"text": "x"}, reason="r"), "[0].correction.target"),
        (Retraction(target="elsewhere", reason="r"), "[0].retraction.target"),
        (Correction(target="t", changes={"when": "2025-13"}, reason="r"), "[0].correction.changes.when"),
        (Correction(target="t", changes={"colour": "red"}, reason="r"), "[0].correction.changes.colour"),
        (Correction(target="t", changes={"id": "u"}, reason="r"), "[0].correction.changes.id"),
        (Retraction(target="fix", reason="only occurrences can be amended"), "[0].retraction.target"),
    ],
)
def test_a_bad_amendment_refuses_the_batch(store: EventStore, amendment: Event, path: str) -> None:
    store.append("s", [note("t"), Correction(id="fix", target="t", changes={"text": "y"}, reason="r")])
    store.append("other", [note("elsewhere")])
    with pytest.raises(ValidationError) as caught:
        store.append("s", [amendment, note("innocent")])
    assert caught.value.path.startswith(path), caught.value.path
    assert store.head() == 3


def test_a_retracted_event_cannot_be_amended_again(store: EventStore) -> None:
    store.append("s", [note("t"), Retraction(id="r1", target="t", reason="withdrawn")])
    for amendment in (
        Retraction(target="t", reason="again"),
        Correction(target="t", changes={"text": "x"}, reason="too late"),
    ):
        with pytest.raises(ValidationError) as caught:
            store.append("s", [amendment])
        assert caught.value.path.endswith(".target")
    with pytest.raises(ValidationError):  # within one batch too
        store.append("s", [note("u"), Retraction(target="u", reason="a"), Retraction(target="u", reason="b")])
    assert store.head() == 2


@pytest.mark.backends("sqlite", "postgres")
def test_amendments_are_checked_against_what_another_handle_stored(store_factory: StoreFactory) -> None:
    store_factory().append("s", [note("t"), Retraction(target="t", reason="withdrawn")])
    with pytest.raises(ValidationError):
        store_factory().append("s", [Correction(target="t", changes={"text": "x"}, reason="late")])
