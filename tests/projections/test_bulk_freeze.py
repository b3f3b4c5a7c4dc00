"""After a bulk load the Timeline's objects are frozen out of the garbage collector's traversals."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from timeline.events import Meeting
from timeline.projections import Timeline
from timeline.projections._folding import BULK
from timeline.store import Recorded
from timeline.when import When

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def records(count: int) -> list[Recorded]:
    when = When.parse("2025-03")
    return [
        Recorded(
            position=i,
            stream="s",
            version=i,
            recorded_at=T0 + timedelta(seconds=i),
            event=Meeting(id=f"m{i}", when=when, participants=("A", "B")),
        )
        for i in range(1, count + 1)
    ]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_a_bulk_fold_freezes_what_is_alive() -> None:
    timeline = Timeline.from_records(records(BULK))
    assert len(timeline) == BULK
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("unfrozen")
def test_a_small_fold_freezes_nothing() -> None:
    Timeline.from_records(records(BULK - 1))
    assert gc.get_freeze_count() == 0
