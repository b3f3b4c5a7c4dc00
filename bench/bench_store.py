"""Store benchmark: SQLite append and read rates as ratios against raw `sqlite3`, measured in the same run.

    .venv/bin/python bench/bench_store.py [--events N] [--durable M] [--rounds R]

1. batched append: `store.append` of 1,000-event batches (encoding included) vs raw `executemany` of the same
   rows, pre-encoded, into the same schema and indexes (imported from timeline.store.sqlite), one transaction
   a batch, at the same durability; target >= 0.5x.
2. full decode: `store.read_all()` vs raw ``SELECT`` + `json.loads` of every row; target >= 200,000 events/s.
3. durable one-event appends: M appends of one event, each its own commit at ``synchronous=FULL``, vs raw
   one-row ``BEGIN IMMEDIATE``/``INSERT``/``COMMIT`` at the same setting; target >= 0.8x.

The machine is shared and its load changes by the second: store and baseline alternate batch by batch (page
by page, commit by commit) so both see the same load, and each figure is the best of R rounds.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from timeline import Event
from timeline.codec import dumps
from timeline.store import NO_STREAM, open_store
from timeline.store.sqlite import COLUMNS, INSERT, SCHEMA, to_micros

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from timeline.store import EventStore, Recorded

from _mix import make_event

BATCH = 1000
STREAMS = 10
Row = tuple[object, ...]
Plan = list[tuple[str, list[Event], int]]  # (stream, batch, the stream's version before it)


def plan_batches(events: list[Event], size: int) -> Plan:
    """Batches of `size` events spread round-robin over a few streams."""
    out, versions = [], [0] * STREAMS
    for n, start in enumerate(range(0, len(events), size)):
        chunk = events[start : start + size]
        s = n % STREAMS
        out.append((f"story-{s}", chunk, versions[s]))
        versions[s] += len(chunk)
    return out


def raw_rows(plan: Plan) -> list[list[Row]]:
    """The rows the store writes for `plan`, pre-encoded: the raw baseline inserts exactly these."""
    micros, position, out = to_micros(datetime.now(UTC)), 0, []
    for stream, chunk, version in plan:
        rows: list[Row] = []
        for k, event in enumerate(chunk, start=1):
            position += 1
            row = (position, stream, version + k, event.id, event.TYPE, event.SCHEMA_VERSION, None, micros)
            rows.append((*row, dumps(event)))
        out.append(rows)
    return out


def raw_connect(path: Path) -> sqlite3.Connection:
    """A bare connection set up as the store sets up its own: WAL, synchronous=FULL, the same schema."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL").fetchone()
    conn.execute("PRAGMA synchronous=FULL")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    return conn


def raw_insert(conn: sqlite3.Connection, rows: list[Row]) -> None:
    """The baseline write: one transaction, the pre-encoded rows, nothing else."""
    conn.execute("BEGIN IMMEDIATE")
    if len(rows) == 1:
        conn.execute(INSERT, rows[0])
    else:
        conn.executemany(INSERT, rows)
    conn.execute("COMMIT")


def store_append(store: EventStore, stream: str, chunk: list[Event], version: int) -> None:
    store.append(stream, chunk, expected_version=version or NO_STREAM)


def take(records: Iterator[Recorded], count: int) -> None:
    for _ in zip(range(count), records, strict=False):
        pass


def raw_decode(cursor: sqlite3.Cursor, count: int) -> None:
    loads = json.loads
    for row in cursor.fetchmany(count):
        loads(row[-1])


class Data:
    """The events and, for the baselines, the same rows already encoded."""

    def __init__(self, n: int, durable: int) -> None:
        self.events = [make_event(i) for i in range(n)]
        self.plan = plan_batches(self.events, BATCH)
        self.rows = raw_rows(self.plan)
        self.single = plan_batches([make_event(n + i) for i in range(durable)], 1)
        self.single_rows = raw_rows(self.single)


class Round:
    """One round of the three comparisons in a fresh folder, the two sides alternating step by step."""

    def __init__(self, data: Data, folder: Path) -> None:
        self.data = data
        self.folder = folder
        self.seconds: dict[str, float] = {}

    def clock(self, name: str, step: Callable[[], object]) -> None:
        start = time.perf_counter()
        step()
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def appends(self, name: str, plan: Plan, rows: list[list[Row]]) -> None:
        store = open_store(str(self.folder / f"{name}.db"))
        raw = raw_connect(self.folder / f"{name}-raw.db")
        try:
            for (stream, chunk, version), batch_rows in zip(plan, rows, strict=True):
                self.clock(name, functools.partial(store_append, store, stream, chunk, version))
                self.clock(f"raw {name}", functools.partial(raw_insert, raw, batch_rows))
        finally:
            store.close()
            raw.close()

    def read(self) -> None:
        store = open_store(str(self.folder / "append.db"))
        raw = sqlite3.connect(self.folder / "append-raw.db")
        try:
            records = store.read_all()
            cursor = raw.execute(f"SELECT {COLUMNS} FROM events ORDER BY position")
            for _ in range(0, len(self.data.events), BATCH):
                self.clock("read", functools.partial(take, records, BATCH))
                self.clock("raw read", functools.partial(raw_decode, cursor, BATCH))
        finally:
            store.close()
            raw.close()


def report(label: str, ours: str, raw: str, ratio: float, target: str, ok: bool) -> None:
    verdict = "PASS" if ok else "MISS"
    print(f"  {label:<16} {ours:>18}   raw {raw:>18}   ratio {ratio:4.2f}x   target {target:<14} {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to append and read (100,000)")
    parser.add_argument("--durable", type=int, default=2_000, help="one-event durable appends (2,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each figure is the best (3)")
    args = parser.parse_args(argv)
    data = Data(args.events, args.durable)
    gc.collect()
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
            one = Round(data, Path(tmp))
            one.appends("append", data.plan, data.rows)
            one.read()
            one.appends("single", data.single, data.single_rows)
        for name, seconds in one.seconds.items():
            best[name] = min(best.get(name, float("inf")), seconds)

    n, m = args.events, args.durable
    print(
        f"timeline store benchmark: {n:,} events in {BATCH:,}-event batches, {m:,} durable one-event appends,"
        " "
        f"best of {args.rounds}; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )
    ratio = best["raw append"] / best["append"]
    report(
        "batched append",
        f"{n / best['append']:,.0f} events/s",
        f"{n / best['raw append']:,.0f}/s",
        ratio,
        ">= 0.50x",
        ratio >= 0.5,
    )
    rate = n / best["read"]
    report(
        "read_all decode",
        f"{rate:,.0f} events/s",
        f"{n / best['raw read']:,.0f}/s",
        best["raw read"] / best["read"],
        ">= 200,000/s",
        rate >= 200_000,
    )
    ratio = best["raw single"] / best["single"]
    report(
        "durable 1-event",
        f"{m / best['single']:,.0f} appends/s",
        f"{m / best['raw single']:,.0f}/s",
        ratio,
        ">= 0.80x",
        ratio >= 0.8,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
