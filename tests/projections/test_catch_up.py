"""Incremental catch-up, and checkpoints that let a process restart where it stopped."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, cast

import attrs
import pytest

from timeline.checkpoints import read_checkpoint, write_checkpoint
from timeline.errors import ValidationError
from timeline.projections import Checkpoint, FileCheckpointStore, Timeline

from ._helpers import CountingStore, ev
from .test_story import STORY, story_amendments

if TYPE_CHECKING:
    from pathlib import Path

    from timeline.events import Event
    from timeline.store import EventStore


def said(event_id: str, when: str = "2025-03") -> Event:
    return ev({"type": "statement", "id": event_id, "when": when, "by": "someone", "text": "said"})


def snapshot(timeline: Timeline) -> tuple[object, ...]:
    return (tuple(timeline.entries), timeline.position, timeline.last_changed, len(timeline))


def test_catch_up_folds_only_what_is_new(store: EventStore) -> None:
    store.append("s", [said(f"e{i}") for i in range(50)])
    counting = CountingStore(store)
    timeline = Timeline.from_store(cast("EventStore", counting))
    assert (counting.yielded, timeline.position, len(timeline)) == (50, 50, 50)
    store.append("s", [said("new-1"), said("new-2", "2024")])
    counting.yielded = 0
    assert timeline.catch_up(cast("EventStore", counting)) == 2
    assert counting.yielded == 2
    assert timeline.entries[0].id == "new-2"
    assert timeline.catch_up(cast("EventStore", counting)) == 0
    assert counting.yielded == 2


def test_catch_up_of_one_stream_reads_that_stream_only(store: EventStore) -> None:
    store.append("a", [said("a1")])
    store.append("b", [said(f"b{i}") for i in range(20)])
    counting = CountingStore(store)
    timeline = Timeline.from_store(cast("EventStore", counting), stream="a")
    assert counting.yielded == 1
    store.append("b", [said("b-late")])
    store.append("a", [said("a2", "2024")])
    counting.yielded = 0
    assert timeline.catch_up(cast("EventStore", counting)) == 1
    assert counting.yielded == 1
    assert [entry.id for entry in timeline] == ["a2", "a1"]
    assert timeline.position == store.head()


def test_catch_up_applies_amendments_to_entries_folded_earlier(store: EventStore) -> None:
    store.append("s", [said("a"), said("b", "2024")])
    timeline = Timeline.from_store(store)
    before = timeline.entries
    store.append(
        "s",
        [
            ev({"type": "correction", "id": "f", "target": "b", "changes": {"when": "2026"}, "reason": "r"}),
            ev({"type": "retraction", "id": "d", "target": "a", "reason": "r"}),
        ],
    )
    assert timeline.catch_up(store) == 2
    assert [(entry.id, entry.revision) for entry in timeline] == [("b", 2)]
    assert [entry.id for entry in before] == ["b", "a"]  # what was handed out earlier does not change
    assert snapshot(timeline) == snapshot(Timeline.from_store(store))


def test_checkpoint_file_restart_equals_a_rebuild(store: EventStore, tmp_path: Path) -> None:
    store.append("story", STORY)
    timeline = Timeline.from_store(store, stream="story", include_retracted=True)
    path = tmp_path / "timeline.json"
    timeline.save_checkpoint(path)
    restarted = Timeline.load_checkpoint(path)
    assert snapshot(restarted) == snapshot(timeline)
    assert (restarted.stream, restarted.as_of, restarted.include_retracted) == ("story", None, True)
    # what the store learns while the process is down is caught up, amendments of old entries included
    for batch in story_amendments():
        store.append("story", batch)
    store.append("other", [said("elsewhere")])
    assert restarted.catch_up(store) == 2
    assert snapshot(restarted) == snapshot(Timeline.from_store(store, stream="story", include_retracted=True))
    assert read_checkpoint(path).position == len(STORY)


def test_checkpoint_keeps_every_field(tmp_path: Path, store: EventStore) -> None:
    store.append("story", STORY)
    for batch in story_amendments():
        store.append("story", batch)
    timeline = Timeline.from_store(store, include_retracted=True)
    checkpoint = timeline.checkpoint("everything")
    assert checkpoint.name == "everything"
    assert checkpoint.position == timeline.position
    state = json.loads(json.dumps(checkpoint.state))  # the state is JSON-ready; the payload is bytes
    restored = Timeline.from_checkpoint(
        Checkpoint(
            name=checkpoint.name, position=checkpoint.position, state=state, payload=checkpoint.payload
        )
    )
    assert snapshot(restored) == snapshot(timeline)
    assert any(entry.retracted for entry in restored)
    assert any(entry.revision > 1 for entry in restored)


def test_resume_with_a_checkpoint_store(store: EventStore, tmp_path: Path) -> None:
    checkpoints = FileCheckpointStore(tmp_path / "checkpoints")
    store.append("s", [said(f"e{i}") for i in range(30)])
    counting = CountingStore(store)
    first = Timeline.resume(cast("EventStore", counting), checkpoints, "main/timeline")
    assert counting.yielded == 30
    assert (tmp_path / "checkpoints" / "main%2Ftimeline.checkpoint").exists()
    store.append("s", [said("late", "2024")])
    counting.yielded = 0
    second = Timeline.resume(cast("EventStore", counting), checkpoints, "main/timeline")
    # restarted from the checkpoint, not from the start of the log: the record at its position (checked to
    # be the one it was folded up to), then the one new record
    assert counting.yielded == 2
    assert snapshot(second) == snapshot(Timeline.from_store(store))
    saved = checkpoints.get("main/timeline")
    assert saved is not None
    assert saved.position == 31
    assert len(first) == 30


@pytest.mark.parametrize("reason", ["other settings", "ahead of the store", "corrupt file", "other format"])
def test_resume_rebuilds_when_the_checkpoint_is_unusable(
    store: EventStore, tmp_path: Path, reason: str
) -> None:
    checkpoints = FileCheckpointStore(tmp_path)
    store.append("s", [said(f"e{i}") for i in range(5)])
    Timeline.resume(store, checkpoints, "t")
    path = checkpoints.path("t")
    if reason == "other settings":
        Timeline.resume(store, checkpoints, "t", stream="s", include_retracted=True)
        state = read_checkpoint(path).state
        assert (state["stream"], state["include_retracted"]) == ("s", True)
        return
    saved = read_checkpoint(path)
    if reason == "ahead of the store":
        write_checkpoint(path, attrs.evolve(saved, position=99))
    elif reason == "corrupt file":
        path.write_bytes(path.read_bytes()[:-7])
    else:
        write_checkpoint(path, attrs.evolve(saved, state={**saved.state, "format": 1}))
    counting = CountingStore(store)
    timeline = Timeline.resume(cast("EventStore", counting), checkpoints, "t")
    assert counting.yielded == 5
    assert snapshot(timeline) == snapshot(Timeline.from_store(store))
    assert read_checkpoint(path).position == 5  # and the checkpoint is written again


def test_load_checkpoint_errors_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "t", "position": "7", "state": {}}')
    with pytest.raises(ValidationError, match=r"bad\.json") as caught:
        Timeline.load_checkpoint(path)
    assert caught.value.path == "position"
    path.write_text("[1, 2]")
    with pytest.raises(ValidationError, match="expected a JSON object"):
        Timeline.load_checkpoint(path)
    path.write_text('{"name": "t", "position": 1, "state": {"format": 1, "projection": "ledger"}}')
    with pytest.raises(ValidationError, match="not a timeline checkpoint") as caught:
        Timeline.load_checkpoint(path)
    assert caught.value.path == "state.format"


def test_a_failed_save_keeps_the_old_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_path = tmp_path / "timeline.json"
    Timeline().save_checkpoint(store_path)
    old = store_path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", full_disk)  # the temporary file is written, then cannot be synced
    with pytest.raises(OSError, match="disk full"):
        Timeline.from_records([]).save_checkpoint(store_path, name="other")
    assert store_path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.json"]  # no temporary file left


def test_file_checkpoint_store_without_a_checkpoint(tmp_path: Path) -> None:
    checkpoints = FileCheckpointStore(tmp_path / "nowhere")
    assert checkpoints.get("t") is None
    with pytest.raises(ValidationError):
        checkpoints.path("")


def test_resume_saves_again_only_after_save_after_records(store: EventStore, tmp_path: Path) -> None:
    checkpoints = FileCheckpointStore(tmp_path)
    store.append("s", [said(f"e{i}") for i in range(30)])
    Timeline.resume(store, checkpoints, "t", save_after=5)  # a rebuild always saves
    for i in range(4):
        store.append("s", [said(f"late{i}")])
        resumed = Timeline.resume(store, checkpoints, "t", save_after=5)
        assert snapshot(resumed) == snapshot(Timeline.from_store(store))
        saved = checkpoints.get("t")
        assert saved is not None
        assert saved.position == 30  # 1..4 records since: folded again next time, not written again
    store.append("s", [said("late4")])
    Timeline.resume(store, checkpoints, "t", save_after=5)
    saved = checkpoints.get("t")
    assert saved is not None
    assert saved.position == 35
