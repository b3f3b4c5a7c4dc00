"""Checkpoints in files (`FileCheckpointStore`): a small checkpoint file, replaced atomically, naming the
extents of its payload in an append-only block file beside it.

(a) saving and resuming through files, again and again after random appends, equals a rebuild, and a save
    after a small catch-up appends what changed only (unchanged blocks stay where they are);
(b) a save that stops at any step (a crash) leaves the old checkpoint or the new one, both whole;
(c) a damaged or truncated checkpoint file or block file is refused, and resume rebuilds;
(d) compaction (a new block file once dead bytes outweigh live ones) keeps every checkpoint equal, and
    leaves no stale block file;
(e) files an earlier version wrote (the framed single file, the JSON file) are still read;
(f) two processes resuming from the same folder at once never see a half-written checkpoint.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import _checkpoint_files
from timeline.checkpoints import Checkpoint, FileCheckpointStore, Segments, read_checkpoint, write_checkpoint
from timeline.errors import ValidationError
from timeline.projections import Timeline
from timeline.store import EventStore, MemoryStore, SqliteStore

from .strategies import Log, logs
from .test_lazy_snapshots import blocks_of
from .test_snapshots import fill, shown, timeline_settings


def block_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.blocks.*"))


def folded_up_to(store: EventStore, position: int) -> Timeline:
    timeline = Timeline()
    timeline.fold(itertools.islice(store.read_all(), position))
    return timeline


# -- (a) equality, and only what changed is written --------------------------------------------------


@settings(max_examples=40)
@given(log=logs(max_batches=8), size=st.integers(1, 6), fresh_store=st.booleans(), data=st.data())
def test_resuming_through_files_after_each_append_equals_a_rebuild(
    log: Log, size: int, fresh_store: bool, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("checkpoints")
    store = MemoryStore()
    fill(store, log, slice(0, 1))
    options = data.draw(timeline_settings(store), label="settings")
    checkpoints = FileCheckpointStore(folder)
    with blocks_of(size):
        for upto in range(1, len(log.batches) + 1):
            fill(store, log, slice(upto, upto + 1))
            if fresh_store:  # another process, as it were: nothing known of the files but what they hold
                checkpoints = FileCheckpointStore(folder)
            resumed = Timeline.resume(store, checkpoints, "t", **options)
            assert shown(resumed) == shown(Timeline.from_store(store, **options))
            saved = checkpoints.get("t")
            assert saved is not None
            assert saved.position == resumed.position
            assert shown(Timeline.from_checkpoint(saved)) == shown(resumed)
        assert len(block_files(folder)) <= 1


def test_a_save_after_a_small_catch_up_appends_only_what_changed(tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}-0{1 + i % 9}") for i in range(3000)])
    checkpoints = FileCheckpointStore(tmp_path)
    with blocks_of(100):
        Timeline.resume(store, checkpoints)
        (blocks,) = block_files(tmp_path)
        before = blocks.stat().st_size
        store.append("s", [_meeting(i, when="2019-05") for i in range(3000, 3010)])
        resumed = Timeline.resume(store, checkpoints)
    assert block_files(tmp_path) == [blocks]  # the same file, appended to
    grown = blocks.stat().st_size - before
    payload = resumed.checkpoint().payload
    assert payload is not None
    assert grown < len(payload) // 4
    assert shown(resumed) == shown(Timeline.from_store(store))


def test_a_checkpoint_of_segments_is_the_checkpoint_of_their_bytes() -> None:
    parts = (b"ab", memoryview(b"cde"), b"")
    made = Checkpoint(name="n", position=3, state={"k": 1}, payload=Segments(parts=parts))
    plain = Checkpoint(name="n", position=3, state={"k": 1}, payload=b"abcde")
    assert made == plain
    assert made.payload == b"abcde"
    assert len(Segments(parts=parts)) == 5
    assert attrs.evolve(made, position=4).payload == b"abcde"
    assert attrs.evolve(made, payload=b"x").payload == b"x"
    assert plain.segments == Segments(parts=(b"abcde",))
    assert Checkpoint(name="n", position=0, state={}).segments is None
    assert "5 bytes" in repr(made)


def test_a_store_of_other_payloads_keeps_them_whole(tmp_path: Path) -> None:
    checkpoints = FileCheckpointStore(tmp_path)
    for payload in (b"x" * 10, Segments(parts=(b"ab", b"", memoryview(b"c"))), b"", None, b"last"):
        checkpoint = Checkpoint(name="a/b", position=1, state={"s": "é"}, payload=payload)
        checkpoints.put(checkpoint)
        assert FileCheckpointStore(tmp_path).get("a/b") == checkpoint
        assert checkpoints.get("a/b") == checkpoint
    assert len(block_files(tmp_path)) == 1


# -- (b) a save stopped at any step -------------------------------------------------------------------

STOPS = ("append", "sync", "replace", "remove stale")


@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("compacting", [False, True])
def test_a_save_stopped_at_any_step_leaves_the_old_checkpoint_or_the_new(
    stop: str, compacting: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}") for i in range(400)])
    with blocks_of(20):
        old = Timeline.resume(store, FileCheckpointStore(tmp_path))
        store.append("s", [_meeting(i, when="2012") for i in range(400, 420)])
        if compacting:
            monkeypatch.setattr(_checkpoint_files, "compacting", lambda live, size: True)
        monkeypatch.setattr(_checkpoint_files, "stop_at", _crash_at(stop))
        with pytest.raises(_Crash):
            Timeline.resume(store, FileCheckpointStore(tmp_path))
        monkeypatch.undo()
        saved = FileCheckpointStore(tmp_path).get("timeline")
        assert saved is not None
        assert saved.position in (old.position, store.head())
        expected = folded_up_to(store, saved.position)
        assert shown(Timeline.from_checkpoint(saved)) == shown(expected)
        again = Timeline.resume(store, FileCheckpointStore(tmp_path))  # and the next save is whole
        assert shown(again) == shown(Timeline.from_store(store))
        saved = FileCheckpointStore(tmp_path).get("timeline")
        assert saved is not None
        assert shown(Timeline.from_checkpoint(saved)) == shown(again)
        store.append("s", [_meeting(420)])
        Timeline.resume(store, FileCheckpointStore(tmp_path))  # a save removes what a crash left
    assert len(block_files(tmp_path)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".timeline-tmp")]


class _Crash(Exception):
    pass


def _crash_at(stop: str) -> Any:
    def stop_at(step: str) -> None:
        if step == stop:
            raise _Crash(step)

    return stop_at


def test_a_process_killed_while_saving_leaves_a_whole_checkpoint(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    folder = tmp_path / "checkpoints"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from timeline import _checkpoint_files
        from timeline.checkpoints import FileCheckpointStore
        from timeline.projections import Timeline, _sorted
        from timeline.store import open_store
        _sorted.CHUNK = 10
        step = sys.argv[1]
        def stop_at(name):
            if name == step:
                os.kill(os.getpid(), signal.SIGKILL)
        _checkpoint_files.stop_at = stop_at
        if sys.argv[2] == "compact":
            _checkpoint_files.compacting = lambda live, size: True
        Timeline.resume(open_store({str(db)!r}), FileCheckpointStore({str(folder)!r}))
        """
    )
    store = SqliteStore(str(db))
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}") for i in range(100)])
    Timeline.resume(store, FileCheckpointStore(folder))
    for round_, (step, how) in enumerate(itertools.product(STOPS, ("append", "compact"))):
        store.append("s", [_meeting(1000 + round_, when="2011")])
        done = subprocess.run([sys.executable, "-c", script, step, how], check=False)
        assert done.returncode == -9
        saved = FileCheckpointStore(folder).get("timeline")
        assert saved is not None
        expected = folded_up_to(store, saved.position)
        assert shown(Timeline.from_checkpoint(saved)) == shown(expected)
    assert shown(Timeline.resume(store, FileCheckpointStore(folder))) == shown(Timeline.from_store(store))
    store.close()


