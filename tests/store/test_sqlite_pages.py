"""The SQLite store reads page by page: every row once, in order, whatever the page size."""

from __future__ import annotations

from pathlib import Path

import pytest

import timeline.store.sqlite as sqlite_module
from timeline.codec import from_json
from timeline.events import Event
from timeline.store import open_store


def _said(i: int) -> Event:
    return from_json({"type": "statement", "id": f"e{i}", "when": "2025-03", "by": "X", "text": f"t{i}"})


@pytest.mark.parametrize("page", [1, 3, 10, 11])
def test_reads_cross_page_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: int) -> None:
    store = open_store(str(tmp_path / "t.db"))
    store.append("a", [_said(i) for i in range(0, 10, 2)])
    store.append("b", [_said(i) for i in range(1, 10, 2)])
    store.append("a", [_said(i) for i in range(10, 14)])
    monkeypatch.setattr(sqlite_module, "PAGE", page)
    assert [r.position for r in store.read_all()] == list(range(1, 15))
    assert [r.position for r in store.read_all(after=4)] == list(range(5, 15))
    assert [row[0] for row in store.read_all_raw(after=2)] == list(range(3, 15))
    assert [r.version for r in store.read("a")] == list(range(1, 10))
    assert [r.version for r in store.read("a", after_version=2)] == list(range(3, 10))
    # raw rows are tuples: (position, stream, version, ...)
    assert [row[2] for row in store.read_raw("a", after_version=5)] == list(range(6, 10))
    assert [r.event.id for r in store.read("b")] == [f"e{i}" for i in range(1, 10, 2)]
    store.close()
