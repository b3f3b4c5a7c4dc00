"""Snapshots of format 5, decoded block by block when first needed, as properties over generated logs.

(a) a Timeline restored from a snapshot behaves as the one it was taken of, caught up or not, whichever
    way it is read first (one entry, its length, a window, all entries, another checkpoint), with blocks
    of 1 to 7 entries (so that every path crosses blocks);
(b) a checkpoint of a restored Timeline, partly decoded, restores the same as one of the eager Timeline,
    and one of an untouched restored Timeline is the very same payload;
(c) one byte changed anywhere in a payload, or any truncation, is a ValidationError when it is loaded;
(d) a catch-up of new occurrences decodes no block (they are merged into their chunks when first read), and
    neither a load nor that catch-up maps ids to blocks (at 1,000,000 entries the map alone cost more than
    the rest of a load): the id filter answers for ids in no block, the map is made on the first look-up it
    cannot answer, and every look-up is exact.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.checkpoints import Checkpoint
from timeline.errors import ValidationError
from timeline.projections import Timeline, _snapshot
from timeline.projections._byid import EntriesById
from timeline.store import EventStore, MemoryStore, SqliteStore

from .strategies import WHEN_TEXTS, Log, logs
from .test_snapshots import fill, shown, timeline_settings


@contextmanager
def blocks_of(size: int) -> Iterator[None]:
    """Sorted chunks, and so snapshot blocks, of `size` entries."""
    with mock.patch("timeline.projections._sorted.CHUNK", size):
        yield


STEPS = (
    "get",
    "len",
    "between",
    "entries",
    "checkpoint",
    "catch up",
    "contains",
    "type counts",
    "unusually dated",
    "changed since",
)
#: The base meetings' dates: the strategies' and some outside years 1000 to 8999 (`unusually_dated`).
BASE_WHENS = (*WHEN_TEXTS, "-0044-03-15", "9999-24", "0999-XX")


def check_step(step: str, lazy: Timeline, eager: Timeline, ids: list[str], data: st.DataObject) -> Timeline:
    """Do `step` on both Timelines, compare what they give; the lazy Timeline to go on with."""
    if step == "get":
        event_id = data.draw(st.sampled_from([*ids, "no-such-id"]), label="id")
        assert lazy.get(event_id) == eager.get(event_id)
    elif step == "contains":
        event_id = data.draw(st.sampled_from([*ids, "no-such-id"]), label="id")
        assert (event_id in lazy._by_id) == (event_id in eager._by_id)
    elif step == "len":
        assert len(lazy) == len(eager)
    elif step == "between":
        window = data.draw(st.sampled_from(("2025-03", "2025", "2024-12", "2025-04-14")), label="window")
        assert lazy.between(window) == eager.between(window)
    elif step == "entries":
        assert list(lazy) == list(eager)
    elif step == "checkpoint":
        lazy = Timeline.from_checkpoint(lazy.checkpoint())
    elif step == "type counts":
        assert lazy.type_counts() == eager.type_counts()
    elif step == "unusually dated":
        assert lazy.unusually_dated() == eager.unusually_dated()
    elif step == "changed since":
        position = data.draw(st.integers(0, eager.position), label="position")
        found, expected = lazy.changed_since(position), eager.changed_since(position)
        assert found is not None
        assert expected is not None
        assert sorted((e.id, i) for e, i in found) == sorted((e.id, i) for e, i in expected)
    return lazy


@settings(max_examples=80)
@given(log=logs(max_batches=8), size=st.integers(1, 7), data=st.data())
def test_a_lazily_restored_timeline_equals_the_eager_one(log: Log, size: int, data: st.DataObject) -> None:
    # Many occurrences first, so that a catch-up changes few entries (and moves them one by one, not
    # by a sort of them all): each chunk is then loaded, or added to while not loaded, on its own.
    base = [_meeting(i, BASE_WHENS[i % len(BASE_WHENS)]) for i in range(data.draw(st.integers(0, 80)))]
    full = MemoryStore()
    full.append("a", base)
    fill(full, log)
    options = data.draw(timeline_settings(full), label="settings")
    store = MemoryStore()
    store.append("a", base)
    split = data.draw(st.integers(0, len(log.batches)), label="split")
    fill(store, log, slice(split))
    ids = [event.id for event in [*base, *log.events()]]
    with blocks_of(size):
        lazy = Timeline.from_checkpoint(Timeline.from_store(store, **options).checkpoint())
        eager = Timeline.from_store(store, **options)
        done = split
        for step in data.draw(st.lists(st.sampled_from(STEPS), max_size=8), label="steps"):
            if step == "catch up" and done < len(log.batches):
                more = data.draw(st.integers(done + 1, len(log.batches)), label="up to")
                fill(store, log, slice(done, more))
                done = more
                assert lazy.catch_up(store) == eager.catch_up(store)
            else:
                lazy = check_step(step, lazy, eager, ids, data)
        again = Timeline.from_checkpoint(lazy.checkpoint())  # of a partly decoded one
        assert shown(lazy) == shown(eager)
        assert shown(again) == shown(eager)


@settings(max_examples=15)
@given(log=logs(max_batches=6), size=st.integers(1, 7), data=st.data())
def test_a_lazily_restored_timeline_caught_up_from_sqlite_equals_a_rebuild(
    log: Log, size: int, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder, blocks_of(size):
        store: EventStore = SqliteStore(str(Path(folder) / "t.db"), synchronous="off")
        try:
            fill(store, log)
            options = data.draw(timeline_settings(store), label="settings")
            store.close()
            store = SqliteStore(str(Path(folder) / "u.db"), synchronous="off")
            split = data.draw(st.integers(0, len(log.batches)), label="split")
            fill(store, log, slice(split))
            lazy = Timeline.from_checkpoint(Timeline.from_store(store, **options).checkpoint())
            fill(store, log, slice(split, None))
            lazy.catch_up(store)  # the raw fold over a restored Timeline's entries
            eager = Timeline.from_store(store, **options)
            assert shown(Timeline.from_checkpoint(lazy.checkpoint())) == shown(eager)
            assert shown(lazy) == shown(eager)
        finally:
            store.close()


@settings(max_examples=40)
@given(log=logs(max_batches=6), size=st.integers(1, 7), data=st.data())
def test_a_checkpoint_of_an_untouched_restored_timeline_is_the_same_payload(
    log: Log, size: int, data: st.DataObject
) -> None:
    store = MemoryStore()
    fill(store, log)
    options = data.draw(timeline_settings(store), label="settings")
    with blocks_of(size):
        checkpoint = Timeline.from_store(store, **options).checkpoint()
        restored = Timeline.from_checkpoint(checkpoint)
        if data.draw(st.booleans(), label="read one entry"):  # decoded, not changed: still the same
            for event_id in data.draw(st.lists(st.sampled_from([e.id for e in log.events()]), max_size=3)):
                restored.get(event_id)
        assert restored.checkpoint().payload == checkpoint.payload


def payload_of(log: Log, size: int, options: dict[str, Any]) -> tuple[Checkpoint, bytes]:
    store = MemoryStore()
    fill(store, log)
    with blocks_of(size):
        checkpoint = Timeline.from_store(store, **options).checkpoint()
    assert checkpoint.payload is not None
    return checkpoint, checkpoint.payload


@settings(max_examples=100)
@given(log=logs(max_batches=5), size=st.integers(1, 7), at=st.integers(0, 10**9), bit=st.integers(0, 7))
def test_a_changed_byte_anywhere_is_refused_on_load(log: Log, size: int, at: int, bit: int) -> None:
    checkpoint, payload = payload_of(log, size, {"include_retracted": at % 2 == 0})
    index = at % len(payload)
    bad = payload[:index] + bytes([payload[index] ^ (1 << bit)]) + payload[index + 1 :]
    with pytest.raises(ValidationError):
        Timeline.from_checkpoint(attrs.evolve(checkpoint, payload=bad))
    with pytest.raises(ValidationError):
        Timeline.from_checkpoint(attrs.evolve(checkpoint, payload=payload[:index]))
    with pytest.raises(ValidationError):
        Timeline.from_checkpoint(attrs.evolve(checkpoint, payload=payload + b"\x00"))


def test_a_checkpoint_of_an_older_format_is_not_read() -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i) for i in range(5)])
    checkpoint = Timeline.from_store(store).checkpoint()
    assert checkpoint.state["format"] == _snapshot.FORMAT == 5
    payload = checkpoint.payload
    assert payload is not None
    for older_format in (2, 3, 4):
        older = attrs.evolve(checkpoint, state={**checkpoint.state, "format": older_format})
        with pytest.raises(ValidationError, match="format 5"):
            Timeline.from_checkpoint(older)
        header_of_older = payload[:7] + older_format.to_bytes(2, "big") + payload[9:]
        with pytest.raises(ValidationError, match="format 5"):
            Timeline.from_checkpoint(attrs.evolve(checkpoint, payload=header_of_older))


def _meeting(i: int, when: str = "2025-03") -> Any:
    from timeline.codec import from_json

    return from_json({"type": "meeting", "id": f"m-{i:04d}", "when": when, "participants": ["A"]})


def test_a_catch_up_of_new_occurrences_decodes_no_block() -> None:
    store = MemoryStore()
    whens = ("2025-03", "2025-04-14", "2025", "2024-12")
    store.append("s", [_meeting(i, whens[i % 4]) for i in range(200)])
    with blocks_of(10):
        restored = Timeline.from_checkpoint(Timeline.from_store(store).checkpoint())
        store.append("s", [_meeting(i, whens[i % 4]) for i in range(200, 210)])
        assert restored.catch_up(store) == 10
        by_id = restored._by_id
        assert type(by_id) is EntriesById
        assert not by_id.mapped  # the id filter says a new occurrence's id is in no block
        assert dict.__len__(by_id) == 10  # only the new entries are in its dict
        assert len(by_id) == 210
        chunks = restored._sorted._chunks
        assert all(type(chunk) is not list for chunk in chunks)  # the new entries wait in their chunks
        assert len(restored) == 210
        assert not by_id.mapped
        assert "m-0003" in by_id
        assert "m-0205" in by_id
        assert "m-9999" not in by_id
        assert not by_id.mapped  # found by a search of the blocks' ids (`_idsearch`)
        assert shown(restored) == shown(Timeline.from_store(store))


def test_a_load_maps_no_id_and_the_first_look_up_is_exact() -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i, "2025-03") for i in range(30)])
    with blocks_of(4):
        checkpoint = Timeline.from_store(store).checkpoint()
        for look_up in ("contains", "get", "missing"):
            by_id = Timeline.from_checkpoint(checkpoint)._by_id
            assert type(by_id) is EntriesById
            assert not by_id.mapped
            assert len(by_id) == 30
            assert not by_id.complete
            if look_up == "contains":
                assert "m-0017" in by_id
                assert "nope" not in by_id
            elif look_up == "get":
                assert by_id.get("m-0017").id == "m-0017"
                assert by_id.get("nope") is None
            else:  # the id filter answers for an id in no block: still no map
                with pytest.raises(KeyError):
                    by_id["nope"]
                assert not by_id.mapped
                assert "m-0017" in by_id
            assert not by_id.mapped  # its block found by a search of the blocks' ids (`_idsearch`)
            assert len(by_id) == 30


@pytest.mark.parametrize("when", ["2026", "2025-03", "2024-01"])
def test_an_entry_added_to_a_chunk_not_loaded_can_be_corrected_and_retracted_later(when: str) -> None:
    from timeline.events import Correction, Retraction

    store = MemoryStore()
    store.append("s", [_meeting(i, ("2025-03", "2025-04-14")[i % 2]) for i in range(100)])
    with blocks_of(10):
        restored = Timeline.from_checkpoint(Timeline.from_store(store).checkpoint())
        store.append("s", [_meeting(500, when), _meeting(501, when)])
        restored.catch_up(store)  # they wait in the chunk they belong to, which is not loaded
        store.append("s", [Correction(id="c-1", target="m-0500", reason="r", changes={"when": "2025-04"})])
        restored.catch_up(store)
        store.append("s", [Retraction(id="r-1", target="m-0501", reason="r")])
        restored.catch_up(store)
        again = Timeline.from_checkpoint(restored.checkpoint())
        assert shown(restored) == shown(again) == shown(Timeline.from_store(store))


def test_chunks_restored_in_parts_again_and_again_equal_a_rebuild() -> None:
    from timeline.projections._sorted import MAX_PARTS

    store = MemoryStore()
    store.append("s", [_meeting(i, ("2025-03", "2025-04-14")[i % 2]) for i in range(100)])
    seen: set[int] = set()
    with blocks_of(50):
        checkpoint = Timeline.from_store(store).checkpoint()
        for round_ in range(2 * MAX_PARTS):  # each run adds a part to the last chunk, until it is merged
            events = [_meeting(1000 + 2 * round_, "2025-03"), _meeting(1001 + 2 * round_, "2025-04-14")]
            store.append("s", events)
            restored = Timeline.from_checkpoint(checkpoint)
            restored.catch_up(store)
            checkpoint = restored.checkpoint()
            again = Timeline.from_checkpoint(checkpoint)
            seen.update(len(getattr(chunk, "parts", ())) for chunk in again._sorted._chunks)
            assert shown(again) == shown(Timeline.from_store(store))
    assert max(seen) == MAX_PARTS  # then merged into one


class _Part:
    """An `Unloaded` chunk of ints for the tests: counts how often it is made."""

    def __init__(self, items: list[int]) -> None:
        self.items = items
        self.made = 0

    def __len__(self) -> int:
        return len(self.items)

    def load(self) -> list[int]:
        self.made += 1
        return list(self.items)


chunk_steps = st.lists(
    st.tuples(st.just("add"), st.integers(0, 200))
    | st.tuples(st.just("remove"), st.integers(0, 200))
    | st.tuples(st.just("update"), st.lists(st.integers(0, 200), unique=True, max_size=12))
    | st.tuples(st.just("parts"), st.just(0))
    | st.tuples(st.just("len"), st.just(0)),
    max_size=25,
)


@settings(max_examples=200)
@given(
    items=st.lists(st.integers(0, 200), unique=True, max_size=60).map(sorted),
    size=st.integers(1, 7),
    runs=st.integers(1, 3),
    steps=chunk_steps,
)
def test_sorted_chunks_not_made_yet_behave_like_a_sorted_list(
    items: list[int], size: int, runs: int, steps: list[tuple[str, Any]]
) -> None:
    from timeline.projections._sorted import SortedChunks

    # chunks of `size` items, each in up to `runs` parts (sorted runs, interleaved), as a restore makes them
    chunked = [items[i : i + size] for i in range(0, len(items), size)]
    parts = [[_Part(chunk[r::runs]) for r in range(runs) if chunk[r::runs]] for chunk in chunked]
    chunks: SortedChunks[int] = SortedChunks(lambda item: item, chunk=size)
    chunks.load(parts, [chunk[-1] for chunk in chunked])
    model = list(items)
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
        elif operation == "parts":
            every = [item for unmade, made in chunks.parts() for part in unmade for item in part.load()]
            every += [item for _, made in chunks.parts() for item in made]
            assert sorted(every) == sorted(model)
        assert len(chunks) == len(model)
    assert list(chunks) == sorted(model)
    assert all(len(part) <= 2 * size for part in chunks._chunks)


@settings(max_examples=50)
@given(
    batches=st.lists(st.lists(st.text(min_size=1, max_size=12), max_size=30), max_size=6),
    others=st.lists(st.text(min_size=1, max_size=12), max_size=20),
    recent_at_most=st.integers(0, 8),
)
def test_an_id_filter_holds_every_id_added(
    batches: list[list[str]], others: list[str], recent_at_most: int
) -> None:
    from timeline.projections import _idfilter

    with mock.patch.object(_idfilter, "_RECENT_MINIMUM", recent_at_most):
        known = _idfilter.IdFilter.empty()
        added: list[str] = []
        for batch in batches:
            known = known.adding(batch)
            added += batch
            again = _idfilter.IdFilter(known.base_image, None, known.recent_image)  # as a load reads it
            assert all(again.may_hold(event_id) and known.may_hold(event_id) for event_id in added)
            crcs = {_idfilter.id_crc(event_id) for event_id in added}
            assert all(known.may_hold(other) == (_idfilter.id_crc(other) in crcs) for other in others)


def test_a_catch_up_of_new_occurrences_builds_no_map_of_ids() -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}") for i in range(300)])
    with blocks_of(20):
        restored = Timeline.from_checkpoint(Timeline.from_store(store).checkpoint())
        store.append("s", [_meeting(i, when="2013") for i in range(300, 320)])
        restored.catch_up(store)
        assert restored._by_id._block_of is None  # type: ignore[attr-defined]
        again = Timeline.from_checkpoint(restored.checkpoint())
        assert restored._by_id._block_of is None  # type: ignore[attr-defined]
        assert len(again) == len(restored) == 320
        assert "m-0005" in again._by_id  # a known id: found by a search, its block decoded
        assert again._by_id._block_of is None  # type: ignore[attr-defined]
    rebuilt = Timeline.from_store(store)
    assert shown(again) == shown(restored) == shown(rebuilt)


@pytest.mark.parametrize("slack", [0, 1 << 16])
def test_an_id_filter_grown_by_moved_entries_is_made_anew_and_stays_whole(slack: int) -> None:
    from timeline.events import Correction
    from timeline.projections import _idfilter

    store = MemoryStore()
    store.append("s", [_meeting(i, ("2025-03", "2025-04-14")[i % 2]) for i in range(60)])
    with (
        blocks_of(10),
        mock.patch.object(_snapshot, "_FILTER_SLACK", slack),
        mock.patch.object(_idfilter, "_RECENT_MINIMUM", 2),
    ):
        checkpoint = Timeline.from_store(store).checkpoint()
        for round_ in range(12):  # each moves entries to new blocks: their ids are added again
            target = f"m-{(round_ * 7) % 60:04d}"
            when = ("2025-05", "2025-03-02")[round_ % 2]
            correction = Correction(id=f"c-{round_}", target=target, reason="r", changes={"when": when})
            store.append("s", [correction, _meeting(100 + round_, "2025-03")])
            restored = Timeline.from_checkpoint(checkpoint)
            restored.catch_up(store)
            list(restored)  # every chunk loaded: a save encodes each again
            checkpoint = restored.checkpoint()
            again = Timeline.from_checkpoint(checkpoint)
            known = again._by_id.known  # type: ignore[attr-defined]
            assert len(known) <= 2 * len(again._by_id) + slack
            assert all(known.may_hold(event_id) for event_id in again._by_id)
            assert shown(again) == shown(Timeline.from_store(store))
