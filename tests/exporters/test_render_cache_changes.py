"""Cache files, format 3: the head record names the log, and an export's runs come from what changed."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

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


def test_a_timeline_restored_from_a_checkpoint_compares_every_key(tmp_path: Path) -> None:
    """Its entries are decoded when first read: it cannot say cheaply what changed, the keys do."""
    log = story(120)
    cache_file = RenderCacheFile(tmp_path, "feed")
    rendered(log.timeline(), "json", {}, cache_file)
    log.append(Correction(id="fix", target="m30", changes={"title": "Better"}, reason="typo"))
    restored = Timeline.from_checkpoint(log.timeline().checkpoint())
    assert restored.changed_since(120) is None
    assert rendered(restored, "json", {}, RenderCacheFile(tmp_path, "feed")) == 1
