"""Cache files (format 3): entries matched in bulk, unchanged runs copied; never a wrong byte."""

from __future__ import annotations

import io
import multiprocessing
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exporters.test_render_cache import FORMATS, STORY_DATES, Log, cached, plain, story
from timeline import plugins
from timeline.events import Correction, Meeting, Retraction
from timeline.exporters.pieces import CachingExporter
from timeline.projections import Timeline
from timeline.render_cache import RenderCacheFile, scope_of
from timeline.store import Recorded
from timeline.when import When


def _exporter(name: str) -> CachingExporter:
    exporter = plugins.get_exporter(name)
    assert isinstance(exporter, CachingExporter)
    return exporter


def rendered(timeline: Timeline, name: str, options: dict[str, str], cache_file: RenderCacheFile) -> int:
    """Export through `cache_file` (checking the bytes against a plain export); how many were rendered."""
    exporter = _exporter(name)
    pieces = cache_file.load(scope_of(exporter, options, timeline), timeline)
    out = io.BytesIO()
    exporter.export_pieces(timeline, out, options, pieces)
    assert out.getvalue() == plain(timeline, name, options)
    cache_file.save(pieces)
    return pieces.rendered


@pytest.mark.parametrize(("name", "options"), FORMATS, ids=[f"{n}{o}" for n, o in FORMATS])
def test_an_insertion_a_removal_and_a_move_render_only_those(
    tmp_path: Path, name: str, options: dict[str, str]
) -> None:
    log = story(200)
    cache_file = RenderCacheFile(tmp_path, "feed")
    assert rendered(log.timeline(), name, options, cache_file) == 200
    log.append(Meeting(id="new", when=When.parse("2025-04-14"), participants=("C",), title="In the middle"))
    assert rendered(log.timeline(), name, options, cache_file) == 1
    log.append(Retraction(id="gone", target="m50", reason="withdrawn"))
    assert rendered(log.timeline(), name, options, cache_file) == 0
    log.append(Correction(id="moved", target="m51", changes={"when": "1999"}, reason="misdated"))
    assert rendered(log.timeline(), name, options, cache_file) == 1
    assert rendered(log.timeline(), name, options, cache_file) == 0


def test_many_changes_at_once_are_matched_by_map(tmp_path: Path) -> None:
    log = story(300)
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "markdown", {}, cache_file)
    for k in range(0, 300, 3):  # a hundred changes: more than galloping steps over
        log.append(Correction(id=f"fix{k}", target=f"m{k}", changes={"title": f"T{k}"}, reason="typo"))
    for k in range(40):
        log.append(Meeting(id=f"n{k}", when=When.parse(STORY_DATES[k % 6]), participants=("D",)))
    assert rendered(log.timeline(), "markdown", {}, cache_file) == 140


def test_a_store_rebuilt_from_edited_input_is_not_taken_for_the_old_one(tmp_path: Path) -> None:
    """Same ids, same positions, same revisions: only the instants differ."""
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(story().timeline(), "json", {}, cache_file)
    edited = Log()
    for i, record in enumerate(story().records):
        event = record.event
        assert isinstance(event, Meeting)
        edited.records.append(
            Recorded(
                position=record.position,
                stream=record.stream,
                version=record.version,
                recorded_at=record.recorded_at + timedelta(days=1),
                event=Meeting(id=event.id, when=event.when, participants=("Z",), title=f"Edited {i}"),
            )
        )
    assert rendered(edited.timeline(), "json", {}, cache_file) == 30


def test_ids_holding_the_separator_are_never_confused(tmp_path: Path) -> None:
    log = Log()
    for i in range(10):
        log.append(Meeting(id=f"a\x1fb{i}", when=When.parse("2025-03"), participants=("A",), title=f"M{i}"))
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    log.append(Correction(id="fix", target="a\x1fb3", changes={"title": "Better"}, reason="typo"))
    rendered(log.timeline(), "json", {}, cache_file)  # the bytes are checked; all may be rendered


def test_an_export_that_changed_nothing_writes_nothing(tmp_path: Path) -> None:
    log = story()
    cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed"))
    before = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    os.utime(tmp_path / "feed.index", ns=(1, 1))
    assert cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(
        log.timeline(), "json", {}
    )
    assert (tmp_path / "feed.index").stat().st_mtime_ns == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(before)


def test_a_block_that_fails_its_crc_gives_out_no_byte_the_rest_is_rendered(tmp_path: Path) -> None:
    """Blocks are checked as the export reaches them: the pieces before a bad one come from the cache (they
    passed), those from it on are rendered, and the next save writes a new data file."""
    log = story(3000)  # several data blocks
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    (data,) = tmp_path.glob("feed.*.data")
    raw = bytearray(data.read_bytes())
    assert len(raw) > 3 * (1 << 18)
    raw[-10] ^= 0x01  # the last block: read after many good ones
    data.write_bytes(bytes(raw))
    log.append(Correction(id="fix", target="m0", changes={"title": "Better"}, reason="typo"))
    assert 1 < rendered(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) < 3000
    assert rendered(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == 0
    assert [path for path in tmp_path.glob("feed.*.data")] != [data]


@settings(max_examples=30)
@given(
    where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7), name=st.sampled_from(["json", "markdown"])
)
def test_any_flipped_bit_of_the_data_file_changes_no_byte(
    tmp_path_factory: Any, where: float, bit: int, name: str
) -> None:
    folder = tmp_path_factory.mktemp("flip")
    log = story(1500)
    rendered(log.timeline(), name, {}, RenderCacheFile(folder, "feed"))
    (data,) = folder.glob("feed.*.data")
    raw = bytearray(data.read_bytes())
    raw[int(where * len(raw))] ^= 1 << bit
    data.write_bytes(bytes(raw))
    log.append(Correction(id="fix", target="m700", changes={"title": "Better"}, reason="typo"))
    rendered(log.timeline(), name, {}, RenderCacheFile(folder, "feed"))  # checks every byte
    rendered(log.timeline(), name, {}, RenderCacheFile(folder, "feed"))


def _export_rounds(folder: str, seed: int) -> None:
    log = story(120)
    for k in range(6):
        log.append(
            Correction(
                id=f"p{seed}-{k}", target=f"m{(seed * 7 + k) % 120}", changes={"title": f"{seed}"}, reason="r"
            )
        )
        assert cached(log.timeline(), "json", {}, RenderCacheFile(Path(folder), "feed")) == plain(
            log.timeline(), "json", {}
        )


def test_concurrent_runs_never_see_a_wrong_byte(tmp_path: Path) -> None:
    """Processes exporting different logs through one cache file at once, each checking every byte."""
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_export_rounds, args=(str(tmp_path), seed)) for seed in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    log: Any = story(120)
    assert cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(
        log.timeline(), "json", {}
    )


def test_a_writer_killed_mid_save_leaves_files_the_next_save_removes(tmp_path: Path) -> None:
    log = story()
    cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed"))
    (tmp_path / ".feed.index.0123456789ab.tmp").write_bytes(b"half an index")
    (tmp_path / "feed.0123456789ab.data").write_bytes(b"half a rewrite")
    log.append(Correction(id="fix", target="m3", changes={"title": "Better"}, reason="typo"))
    assert cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(
        log.timeline(), "json", {}
    )
    assert sorted(path.name for path in tmp_path.iterdir() if "0123456789ab" in path.name) == []