# -- (c) damaged files ---------------------------------------------------------------------------------

DAMAGES = ("flip checkpoint", "cut checkpoint", "flip blocks", "cut blocks", "no blocks", "grow checkpoint")


@settings(max_examples=40)
@given(how=st.sampled_from(DAMAGES), at=st.integers(0, 10**6), size=st.integers(1, 5))
def test_a_damaged_file_is_refused_and_resume_rebuilds(
    how: str, at: int, size: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("damaged")
    store = MemoryStore()
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}") for i in range(30)])
    checkpoints = FileCheckpointStore(folder)
    with blocks_of(size):
        Timeline.resume(store, checkpoints)
        path = checkpoints.path("timeline")
        (blocks,) = block_files(folder)
        damage(path if "checkpoint" in how else blocks, how, at)
        assert refused(folder)
        resumed = Timeline.resume(store, FileCheckpointStore(folder))
        assert shown(resumed) == shown(Timeline.from_store(store))
        saved = FileCheckpointStore(folder).get("timeline")  # saved again after the rebuild, whole
        assert saved is not None
        assert shown(Timeline.from_checkpoint(saved)) == shown(resumed)


def refused(folder: Path) -> bool:
    """Whether the checkpoint in `folder` is refused, by its store or by `Timeline.from_checkpoint`."""
    try:
        saved = FileCheckpointStore(folder).get("timeline")
        if saved is not None:
            Timeline.from_checkpoint(saved)
    except ValidationError:
        return True
    return False


def damage(path: Path, how: str, at: int) -> None:
    content = path.read_bytes()
    if how.startswith("flip"):
        index = at % len(content)
        path.write_bytes(content[:index] + bytes([content[index] ^ 0x10]) + content[index + 1 :])
    elif how.startswith("cut"):
        path.write_bytes(content[: at % len(content)])
    elif how == "grow checkpoint":
        path.write_bytes(content + b"\x00")
    else:
        path.unlink()


# -- (d) compaction ------------------------------------------------------------------------------------


