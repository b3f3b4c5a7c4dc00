"""Benchmark of the Timeline projection over a SQLite store.

    .venv/bin/python bench/bench_projections.py [--events N]

Builds a store of N events (default 100,000; the reference mix below, appended in batches of 1,000) in a
temporary folder, then prints one line per figure:

* the baseline: a raw ``SELECT`` of the same columns plus ``json.loads`` of each row (no event objects);
* a full ``Timeline.from_store`` rebuild, in events/s and as a ratio to the baseline's time (target:
  >= 200,000 events/s at 100,000 events);
* how the rebuild's time splits between the store's decoding (`read_all` alone) and the fold itself;
* catch-ups over the last 0.1%, 1% and 5% of the log, in ms and as a ratio to the full rebuild's time (the
  cost should follow what is new: about 0.001, 0.01 and 0.05), then the time to rebuild the entries view
  (a copy of n pointers, done once on the next read of `entries`);
* the Timeline's memory per event (tracemalloc of a build, divided by N; target under 1 KB).

The reference mix: the five occurrence types of the reference story in turn, each with a source, over ten
streams; in every 1,000 events, 15 corrections (a title, or a `when`) and 5 retractions of earlier events.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

from timeline._speed import paused_gc
from timeline.events import Correction, Event, Retraction
from timeline.projections import Timeline
from timeline.store import Recorded, SqliteStore, open_store

if TYPE_CHECKING:
    from collections.abc import Callable

from _mix import make_event

BATCH = 1000
STREAMS = 10
CORRECTIONS = 15  # per batch
RETRACTIONS = 5  # per batch


def occurrence(i: int) -> Event:
    """The i-th occurrence of the mix (shared with the store bench)."""
    return make_event(i, prefix="ev-")


def batch(number: int) -> list[Event]:
    """Batch `number` of the mix: occurrences, then amendments of this batch's own occurrences."""
    size = BATCH - CORRECTIONS - RETRACTIONS
    first = number * size
    events = [occurrence(i) for i in range(first, first + size)]
    for k in range(CORRECTIONS):
        target = f"ev-{first + 7 * k:07d}"
        changes = {"title": f"corrected title {k}"} if k % 3 else {"when": "2025-02-0" + str(1 + k % 9)}
        events.append(
            Correction(id=f"fix-{number}-{k}", target=target, changes=changes, reason="a better source")
        )
    for k in range(RETRACTIONS):
        events.append(
            Retraction(
                id=f"drop-{number}-{k}", target=f"ev-{first + 7 * k + 3:07d}", reason="source withdrawn"
            )
        )
    return events


def build_store(path: Path, count: int) -> SqliteStore:
    """A SQLite store holding `count` events of the mix (a whole number of batches)."""
    store = open_store(f"{path}?synchronous=normal")
    assert isinstance(store, SqliteStore)
    for number in range(count // BATCH):
        store.append(f"story-{number % STREAMS}", batch(number))
    return store


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best wall time of `repeat` runs of `fn` (the least disturbed by other work on the machine).

    The fold pauses the garbage collector; the collection of the young objects it defers is timed too.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        gc.collect(0)
        times.append(time.perf_counter() - start)
    return min(times)


def baseline(path: Path) -> int:
    """Read every row and parse its JSON, as the store's reader does, without building events."""
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT position, stream, version, type, schema_version, recorded_at, data"
        " FROM events ORDER BY position"
    )
    n = 0
    loads = json.loads
    for row in rows:
        loads(row[6])
        n += 1
    conn.close()
    return n


def decode_all(store: SqliteStore) -> list[Recorded]:
    """The whole log decoded, with the garbage collector paused as a fold pauses it."""
    with paused_gc():
        return list(store.read_all())


def split_rebuild(store: SqliteStore) -> tuple[float, float]:
    """Best times of the store's decoding alone (`read_all` into a list) and of the fold alone."""
    records = decode_all(store)
    decode = best(lambda: decode_all(store))
    fold = best(lambda: Timeline.from_records(records))
    return decode, fold


def catch_up_time(store: SqliteStore, count: int, new: int) -> tuple[float, float]:
    """Best times of a catch-up over the last `new` records, and of rebuilding the entries view after it."""
    fold_times, view_times = [], []
    for _ in range(2):
        timeline = Timeline()
        timeline.fold(itertools.islice(store.read_all(), count - new))
        len(timeline.entries)
        gc.collect()
        start = time.perf_counter()
        folded = timeline.catch_up(store)
        gc.collect(0)
        middle = time.perf_counter()
        len(timeline.entries)
        view_times.append(time.perf_counter() - middle)
        fold_times.append(middle - start)
        assert folded == new, (folded, new)
    return min(fold_times), min(view_times)


def memory_per_event(store: SqliteStore, count: int) -> float:
    """Bytes retained by a built Timeline (events included), per event of the log."""
    gc.collect()
    tracemalloc.start()
    timeline = Timeline.from_store(store)
    len(timeline.entries)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the store (default 100,000)")
    args = parser.parse_args(argv)
    count = max(BATCH, args.events // BATCH * BATCH)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        start = time.perf_counter()
        store = build_store(path, count)
        print(f"setup: {count:,} events appended in {time.perf_counter() - start:.1f} s")

        base = best(lambda: baseline(path))
        print(f"baseline (SELECT + json.loads): {count / base:,.0f} events/s ({base * 1000:.0f} ms)")
        timeline = Timeline.from_store(store)
        rebuild = best(lambda: Timeline.from_store(store))
        print(
            f"full rebuild: {count / rebuild:,.0f} events/s ({rebuild * 1000:.0f} ms; "
            f"{rebuild / base:.1f}x the baseline; target >= 200,000 events/s)"
        )
        print(f"  entries shown: {len(timeline):,} (of {count:,} records)")
        decode, fold = split_rebuild(store)
        print(f"  of which decoding (read_all): {count / decode:,.0f} events/s ({decode * 1000:.0f} ms)")
        print(
            f"  of which the fold (from decoded records): {count / fold:,.0f} events/s ({fold * 1000:.0f} ms)"
        )
        for share in (0.001, 0.01, 0.05):
            new = max(1, int(count * share))
            took, view = catch_up_time(store, count, new)
            print(
                f"catch-up over the last {share:.1%} ({new:,} events): {took * 1000:.1f} ms "
                f"= {took / rebuild:.4f} of a rebuild; then the entries view: {view * 1000:.1f} ms"
            )
        per_event = memory_per_event(store, count)
        print(f"memory: {per_event:,.0f} bytes per event (target < 1,024)")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
