"""Properties of the Timeline over generated logs: catch-up, as_of, corrections, checkpoints."""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.projections import Checkpoint, Timeline
from timeline.projections._sorted import SortedChunks
from timeline.store import EventStore, MemoryStore, SqliteStore

from .strategies import STREAMS, Log, logs

timeline_settings = st.fixed_dictionaries(
    {"stream": st.sampled_from((None, *STREAMS)), "include_retracted": st.booleans()}
)


def snapshot(timeline: Timeline) -> tuple[Any, ...]:
    """Everything a Timeline shows."""
    return (tuple(timeline.entries), timeline.position, timeline.last_changed, len(timeline))


def essence(timeline: Timeline) -> list[tuple[Any, ...]]:
    """What a Timeline shows, without the recorded times (which differ between two stores)."""
    return [
        (
            e.id,
            e.stream,
            e.event,
            e.original,
            e.position,
            e.revision,
            e.retracted,
            [(c.kind, c.event_id, c.position, c.reason, dict(c.changes)) for c in e.history],
        )
        for e in timeline.entries
    ]


def fill(store: EventStore, log: Log, batches: slice = slice(None)) -> None:
    for stream, events in log.batches[batches]:
        store.append(stream, events)


def roundtrip(checkpoint: Checkpoint) -> Checkpoint:
    """The checkpoint as another process would read it: its state through JSON text, its payload as bytes."""
    text = json.dumps({"name": checkpoint.name, "position": checkpoint.position, "state": checkpoint.state})
    return Checkpoint(**json.loads(text), payload=bytes(checkpoint.payload or b""))


@settings(max_examples=75)
@given(log=logs(), data=st.data(), options=timeline_settings)
def test_catching_up_after_any_split_equals_a_rebuild(
    log: Log, data: st.DataObject, options: dict[str, Any]
) -> None:
    store = MemoryStore()
    split = data.draw(st.integers(0, len(log.batches)), label="split (batches)")
    fill(store, log, slice(split))
    early = Timeline.from_store(store, **options)
    restarted = Timeline.from_checkpoint(roundtrip(early.checkpoint()))
    stepwise = Timeline.from_store(store, **options)
    for stream, events in log.batches[split:]:
        store.append(stream, events)
        stepwise.catch_up(store)
    early.catch_up(store)
    restarted.catch_up(store)
    rebuilt = Timeline.from_store(store, **options)
    assert snapshot(early) == snapshot(rebuilt)
    assert snapshot(restarted) == snapshot(rebuilt)
    assert snapshot(stepwise) == snapshot(rebuilt)
    # a split anywhere, even inside a batch: fold a prefix of the records, then catch up
    cut = data.draw(st.integers(0, store.head()), label="split (records)")
    partial = Timeline(**options)
    partial.fold(itertools.islice(store.read_all(), cut))
    partial.catch_up(store)
    assert snapshot(partial) == snapshot(rebuilt)