def test_compaction_keeps_every_checkpoint_equal_and_no_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_checkpoint_files, "_MINIMUM_DEAD", 0)  # compacted however small
    store = MemoryStore()
    checkpoints = FileCheckpointStore(tmp_path)
    names: set[str] = set()
    with blocks_of(5):
        for round_ in range(40):
            whens = [f"20{10 + (round_ * 7 + i) % 15}" for i in range(3)]
            store.append("s", [_meeting(round_ * 3 + i, when=when) for i, when in enumerate(whens)])
            resumed = Timeline.resume(store, checkpoints)
            assert shown(resumed) == shown(Timeline.from_store(store))
            (blocks,) = block_files(tmp_path)
            names.add(blocks.name)
            saved = checkpoints.get("timeline")
            live = len(saved.segments or b"") if saved is not None else 0
            assert blocks.stat().st_size <= 2 * live + 64  # compacted once dead bytes outweigh live ones
    assert len(names) > 1  # it was compacted, under a new name


# -- (e) files of earlier versions ---------------------------------------------------------------------


@pytest.mark.parametrize("older", ["framed", "json", "json beside"])
def test_files_an_earlier_version_wrote_are_still_read(older: str, tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i) for i in range(20)])
    checkpoints = FileCheckpointStore(tmp_path)
    path = checkpoints.path("timeline")
    checkpoint = Timeline.from_store(store).checkpoint()
    if older == "framed":
        write_checkpoint(path, checkpoint)
    else:  # a checkpoint without payload, as JSON text (in a .json file by older versions still)
        checkpoint = Checkpoint(name="timeline", position=3, state={"x": [1]})
        write_checkpoint(path if older == "json" else path.with_suffix(".json"), checkpoint)
    assert checkpoints.get("timeline") == checkpoint
    assert read_checkpoint(path if older != "json beside" else path.with_suffix(".json")) == checkpoint
    store.append("s", [_meeting(i) for i in range(20, 25)])
    resumed = Timeline.resume(store, checkpoints)
    assert shown(resumed) == shown(Timeline.from_store(store))
    assert len(block_files(tmp_path)) == 1
    assert not path.with_suffix(".json").exists()
    assert read_checkpoint(path) == checkpoints.get("timeline")  # the new format, read from its path too


def test_a_snapshot_of_an_older_format_in_a_file_is_rebuilt(tmp_path: Path) -> None:
    store = MemoryStore()
    store.append("s", [_meeting(i) for i in range(10)])
    checkpoint = Timeline.from_store(store).checkpoint()
    payload = checkpoint.payload
    assert payload is not None
    older = attrs.evolve(
        checkpoint, state={**checkpoint.state, "format": 2}, payload=payload[:7] + b"\x00\x02" + payload[9:]
    )
    FileCheckpointStore(tmp_path).put(older)
    resumed = Timeline.resume(store, FileCheckpointStore(tmp_path))
    assert shown(resumed) == shown(Timeline.from_store(store))
    saved = FileCheckpointStore(tmp_path).get("timeline")
    assert saved is not None
    assert saved.state["format"] == checkpoint.state["format"]


# -- (f) two processes at once -------------------------------------------------------------------------


def test_two_processes_resuming_the_same_folder_see_whole_checkpoints(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    folder = tmp_path / "checkpoints"
    store = SqliteStore(str(db))
    store.append("s", [_meeting(i, when=f"20{10 + i % 15}") for i in range(200)])
    store.close()
    script = textwrap.dedent(
        f"""
        import itertools, sys
        from timeline import _checkpoint_files
        from timeline.codec import from_json
        from timeline.checkpoints import FileCheckpointStore
        from timeline.projections import Timeline, _sorted
        from timeline.store import open_store
        _sorted.CHUNK = 20
        _checkpoint_files.compacting = lambda live, size: size > 3 * live
        store = open_store({str(db)!r})
        who = sys.argv[1]
        for i in range(25):
            event = {{"type": "meeting", "id": f"{{who}}-{{i}}", "when": "2013", "participants": ["A"]}}
            store.append(who, [from_json(event)])
            resumed = Timeline.resume(store, FileCheckpointStore({str(folder)!r}))
            expected = Timeline()
            expected.fold(itertools.islice(store.read_all(), resumed.position))
            assert list(resumed.entries) == list(expected.entries), i
            assert len(resumed) == len(expected)
        """
    )
    children = [subprocess.Popen([sys.executable, "-c", script, who]) for who in ("p", "q")]
    assert [child.wait(timeout=600) for child in children] == [0, 0]
    store = SqliteStore(str(db))
    saved = FileCheckpointStore(folder).get("timeline")
    assert saved is not None
    expected = folded_up_to(store, saved.position)
    assert shown(Timeline.from_checkpoint(saved)) == shown(expected)
    store.close()
    assert len(block_files(folder)) == 1


def _meeting(i: int, *, when: str = "2025-03") -> Any:
    from timeline.codec import from_json

    return from_json({"type": "meeting", "id": f"m-{i}", "when": when, "participants": ["A"]})
