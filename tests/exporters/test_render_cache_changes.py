"""Cache files, format 3: the head record names the log, and an export's runs come from what changed."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exporters.test_render_cache import Log, cached, changes, plain, story
from tests.exporters.test_render_cache_files import rendered
from timeline import plugins
from timeline.events import Correction, Retraction
from timeline.exporters.pieces import CachingExporter
from timeline.projections import Entry, Timeline
from timeline.render_cache import RenderCacheFile, scope_of
from timeline.render_cache._index import EntryKeys


def _last_position(entry: Entry) -> int:
    return entry.history[-1].position if entry.history else entry.position


@settings(max_examples=40)
@given(data=st.data(), include_retracted=st.booleans())
def test_changed_since_names_exactly_the_entries_changed_after_a_position(
    data: Any, include_retracted: bool
) -> None:
    log = Log()
    for _ in range(data.draw(st.integers(1, 30))):
        data.draw(changes(log))
    timeline = log.timeline(include_retracted=include_retracted)
    position = data.draw(st.integers(0, timeline.position))
    found = timeline.changed_since(position)
    assert found is not None
    every = timeline._by_id.values()
    assert sorted(entry.id for entry, _ in found) == sorted(
        e.id for e in every if _last_position(e) > position
    )
    for entry, index in found:
        if index is None:
            assert entry not in timeline.entries
        else:
            assert timeline.entries[index] is entry


@settings(max_examples=30)
@given(data=st.data(), include_retracted=st.booleans())
def test_the_runs_from_changes_are_those_the_keys_give(
    tmp_path_factory: Any, data: Any, include_retracted: bool
) -> None:
    """The keys built from what changed are every entry's keys, and each run pairs equal states."""
    folder = tmp_path_factory.mktemp("changes")
    log = Log()
    exporter = plugins.get_exporter("json")
    assert isinstance(exporter, CachingExporter)
    for _ in range(3):
        for _ in range(data.draw(st.integers(0, 8))):
            data.draw(changes(log))
        timeline = log.timeline(include_retracted=include_retracted)
        cache_file = RenderCacheFile(folder, "feed")
        pieces = cache_file.load(scope_of(exporter, {}, timeline), timeline)
        found = pieces._by_changes(timeline)
        if found is not None:
            _, keys, runs = found
            assert keys == EntryKeys.of(timeline.entries)
            last = pieces.layout()[0].stamps
            for i, j, length in runs:
                assert keys.stamps[8 * i : 8 * (i + length)] == last[8 * j : 8 * (j + length)]
        out = io.BytesIO()
        exporter.export_pieces(timeline, out, {}, pieces)
        assert out.getvalue() == plain(timeline, "json", {})
        cache_file.save(pieces)


def test_one_correction_is_found_without_reading_every_key(tmp_path: Path, monkeypatch: Any) -> None:
    log = story(200)
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    log.append(Correction(id="fix", target="m50", changes={"title": "Better"}, reason="typo"))

    every = EntryKeys.of

    def few(entries: Any) -> EntryKeys:
        assert len(entries) <= 1, "every key read"
        return every(entries)

    monkeypatch.setattr(EntryKeys, "of", few)
    timeline = log.timeline()
    pieces = cache_file.load(scope_of(plugins.get_exporter("json"), {}, timeline), timeline)  # type: ignore[arg-type]
    assert pieces._by_changes(timeline) is not None


def test_a_log_that_branched_after_the_cache_was_made_is_not_taken_for_it(tmp_path: Path) -> None:
    """Same positions, same instants, same revisions, another correction: the head record differs."""
    base = story(40)
    one, two = Log(), Log()
    one.records, two.records = list(base.records), list(base.records)
    one.append(Correction(id="fix-one", target="m7", changes={"title": "One"}, reason="r"))
    two.append(Correction(id="fix-two", target="m7", changes={"title": "Two"}, reason="r"))
    cache_file = RenderCacheFile(tmp_path, "feed")
    for name in ("json", "markdown", "ical"):
        rendered(one.timeline(), name, {}, RenderCacheFile(tmp_path, name))
        assert rendered(two.timeline(), name, {}, RenderCacheFile(tmp_path, name)) == 40
    del cache_file


