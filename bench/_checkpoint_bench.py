"""Checkpoint figures' helpers for bench_compare.py."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from timeline.events import Correction
from timeline.store import open_store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from timeline.projections import Timeline
    from timeline.store import EventStore

BATCH, STREAMS = 1000, 10  # as bench_store.plan_batches lays the events out


def payload_of(timeline: Timeline) -> Callable[[], object]:
    """Take `timeline`'s checkpoint with its payload's bytes joined, as a store of bytes gets them (a
    `FileCheckpointStore` never joins them: it writes the parts not already in its block file)."""
    return lambda: timeline.checkpoint().payload


def with_corrections(store: EventStore, path: Path, n: int) -> EventStore:
    """A copy of the SQLite `store` of `n` bench events at `path`, with one correction of an old entry
    (spread over the first half of the log: in blocks a catch-up would not read otherwise) for every 100
    records of its last 1% appended: what a catch-up of the last 1% meets in a log that is amended too."""
    source, copy = sqlite3.connect(str(getattr(store, "path", ""))), sqlite3.connect(str(path))
    source.backup(copy)
    source.close()
    copy.close()
    amended = open_store(str(path))
    count = max(1, n // 10_000)
    for k in range(count):
        target = k * (n // 2) // count + k % BATCH
        stream = f"story-{target // BATCH % STREAMS}"
        correction = Correction(
            id=f"correction-{k}", target=f"event-{target:07d}", reason="bench", changes={"when": "2024"}
        )
        amended.append(stream, [correction])
    return amended
