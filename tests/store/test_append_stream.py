"""`EventStore.append_stream`: `append` for batches too big to hold, chunk by chunk in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from timeline.errors import ConcurrencyError, DuplicateEventError, ValidationError
from timeline.events import Correction, Event, Retraction
from timeline.store import NO_STREAM, EventStore

from ._events import note, story


def test_it_stores_what_append_would_chunk_by_chunk(store: EventStore) -> None:
    events = story(10)
    done = store.append_stream("s", iter(events), chunk=3)
    assert (done.count, done.added, done.version, done.head) == (10, 10, 10, 10)
    assert [r.event for r in store.read("s")] == events
    again = store.append_stream("s", iter(events), expected_version=0, chunk=4)  # a retry: stale but stored
    assert (again.count, again.added, again.version) == (10, 0, 10)
    assert store.head() == 10


def _failing_after(events: list[Event]) -> Iterator[Event]:
    yield from events
    raise OSError("the input went away")


def test_an_error_in_any_chunk_stores_nothing(store: EventStore) -> None:
    store.append("s", [note("old")])
    with pytest.raises(ValidationError, match="appears twice") as info:
        store.append_stream("s", [*story(5), note("x"), note("ev-1")], chunk=2)
    assert info.value.path == "[6].id"
    with pytest.raises(DuplicateEventError):
        store.append_stream("s", [*story(5), note("old", "other text")], chunk=2)
    with pytest.raises(OSError, match="went away"):
        store.append_stream("s", _failing_after(story(7)), chunk=2)
    with pytest.raises(ConcurrencyError):
        store.append_stream("s", story(3), expected_version=NO_STREAM, chunk=2)
    assert [r.event.id for r in store.read_all()] == ["old"]


def test_amendments_see_the_earlier_chunks(store: EventStore) -> None:
    fix = Correction(id="fix", target="ev-0", changes={"title": "Better"}, reason="r")
    done = store.append_stream("s", [*story(3), fix], chunk=2)
    assert done.added == 4
    gone = Retraction(id="gone", target="ev-1", reason="r")
    late = Correction(id="late", target="ev-1", changes={"title": "x"}, reason="r")
    with pytest.raises(ValidationError, match="is retracted") as info:
        store.append_stream("s", [note("a"), gone, note("b"), late], chunk=2)
    assert info.value.path == "[3].correction.target"
    assert store.head() == 4
