"""A restarted server resumes its projections from a snapshot instead of replaying the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.helpers import call
from timeline import open_store
from timeline.events import Correction, Meeting
from timeline.projections import Timeline
from timeline.serve import FeedApp
from timeline.serve.state import FeedState
from timeline.store import EventStore
from timeline.when import When


def _meetings(store: EventStore, first: int, count: int) -> None:
    store.append(
        "s",
        [
            Meeting(
                id=f"m{i}", when=When.parse(f"2025-03-{1 + i % 28:02d}"), participants=("A",), title=f"M{i}"
            )
            for i in range(first, first + count)
        ],
    )


def test_a_restarted_server_folds_only_what_is_new_and_serves_a_cold_servers_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    folded: list[int] = []
    original = Timeline.catch_up

    def counting(self: Timeline, store: EventStore) -> int:
        count = original(self, store)
        folded.append(count)
        return count

    monkeypatch.setattr(Timeline, "catch_up", counting)
    db = str(tmp_path / "t.db")
    with open_store(db) as store:
        _meetings(store, 0, 40)
        first = FeedState(store)
        assert call(FeedApp(store, state=first), "/streams/s.json")[0].startswith("200")
        assert folded == [40]
        _meetings(store, 40, 25)  # folded by the running server's catch-ups, not saved yet (every 1000)
        assert call(FeedApp(store, state=first), "/streams/s.json")[0].startswith("200")
        assert first.save_snapshots() == 1  # at shutdown
    with open_store(db) as store:  # the server restarts, after two more records
        _meetings(store, 65, 1)
        store.append("s", [Correction(id="fix", target="m3", changes={"title": "Better"}, reason="typo")])
        folded.clear()
        status, _, warm = call(FeedApp(store, state=FeedState(store)), "/streams/s.json")
        assert status.startswith("200")
        assert folded == [2]
        monkeypatch.setenv("TIMELINE_CACHE_DIR", "off")
        folded.clear()
        _, _, cold = call(FeedApp(store, state=FeedState(store)), "/streams/s.json")
        assert folded == [67]
        assert warm == cold
