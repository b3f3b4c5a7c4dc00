"""The raw reads of the store contract (`read_all_raw`, `read_raw`), on every backend: the same records as
the typed reads, as the rows hold them, without building typed events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.codec import decode, dumps, from_json
from timeline.events import Correction, Event, Retraction
from timeline.store import EventStore, MemoryStore, Recorded
from timeline.testing import plain_occurrences as any_events

from ._events import story

if TYPE_CHECKING:
    from timeline.store.contract import RawRecord

StoreFactory = Callable[[], EventStore]
PER_BACKEND = settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])


def as_typed(row: RawRecord) -> tuple[object, ...]:
    """A raw row with its event decoded, next to what the typed read gives (`typed`)."""
    position, stream, version, type_tag, schema_version, recorded_at, event_id, data = row
    event = decode(type_tag, schema_version, json.loads(data))
    assert event.id == event_id
    assert data == dumps(event)  # the canonical JSON the store was given
    return (position, stream, version, recorded_at, event)


def typed(records: Iterator[Recorded]) -> list[tuple[object, ...]]:
    return [(r.position, r.stream, r.version, r.recorded_at, r.event) for r in records]


def test_every_backend_reads_raw_rows_itself(store: EventStore) -> None:
    assert store.raw_reads  # not the default, which encodes the typed records again


@PER_BACKEND
@given(batches=st.lists(st.lists(any_events, min_size=1, max_size=4), min_size=1, max_size=4), data=st.data())
def test_raw_reads_give_the_typed_records_as_stored(
    new_store: StoreFactory, batches: list[list[Event]], data: st.DataObject
) -> None:
    store = new_store()
    seen: set[str] = set()
    for number, batch in enumerate(batches):
        fresh = []
        for event in batch:
            if event.id not in seen:
                seen.add(event.id)
                fresh.append(event)
        if fresh:
            store.append(f"s{number % 2}", fresh)
    assert [as_typed(row) for row in store.read_all_raw()] == typed(store.read_all())
    after = data.draw(st.integers(0, store.head()), label="after")
    assert [as_typed(row) for row in store.read_all_raw(after)] == typed(store.read_all(after))
    for name in store.streams():
        version = data.draw(st.integers(0, store.version(name)), label=f"after_version of {name}")
        raw = [as_typed(row) for row in store.read_raw(name, after_version=version)]
        assert raw == typed(store.read(name, after_version=version))


def test_raw_reads_page_through_a_long_log_and_keep_amendments(store: EventStore) -> None:
    store.append("s", story(2500))
    store.append("s", [Correction(id="c", target="ev-3", changes={"title": "t"}, reason="r")])
    store.append("s", [Retraction(id="r", target="ev-4", reason="r")])
    rows = list(store.read_all_raw())
    assert [row[0] for row in rows] == list(range(1, 2503))
    assert [as_typed(row) for row in rows[-2:]] == typed(store.read_all(2500))
    assert [row[3] for row in rows[-2:]] == ["correction", "retraction"]
    assert [row[2] for row in store.read_raw("s", after_version=2490)] == list(range(2491, 2503))
    assert list(store.read_all_raw(after=2502)) == []
    assert list(store.read_raw("nothing")) == []


def test_ids_any_backend_must_escape_come_back_as_appended(store: EventStore) -> None:
    ids = ["nul\x00inside", "back\\slash\x00\\0", "\\0 escaped-looking", "plain"]
    store.append(
        "s", [from_json({"type": "meeting", "id": i, "when": "2025", "participants": ["A"]}) for i in ids]
    )
    assert [row[6] for row in store.read_all_raw()] == ids
    assert [row[6] for row in store.read_raw("s")] == ids


def test_the_contracts_default_encodes_the_typed_records() -> None:
    class TypedOnly(MemoryStore):
        raw_reads = False
        read_all_raw = EventStore.read_all_raw
        read_raw = EventStore.read_raw

    store = TypedOnly()
    store.append("s", story(12))
    assert [as_typed(row) for row in store.read_all_raw(3)] == typed(store.read_all(3))
    assert [as_typed(row) for row in store.read_raw("s", after_version=5)] == typed(
        store.read("s", after_version=5)
    )


@pytest.mark.backends("memory")
def test_a_record_put_in_the_memory_log_directly_is_encoded(store: EventStore) -> None:
    assert isinstance(store, MemoryStore)
    (record,) = store.append("s", story(1))
    store._log.append(
        Recorded(position=2, stream="s", version=2, recorded_at=record.recorded_at, event=story(2)[1])
    )
    assert [as_typed(row) for row in store.read_all_raw()] == typed(iter(store._log))
