"""Exporting a selection (`Selection.apply`): `export_to_path` keeps its render cache apart from the whole
timeline's, so exports of one path with and without it give the right bytes in either order."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from timeline import exporting, plugins
from timeline.codec import from_json
from timeline.projections import Selection, Timeline
from timeline.render_cache import RenderCacheFile, scope_of
from timeline.store import MemoryStore

FORMATS = [("ical", {}), ("json", {}), ("markdown", {"title": "T"})]


def _meeting(event_id: str, tag: str) -> Any:
    return from_json(
        {
            "type": "meeting",
            "id": event_id,
            "when": f"2025-04-{int(event_id.split('-')[1]) % 28 + 1:02d}",
            "participants": ["Nayib Bukele", "Donald Trump"],
            "title": f"Meeting {event_id} end",
            "tags": [tag],
        }
    )


def _plain(timeline: Timeline, name: str, options: dict[str, str]) -> bytes:
    out = io.BytesIO()
    exporting.export(timeline, name, out, **options)
    return out.getvalue()


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.append("s", [_meeting(f"m-{i}", "odd" if i % 2 else "even") for i in range(40)])
    return store


@pytest.mark.parametrize(("name", "options"), FORMATS)
def test_export_takes_a_selected_timeline(store: MemoryStore, name: str, options: dict[str, str]) -> None:
    timeline = Timeline.from_store(store)
    selection = Selection(tags=["odd"])
    out = _plain(selection.apply(timeline), name, options)
    assert out != _plain(timeline, name, options)
    assert b"Meeting m-1 end" in out
    assert b"Meeting m-2 end" not in out


@pytest.mark.parametrize(("name", "options"), FORMATS)
@pytest.mark.parametrize("first", ["selected", "everything"])
def test_selected_and_whole_exports_of_one_path_keep_their_own_caches(
    store: MemoryStore, tmp_path: Path, name: str, options: dict[str, str], first: str
) -> None:
    path = tmp_path / "feed.out"
    selection = Selection(tags=["odd"])
    timeline = Timeline.from_store(store)

    def check(which: str) -> None:
        chosen = selection.apply(timeline) if which == "selected" else timeline
        exporting.export_to_path(chosen, name, path, **options)
        # The reference: rendered afresh, without any cache.
        assert path.read_bytes() == _plain(chosen, name, options), which

    second = "everything" if first == "selected" else "selected"
    for which in (first, second, first, second):
        check(which)
    # A change, then both again, in the same order: only fresh bytes, from either cache.
    store.append(
        "s",
        [
            from_json(
                {"type": "correction", "id": "c", "target": "m-3", "changes": {"title": "New"}, "reason": "r"}
            )
        ],
    )
    timeline.catch_up(store)
    check(first)
    check(second)
    # Two caches, each named by its selection; the whole one still holds every entry's current piece.
    exporter = plugins.get_exporter(name)
    whole = RenderCacheFile.for_output(path.resolve(), name)
    selected = RenderCacheFile.for_output(path.resolve(), f"{name}?{selection.scope}")
    assert whole is not None
    assert selected is not None
    assert whole.index_path.exists()
    assert selected.index_path.exists()
    assert whole.index_path != selected.index_path
    pieces = whole.load(scope_of(exporter, options, timeline), timeline)  # type: ignore[arg-type]
    exporter.export_pieces(timeline, io.BytesIO(), options, pieces)  # type: ignore[attr-defined]
    assert pieces.rendered == 0
