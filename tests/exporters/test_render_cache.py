"""Render caches: a cached export is the same bytes as a plain one, whatever state the cache is in."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import exporting, plugins, render_cache
from timeline.events import Correction, Event, Meeting, Occurrence, Retraction
from timeline.exporters.pieces import CachingExporter, RenderCache
from timeline.projections import Timeline
from timeline.render_cache import RenderCacheFile, export_cached, memory_cache, scope_of
from timeline.store import Recorded
from timeline.testing import occurrences, whens
from timeline.when import When

T0 = datetime(2025, 5, 1, 9, 0, 0, tzinfo=UTC)
FORMATS: list[tuple[str, dict[str, str]]] = [
    ("ical", {}),
    ("ical", {"fuzzy": "skip", "name": "Feed"}),
    ("json", {}),
    ("json", {"lines": "true"}),
    ("markdown", {"title": "A story"}),
]


class Log:
    """A growing log of records, as a store would hold it."""

    def __init__(self) -> None:
        self.records: list[Recorded] = []
        self.ids: list[str] = []

    def append(self, event: Event, stream: str = "s") -> None:
        at = len(self.records) + 1
        self.records.append(
            Recorded(
                position=at, stream=stream, version=at, recorded_at=T0 + timedelta(seconds=at), event=event
            )
        )
        if isinstance(event, Occurrence):
            self.ids.append(event.id)

    def timeline(self, **kwargs: Any) -> Timeline:
        return Timeline.from_records(self.records, **kwargs)


def plain(timeline: Timeline, name: str, options: dict[str, str]) -> bytes:
    out = io.BytesIO()
    exporting.export(timeline, name, out, **options)
    return out.getvalue()


def cached(timeline: Timeline, name: str, options: dict[str, str], cache_file: RenderCacheFile) -> bytes:
    out = io.BytesIO()
    export_cached(timeline, plugins.get_exporter(name), out, options, cache_file)
    return out.getvalue()


def with_memory(timeline: Timeline, name: str, options: dict[str, str], cache: RenderCache) -> bytes:
    exporter = plugins.get_exporter(name)
    assert isinstance(exporter, CachingExporter)
    out = io.BytesIO()
    exporter.export_pieces(timeline, out, options, cache)
    return out.getvalue()


STORY_DATES = [
    "2025-03",
    "2025-04-14",
    "../2025-04-14",
    "2025",
    "2024-12-31T23:00:00Z",
    "2025-01-20/2025-02~",
]


def story(count: int = 30) -> Log:
    log = Log()
    for i in range(count):
        log.append(
            Meeting(
                id=f"m{i}",
                when=When.parse(STORY_DATES[i % len(STORY_DATES)]),
                participants=("A", "B"),
                title=f"Meeting {i}",
            )
        )
    return log


@st.composite
def changes(draw: st.DrawFn, log: Log) -> None:
    """One random change to `log`: a new occurrence, a correction or a retraction of a known one."""
    roll = draw(st.integers(0, 5))
    if roll >= 3 or not log.ids:
        log.append(draw(occurrences()), stream=draw(st.sampled_from(["s", "s", "t"])))
        return
    target = draw(st.sampled_from(log.ids))
    stream = next(r.stream for r in log.records if r.event.id == target)
    number = len(log.records)
    if roll == 0:
        log.append(Retraction(id=f"r{number}", target=target, reason="withdrawn"), stream=stream)
        log.ids.remove(target)
    elif roll == 1:
        log.append(
            Correction(id=f"c{number}", target=target, changes={"when": str(draw(whens()))}, reason="moved"),
            stream=stream,
        )
    else:
        title = draw(st.text(min_size=1, max_size=20).filter(str.strip))
        log.append(
            Correction(id=f"c{number}", target=target, changes={"title": title}, reason="retitled"),
            stream=stream,
        )


@settings(max_examples=25)
@given(data=st.data(), rounds=st.integers(1, 4))
def test_cached_exports_equal_plain_ones_after_random_changes(
    tmp_path_factory: Any, data: Any, rounds: int
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    log = Log()
    files = {i: RenderCacheFile(folder, f"out{i}") for i in range(len(FORMATS))}
    memories: dict[int, RenderCache] = {}
    for _ in range(rounds):
        for _ in range(data.draw(st.integers(0, 6))):
            data.draw(changes(log))
        for kwargs in ({}, {"include_retracted": True}, {"stream": "t"}):
            timeline = log.timeline(**kwargs)
            for i, (name, options) in enumerate(FORMATS):
                expected = plain(timeline, name, options)
                assert cached(timeline, name, options, files[i]) == expected
                exporter = plugins.get_exporter(name)
                assert isinstance(exporter, CachingExporter)
                memory = memories.setdefault(i, RenderCache(scope_of(exporter, options)))
                assert with_memory(timeline, name, options, memory) == expected


def test_a_re_export_after_one_correction_renders_one_entry(tmp_path: Path) -> None:
    log = story()
    for name, options in FORMATS:
        cache_file = RenderCacheFile(tmp_path, name + str(sorted(options.items())))
        exporter = plugins.get_exporter(name)
        assert isinstance(exporter, CachingExporter)
        scope = scope_of(exporter, options)
        first = cache_file.load(scope, log.timeline())
        exporter.export_pieces(log.timeline(), io.BytesIO(), options, first)
        assert first.rendered == 30
        assert cache_file.save(first)
        again = cache_file.load(scope, log.timeline())
        assert len(again) == 30
        exporter.export_pieces(log.timeline(), io.BytesIO(), options, again)
        assert again.rendered == 0
    log.append(Correction(id="fix", target="m7", changes={"title": "Better"}, reason="typo"))
    for name, options in FORMATS:
        cache_file = RenderCacheFile(tmp_path, name + str(sorted(options.items())))
        exporter = plugins.get_exporter(name)
        assert isinstance(exporter, CachingExporter)
        cache = cache_file.load(scope_of(exporter, options), log.timeline())
        out = io.BytesIO()
        exporter.export_pieces(log.timeline(), out, options, cache)
        assert cache.rendered == 1
        assert out.getvalue() == plain(log.timeline(), name, options)


def _fill(tmp_path: Path, log: Log) -> RenderCacheFile:
    cache_file = RenderCacheFile(tmp_path, "feed")
    cached(log.timeline(), "json", {}, cache_file)
    return cache_file


def _data_file(tmp_path: Path) -> Path:
    (found,) = tmp_path.glob("feed.*.data")
    return found


def _flip_middle_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x20
    path.write_bytes(bytes(raw))


CORRUPTIONS = {
    "data byte flipped": lambda tmp: _flip_middle_byte(_data_file(tmp)),
    "data truncated": lambda tmp: os.truncate(_data_file(tmp), _data_file(tmp).stat().st_size // 2),
    "data emptied": lambda tmp: _data_file(tmp).write_bytes(b""),
    "data missing": lambda tmp: _data_file(tmp).unlink(),
    "data garbage appended (a torn append)": lambda tmp: (
        _data_file(tmp).open("ab").write(b"\x00garbage" * 99)
    ),
    "index byte flipped": lambda tmp: _flip_middle_byte(tmp / "feed.index"),
    "index truncated": lambda tmp: os.truncate(tmp / "feed.index", 20),
    "index garbage": lambda tmp: (tmp / "feed.index").write_bytes(os.urandom(300)),
    "index empty": lambda tmp: (tmp / "feed.index").write_bytes(b""),
    "index missing": lambda tmp: (tmp / "feed.index").unlink(),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_cache_changes_no_byte(tmp_path: Path, corrupt: Any) -> None:
    log = story()
    cache_file = _fill(tmp_path, log)
    corrupt(tmp_path)
    log.append(Correction(id="fix", target="m3", changes={"title": "Better"}, reason="typo"))
    timeline = log.timeline()
    assert cached(timeline, "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(timeline, "json", {})
    # and the cache works again afterwards
    cache = RenderCacheFile(tmp_path, "feed").load(scope_of(_json(), {}, timeline), timeline)
    _json().export_pieces(timeline, io.BytesIO(), {}, cache)
    assert cache.rendered == 0
    del cache_file


def _json() -> CachingExporter:
    exporter = plugins.get_exporter("json")
    assert isinstance(exporter, CachingExporter)
    return exporter


def test_a_cache_of_another_scope_is_ignored(tmp_path: Path) -> None:
    log = story()
    cache_file = RenderCacheFile(tmp_path, "feed")
    cached(log.timeline(), "json", {"lines": "true"}, cache_file)
    assert len(cache_file.load(scope_of(_json(), {"lines": "true"}, log.timeline()), log.timeline())) == 30
    assert len(cache_file.load(scope_of(_json(), {}, log.timeline()), log.timeline())) == 0
    assert cached(log.timeline(), "json", {}, cache_file) == plain(log.timeline(), "json", {})


def test_the_scope_names_the_library_code_and_options() -> None:
    scope = scope_of(_json(), {"lines": "true"})
    assert "lines=True" in scope
    assert "timeline.exporters.json.JSONExporter" in scope
    assert scope != scope_of(_json(), {})


def test_appends_grow_the_data_file_and_a_rewrite_drops_dead_pieces(tmp_path: Path) -> None:
    log = story(200)
    cache_file = _fill(tmp_path, log)
    first = _data_file(tmp_path)
    for k in range(3):
        log.append(Correction(id=f"fix{k}", target="m5", changes={"title": f"T{k}"}, reason="typo"))
        cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed"))
    assert _data_file(tmp_path) == first  # appended to
    for k in range(400):  # every piece replaced, twice: dead bytes outweigh the live ones
        log.append(Correction(id=f"all{k}", target=f"m{k % 200}", changes={"title": f"U{k}"}, reason="t"))
        if k == 199:
            cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed"))
    assert cached(log.timeline(), "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(
        log.timeline(), "json", {}
    )
    assert _data_file(tmp_path) != first  # rewritten: every piece replaced
    del cache_file


def test_a_save_while_another_process_saves_is_skipped(tmp_path: Path) -> None:
    import fcntl

    cache_file = RenderCacheFile(tmp_path, "feed")
    cache = cache_file.load("scope", story().timeline())
    with open(tmp_path / "feed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert cache_file.save(cache) is False
    assert cache_file.save(cache) is True


def test_a_concurrent_save_of_another_run_forces_a_rewrite_not_a_mixed_file(tmp_path: Path) -> None:
    log = story()
    _fill(tmp_path, log)
    one, two = RenderCacheFile(tmp_path, "feed"), RenderCacheFile(tmp_path, "feed")
    scope = scope_of(_json(), {}, log.timeline())
    a, b = one.load(scope, log.timeline()), two.load(scope, log.timeline())
    log.append(Correction(id="fa", target="m1", changes={"title": "A"}, reason="r"))
    _json().export_pieces(log.timeline(), io.BytesIO(), {}, a)
    assert one.save(a)
    log.append(Correction(id="fb", target="m2", changes={"title": "B"}, reason="r"))
    _json().export_pieces(log.timeline(), io.BytesIO(), {}, b)
    assert two.save(b)  # its base is gone: it writes a data file of its own
    timeline = log.timeline()
    assert cached(timeline, "json", {}, RenderCacheFile(tmp_path, "feed")) == plain(timeline, "json", {})


def test_export_to_path_keeps_a_cache_in_the_cache_folder(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    log = story()
    exporting.export_to_path(log.timeline(), "markdown", tmp_path / "out.md")
    assert list((tmp_path / "cache").glob("*.index"))
    log.append(Retraction(id="gone", target="m4", reason="withdrawn"))
    exporting.export_to_path(log.timeline(), "markdown", tmp_path / "out.md")
    assert (tmp_path / "out.md").read_bytes() == plain(log.timeline(), "markdown", {})


def test_caching_can_be_turned_off(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
    assert render_cache.cache_folder() is None
    assert RenderCacheFile.for_output(tmp_path / "x.ics", "ical") is None
    exporting.export_to_path(story().timeline(), "ical", tmp_path / "x.ics")
    assert (tmp_path / "x.ics").exists()


def test_every_built_in_exporter_opts_in() -> None:
    for name in ("ical", "json", "markdown"):
        exporter = plugins.get_exporter(name)
        assert isinstance(exporter, CachingExporter)
        assert memory_cache(exporter, {}) is not None