@settings(max_examples=15)
@given(log=logs(max_batches=4), data=st.data(), options=timeline_settings)
def test_catching_up_on_sqlite_equals_a_rebuild(
    log: Log, data: st.DataObject, options: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(str(Path(folder) / "t.db"), synchronous="off")
        try:
            split = data.draw(st.integers(0, len(log.batches)), label="split")
            fill(store, log, slice(split))
            early = Timeline.from_store(store, **options)
            fill(store, log, slice(split, None))
            early.catch_up(store)
            rebuilt = Timeline.from_store(store, **options)
            assert snapshot(early) == snapshot(rebuilt)
            in_memory = MemoryStore()
            fill(in_memory, log)
            assert essence(rebuilt) == essence(Timeline.from_store(in_memory, **options))
        finally:
            store.close()


@settings(max_examples=75)
@given(log=logs(), data=st.data(), options=timeline_settings)
def test_as_of_equals_a_rebuild_over_what_was_recorded_by_then(
    log: Log, data: st.DataObject, options: dict[str, Any]
) -> None:
    store = MemoryStore()
    stamps = []
    for stream, events in log.batches:
        stamps.append(store.append(stream, events)[0].recorded_at)
    moment = data.draw(st.sampled_from(stamps), label="a batch's recorded_at")
    as_of = moment + data.draw(st.sampled_from((timedelta(0), -timedelta(microseconds=1))), label="shift")
    known = Timeline.from_store(store, as_of=as_of, **options)
    # the rebuild: a new store given only the batches recorded by then
    then = MemoryStore()
    kept = [batch for batch, stamp in zip(log.batches, stamps, strict=True) if stamp <= as_of]
    for stream, events in kept:
        then.append(stream, events)
    assert essence(known) == essence(Timeline.from_store(then, **options))
    assert known.position == then.head() if options["stream"] is None else known.position <= then.head()
    assert all(entry.last_changed <= as_of for entry in known)
    assert known.last_changed is None or known.last_changed <= as_of


@settings(max_examples=75)
@given(log=logs())
def test_corrections_applied_in_order_equal_what_the_user_would_have_written(log: Log) -> None:
    store = MemoryStore()
    fill(store, log)
    timeline = Timeline.from_store(store, include_retracted=True)
    assert {entry.id for entry in timeline} == set(log.originals)
    for entry in timeline:
        assert entry.event == log.expected_event(entry.id)
        assert entry.original == log.originals[entry.id]
        assert entry.revision == 1 + len(log.corrections[entry.id])
        assert entry.retracted == (entry.id in log.retracted)
        assert [dict(c.changes) for c in entry.history if c.kind == "correction"] == log.corrections[entry.id]
    keys = [(entry.when.sort_key, entry.position) for entry in timeline]
    assert keys == sorted(keys)
    shown = Timeline.from_store(store)
    assert [entry.id for entry in shown] == [entry.id for entry in timeline if not entry.retracted]


operations = st.lists(
    st.tuples(st.just("add"), st.integers(0, 60))
    | st.tuples(st.just("remove"), st.integers(0, 60))
    | st.tuples(st.just("update"), st.lists(st.integers(0, 60), unique=True, max_size=30))
)


@settings(max_examples=150)
@given(operations, st.integers(1, 4))
def test_sorted_chunks_behave_like_a_sorted_list(steps: list[tuple[str, Any]], chunk: int) -> None:
    chunks: SortedChunks[int] = SortedChunks(lambda item: item, chunk=chunk)
    model: list[int] = []
    for operation, argument in steps:
        if operation == "add" and argument not in model:
            chunks.add(argument)
            model.append(argument)
        elif operation == "update":
            fresh = [item for item in argument if item not in model]
            chunks.update(fresh)
            model.extend(fresh)
        elif operation == "remove" and argument in model:
            chunks.remove(argument)
            model.remove(argument)
        elif operation == "remove":
            with pytest.raises(KeyError):
                chunks.remove(argument)
        assert list(chunks) == sorted(model)
        assert len(chunks) == len(model)
        assert all(len(part) <= 2 * chunk for part in chunks._chunks)
    chunks.reset(reversed(model))
    assert list(chunks) == sorted(model)


class _Part:
    """An unloaded chunk part (a snapshot block's stand-in) that counts its loads."""

    def __init__(self, items: list[tuple[int]]) -> None:
        self.items = items
        self.loads = 0

    def __len__(self) -> int:
        return len(self.items)

    def load(self) -> list[tuple[int]]:
        self.loads += 1
        return list(self.items)


@settings(max_examples=150)
@given(
    st.sets(st.integers(0, 500), min_size=1, max_size=60),
    st.lists(st.integers(1, 4), min_size=1, max_size=30),
    st.sets(st.integers(501, 600), max_size=10),
    st.data(),
)
def test_a_view_of_sorted_chunks_reads_what_iterating_reads_making_only_the_chunks_read(
    numbers: set[int], cuts: list[int], added: set[int], data: st.DataObject
) -> None:
    """`view()` and `index_of` on chunks of unloaded parts (a restored snapshot's) and items added since."""
    items = [(n,) for n in sorted(numbers)]
    chunks_parts: list[list[_Part]] = []
    at = 0
    for cut in cuts:
        if at >= len(items):
            break
        chunk = items[at : at + 2 * cut]
        at += len(chunk)
        chunks_parts.append([_Part(chunk[i::2]) for i in range(2) if chunk[i::2]])  # two sorted runs
    if at < len(items):
        chunks_parts.append([_Part(items[at:])])
    chunks: SortedChunks[tuple[int]] = SortedChunks(lambda item: item[0], chunk=100)
    chunks.load(chunks_parts, [max(p.items[-1][0] for p in parts) for parts in chunks_parts])
    fresh = [(n,) for n in sorted(added)]
    chunks.update(fresh)
    model = sorted(items + fresh)
    parts = [part for group in chunks_parts for part in group]
    assert sum(sum(map(len, group)) + len(made) for group, made in chunks.pieces()) == len(model)
    assert not any(part.loads for part in parts)  # `pieces` makes nothing
    view = chunks.view()
    assert len(view) == len(model)
    index = data.draw(st.integers(0, len(model) - 1))
    assert view[index] is model[index]
    assert view[-1] is model[-1]
    start, stop = sorted(data.draw(st.tuples(st.integers(0, len(model)), st.integers(0, len(model)))))
    assert view[start:stop] == model[start:stop]
    picked = data.draw(st.sampled_from(model))
    assert chunks.index_of(picked) == model.index(picked)
    assert chunks.index_of((picked[0],)) is None  # an equal item is not the item
    assert chunks.index_of((10_000,)) is None
    assert all(part.loads <= 1 for part in parts)
    assert list(view) == model
    with pytest.raises(IndexError):
        view[len(model)]