def test_the_head_entry_retracted_later_still_names_the_log(tmp_path: Path) -> None:
    log = story(60)
    log.append(Correction(id="fix", target="m9", changes={"title": "Better"}, reason="typo"))
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    log.append(Retraction(id="gone", target="m9", reason="withdrawn"))  # the head's entry, now hidden
    assert rendered(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == 0
    log.append(Correction(id="fix2", target="m10", changes={"title": "Also"}, reason="typo"))
    assert rendered(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == 1


def test_records_folded_out_of_order_change_no_byte(tmp_path: Path) -> None:
    log = story(80)
    for k in range(0, 80, 9):
        log.append(Correction(id=f"c{k}", target=f"m{k}", changes={"title": f"T{k}"}, reason="r"))
    records = list(log.records)
    cache_file = RenderCacheFile(tmp_path, "feed")
    cached(Timeline.from_records(records[:60]), "json", {}, cache_file)
    shuffled = records[:]
    random.Random(5).shuffle(shuffled)
    timeline = Timeline.from_records(shuffled)
    assert cached(timeline, "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(timeline, "json", {})


def test_a_timeline_restored_from_a_checkpoint_says_what_changed_from_its_newer_blocks(
    tmp_path: Path,
) -> None:
    """Each snapshot block knows the newest record of its entries: what changed since a position is read
    from the blocks newer than it, and a re-export after one correction decodes one block."""
    log = story(120)
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    log.append(Correction(id="fix", target="m30", changes={"title": "Better"}, reason="typo"))
    with mock.patch("timeline.projections._sorted.CHUNK", 10):
        checkpoint = log.timeline().checkpoint()
    restored = Timeline.from_checkpoint(checkpoint)
    found = restored.changed_since(120)
    assert found is not None
    assert [entry.id for entry, _ in found] == ["m30"]
    assert dict.__len__(restored._by_id) <= 20  # the corrected entry's block, no other
    again = Timeline.from_checkpoint(checkpoint)
    output = cached(again, "json", {}, RenderCacheFile(tmp_path, "feed"))
    assert dict.__len__(again._by_id) <= 20
    made = sum(isinstance(chunk, list) for chunk in again._sorted._chunks)
    assert made <= 2  # the chunk it is shown in (and the one of the cache's head record)
    assert output == plain(log.timeline(), "json", {})
    assert rendered(restored, "json", {}, RenderCacheFile(tmp_path, "feed")) == 0


@settings(max_examples=40)
@given(data=st.data(), include_retracted=st.booleans(), size=st.integers(1, 6))
def test_a_restored_timeline_says_what_changed_as_a_rebuilt_one_does(
    data: Any, include_retracted: bool, size: int
) -> None:
    """From a checkpoint taken at any point and caught up since, for any position before or after it."""
    log = Log()
    for _ in range(data.draw(st.integers(1, 20))):
        data.draw(changes(log))
    with mock.patch("timeline.projections._sorted.CHUNK", size):
        checkpoint = log.timeline(include_retracted=include_retracted).checkpoint()
    for _ in range(data.draw(st.integers(0, 8))):
        data.draw(changes(log))
    restored = Timeline.from_checkpoint(checkpoint)
    restored.fold(log.records)
    rebuilt = log.timeline(include_retracted=include_retracted)
    position = data.draw(st.integers(0, rebuilt.position))
    found, expected = restored.changed_since(position), rebuilt.changed_since(position)
    assert found is not None
    assert expected is not None
    assert sorted((entry.id, index) for entry, index in found) == sorted(
        (entry.id, index) for entry, index in expected
    )
    assert restored.entries == rebuilt.entries
    for entry, index in found:
        assert index is None or restored.entries[index] is entry
