"""What each backend keeps is the canonical JSON text, whichever encoder wrote it (orjson, or the stdlib for
what orjson refuses), and every stored event reads back the same through every backend's page decoder."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from timeline.codec import dumps
from timeline.errors import ValidationError
from timeline.events import Correction, Event, Statement, Transfer
from timeline.store import open_store
from timeline.values import Quantity, Source
from timeline.when import When

from ..test_codec_orjson import full_occurrences, happenings

if TYPE_CHECKING:
    from timeline.store import EventStore

StoreFactory = Callable[[], "EventStore"]

PER_BACKEND = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _transfer(event_id: str, count: int) -> Transfer:
    return Transfer(
        id=event_id,
        when=When.parse("2025"),
        subjects="people",
        origin="a",
        destination="b",
        count=Quantity(value=count),
    )


def test_whole_numbers_past_64_bits_are_stored_and_read_back(store: EventStore) -> None:
    # orjson refuses to write or read them: the stdlib writes them as before, and the reader falls back.
    events = [_transfer("small", 250), _transfer("big", 10**30), _transfer("edge", 2**64)]
    store.append("s", events)
    assert [r.event for r in store.read_all()] == events
    assert [r.event for r in store.read("s")] == events


def test_a_correction_with_floats_and_big_numbers_is_stored_as_the_stdlib_writes_it(
    store: EventStore,
) -> None:
    target = _transfer("t", 1)
    fix = Correction(id="c", target="t", changes={"count": 2}, reason="recount")
    store.append("s", [target, fix])
    assert [r.event for r in store.read_all()] == [target, fix]


def test_a_lone_surrogate_deep_in_an_event_is_refused_naming_the_field(store: EventStore) -> None:
    bad = Statement(
        id="x", when=When.parse("2025"), by="a", text="fine", sources=(Source(title="broken \udc80 title"),)
    )
    with pytest.raises(ValidationError) as caught:
        store.append("s", [bad])
    assert caught.value.path == "[0].sources"
    assert store.head() == 0


def test_appending_the_same_events_again_is_idempotent_whichever_encoder_wrote_them(
    store: EventStore,
) -> None:
    events = [_transfer("big", 10**30), _transfer("small", 3)]
    first = store.append("s", events)
    assert store.append("s", events) == first
    assert store.head() == 2


@pytest.mark.backends("sqlite", "postgres")
@PER_BACKEND
@given(full_occurrences | happenings)
def test_every_occurrence_is_kept_as_its_canonical_text_and_read_back(
    store_factory: StoreFactory, event: Event
) -> None:
    store = store_factory()
    event = attrs.evolve(event, id=f"{store.head()}-{event.id}"[:200].rstrip())  # the store outlives examples
    [record] = store.append("s", [event])
    reopened = open_store(store.url)
    try:
        [read] = reopened.read_all(after=record.position - 1)
        assert read == record
        assert dumps(read.event) == dumps(event)
    finally:
        reopened.close()
