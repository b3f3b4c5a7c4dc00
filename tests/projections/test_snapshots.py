"""Snapshots (checkpoint format 2) and the lazy rebuild, as properties over generated logs.

(a) a Timeline restored from a snapshot and caught up equals one rebuilt from scratch, for every setting;
(b) a Timeline folded from stored rows (events built when read) equals one folded from typed records;
(c) a damaged, truncated, older-format or other-settings snapshot is never trusted: a rebuild, same result;
(d) a checkpoint taken of another store is not trusted either, however long that store is.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.checkpoints import Checkpoint, FileCheckpointStore, read_checkpoint, write_checkpoint
from timeline.errors import ValidationError
from timeline.projections import Timeline
from timeline.projections.entry import stored_event
from timeline.store import EventStore, MemoryStore, SqliteStore

from .strategies import STREAMS, Log, logs


def shown(timeline: Timeline) -> tuple[Any, ...]:
    """Everything a Timeline shows, and what it keeps for later catch-ups (its retracted entries too)."""
    every = sorted(timeline._by_id.values(), key=lambda entry: entry.position)
    return (tuple(timeline.entries), tuple(every), timeline.position, timeline.last_changed, len(timeline))


def fill(store: EventStore, log: Log, batches: slice = slice(None)) -> None:
    for stream, events in log.batches[batches]:
        store.append(stream, events)


@st.composite
def timeline_settings(draw: st.DrawFn, store: EventStore) -> dict[str, Any]:
    """Any combination of the settings; `as_of` at or just before a recorded batch, `reported_by` a day."""
    stamps = sorted({record.recorded_at for record in store.read_all()})
    as_of = draw(st.none() | st.sampled_from(stamps)) if stamps else None
    if as_of is not None:
        as_of += draw(st.sampled_from((timedelta(0), -timedelta(microseconds=1))))
    return {
        "stream": draw(st.sampled_from((None, *STREAMS))),
        "include_retracted": draw(st.booleans()),
        "as_of": as_of,
        "reported_by": draw(st.none() | st.dates(date(2024, 1, 1), date(2027, 1, 1))),
    }


@settings(max_examples=60)
@given(log=logs(max_batches=8), data=st.data())
def test_a_restored_snapshot_caught_up_equals_a_rebuild(log: Log, data: st.DataObject) -> None:
    store = MemoryStore()
    fill(store, log)
    options = data.draw(timeline_settings(store), label="settings")
    store = MemoryStore()  # the same log again, split where the snapshot is taken
    split = data.draw(st.integers(0, len(log.batches)), label="split")
    fill(store, log, slice(split))
    early = Timeline.from_store(store, **options)
    if data.draw(st.booleans(), label="read some events first"):
        for entry in early.entries[::2]:
            assert entry.event.id == entry.id  # built now: the snapshot then encodes the typed event
    restored = Timeline.from_checkpoint(early.checkpoint())
    assert shown(restored) == shown(early)
    fill(store, log, slice(split, None))
    restored.catch_up(store)
    again = Timeline.from_checkpoint(restored.checkpoint())  # a snapshot of a restored one
    assert shown(restored) == shown(again) == shown(Timeline.from_store(store, **options))


@settings(max_examples=50)
@given(log=logs(max_batches=8), data=st.data())
def test_a_lazy_rebuild_equals_the_typed_fold(log: Log, data: st.DataObject) -> None:
    store = MemoryStore()
    fill(store, log)
    options = data.draw(timeline_settings(store), label="settings")
    lazy = Timeline.from_store(store, **options)
    if options["reported_by"] is None:  # the built-in occurrences not amended are kept unbuilt
        assert all(type(stored_event(e)) is tuple for e in lazy._by_id.values() if not e.history)
    typed = Timeline(**options)
    typed.fold(store.read_all())
    assert shown(lazy) == shown(typed)
    for built, eager in zip(lazy.entries, typed.entries, strict=True):
        assert built.event == eager.event
        assert built.original == eager.original
        assert type(built.event) is type(eager.event)
        assert (built.event is built.original) == (eager.event is eager.original)
        assert built.when == eager.when


@settings(max_examples=15)
@given(log=logs(max_batches=5), data=st.data())
def test_a_lazy_rebuild_on_sqlite_equals_the_typed_fold(log: Log, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(str(Path(folder) / "t.db"), synchronous="off")
        try:
            fill(store, log)
            options = data.draw(timeline_settings(store), label="settings")
            typed = Timeline(**options)
            typed.fold(store.read_all())
            lazy = Timeline.from_store(store, **options)
            assert shown(lazy) == shown(typed)
            restored = Timeline.from_checkpoint(lazy.checkpoint())
            assert shown(restored) == shown(typed)
        finally:
            store.close()


DAMAGES = ("truncated", "a byte flipped", "older format", "other settings", "no payload", "other projection")


def damaged(checkpoint: Checkpoint, how: str, at: int) -> Checkpoint:
    payload = checkpoint.payload
    assert payload is not None
    if how == "truncated":
        return attrs.evolve(checkpoint, payload=payload[: at % len(payload)])
    if how == "a byte flipped":
        index = at % len(payload)
        return attrs.evolve(
            checkpoint, payload=payload[:index] + bytes([payload[index] ^ 0x20]) + payload[index + 1 :]
        )
    if how == "older format":
        return attrs.evolve(checkpoint, state={**checkpoint.state, "format": 1})
    if how == "other settings":  # the state says other settings than the payload was taken with
        return attrs.evolve(
            checkpoint,
            state={**checkpoint.state, "include_retracted": not checkpoint.state["include_retracted"]},
        )
    if how == "no payload":
        return attrs.evolve(checkpoint, payload=None)
    return attrs.evolve(checkpoint, state={**checkpoint.state, "projection": "ledger"})


@settings(max_examples=60)
@given(log=logs(max_batches=5), how=st.sampled_from(DAMAGES), at=st.integers(0, 10**6), data=st.data())
def test_a_damaged_snapshot_is_refused_and_resume_rebuilds(
    log: Log, how: str, at: int, data: st.DataObject
) -> None:
    store = MemoryStore()
    fill(store, log)
    options = data.draw(timeline_settings(store), label="settings")
    checkpoint = Timeline.from_store(store, **options).checkpoint("t")
    bad = damaged(checkpoint, how, at)
    with pytest.raises(ValidationError):
        Timeline.from_checkpoint(bad)
    with tempfile.TemporaryDirectory() as folder:
        checkpoints = FileCheckpointStore(folder)
        checkpoints.put(bad)
        resumed = Timeline.resume(store, checkpoints, "t", **options)
        assert shown(resumed) == shown(Timeline.from_store(store, **options))
        assert Timeline.from_checkpoint(checkpoints.get("t") or bad) is not None  # saved again, whole


def test_a_damaged_checkpoint_file_is_refused(tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i) for i in range(50)])
    path = tmp_path / "t.checkpoint"
    Timeline.from_store(store).save_checkpoint(path)
    whole = path.read_bytes()
    for cut in (10, 40, len(whole) // 2, len(whole) - 1):
        path.write_bytes(whole[:cut])
        with pytest.raises(ValidationError):
            Timeline.load_checkpoint(path)
    path.write_bytes(whole + b"x")
    with pytest.raises(ValidationError, match="truncated or damaged"):
        read_checkpoint(path)
    header_byte = len(whole) - len(read_checkpoint_payload(whole)) - 3
    path.write_bytes(whole[:header_byte] + b"?" + whole[header_byte + 1 :])
    with pytest.raises(ValidationError):
        Timeline.load_checkpoint(path)


def read_checkpoint_payload(content: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c"
        path.write_bytes(content)
        payload = read_checkpoint(path).payload
    assert payload is not None
    return payload


def _meeting(i: int, prefix: str = "m") -> Any:
    from timeline.codec import from_json

    return from_json({"type": "meeting", "id": f"{prefix}-{i}", "when": "2025-03", "participants": ["A"]})


@settings(max_examples=30)
@given(size=st.integers(1, 30), extra=st.integers(0, 10), same_ids=st.booleans())
def test_a_checkpoint_of_another_store_is_not_trusted(size: int, extra: int, same_ids: bool) -> None:
    ours = MemoryStore()
    ours.append("s", [_meeting(i) for i in range(size)])
    with tempfile.TemporaryDirectory() as folder:
        checkpoints = FileCheckpointStore(folder)
        Timeline.resume(ours, checkpoints, "t")
        # another store, at least as long; with the same ids up to the last one when `same_ids`
        other = MemoryStore()
        events = [_meeting(i, "m" if same_ids and i < size - 1 else "x") for i in range(size + extra)]
        other.append("s", events)
        resumed = Timeline.resume(other, checkpoints, "t")
        assert shown(resumed) == shown(Timeline.from_store(other))
        saved = checkpoints.get("t")
        assert saved is not None
        assert saved.state["last_id"] == events[-1].id


def test_a_checkpoint_of_the_same_store_is_trusted(tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i) for i in range(20)])
    checkpoints = FileCheckpointStore(tmp_path)
    Timeline.resume(store, checkpoints, "t")
    saved = checkpoints.get("t")
    assert saved is not None
    write_checkpoint(checkpoints.path("t"), attrs.evolve(saved, state={**saved.state, "last_id": "m-3"}))
    store.append("s", [_meeting(99)])
    resumed = Timeline.resume(store, checkpoints, "t")  # the recorded id differs: rebuilt, same result
    assert shown(resumed) == shown(Timeline.from_store(store))
