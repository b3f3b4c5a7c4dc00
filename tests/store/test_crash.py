"""SIGKILL in the middle of a 100,000-event append: afterwards the store opens and holds all of it or none.

Each child process commits 10 events, then appends one batch of 100,000 and is killed at a chosen point:
from inside, through hooks in the backend's write transaction (before BEGIN, mid-insert, before COMMIT, ...;
on SQLite also after N thousand VM steps and a few milliseconds into COMMIT, which lands in the WAL write,
its fsync or the checkpoint), or from outside after a random delay. The children run a few at a time.
"""

from __future__ import annotations

import random
import select
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from timeline.store import EventStore, open_store

from ._children import PREFIX, child_command
from ._events import note

if TYPE_CHECKING:
    from pathlib import Path

BATCH = 100_000
_random = random.Random(20250414)
DELAYS = sorted(round(_random.uniform(0.05, 2.0), 2) for _ in range(2))
# Where the child kills itself, and whether the batch may then be stored ("none", "all", "either").
POINTS = {
    "before-begin": "none",  # encoded, no transaction yet
    "mid-insert": "none",  # half the rows written in the open transaction
    "after-insert": "none",  # every row written, COMMIT not sent
    "after-append": "all",  # append returned: it must have been durable
    **{f"delay:{d}": "either" for d in DELAYS},
}
SQLITE_POINTS = {
    "vm:300": "none",  # while looking up the batch's ids
    "vm:3000": "none",  # inside executemany
    "commit:0": "none",  # COMMIT about to run
    "commit:5": "either",  # the WAL write, its fsync, or the checkpoint after it
    "commit:150": "either",
}


def run_child(url: str, point: str, tag: str) -> tuple[int, str, str]:
    """Start a crash child, kill it after a delay if the point says so; return (status, stdout, stderr)."""
    argv, env = child_command("crash", url, point, str(BATCH), tag)
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    if point.startswith("delay:"):
        ready, _, _ = select.select([child.stdout], [], [], 120)
        if ready and child.stdout.readline().strip() == "ready":
            time.sleep(float(point.split(":")[1]))
            child.kill()
    out, err = child.communicate(timeout=300)
    return child.returncode, out, err


def check(
    store: EventStore, tag: str, point: str, status: int, out: str, err: str, allowed: str
) -> list[str]:
    """What is wrong with this child's stream after the crash (an empty list if nothing)."""
    stream = f"{tag}-stream"
    if point.startswith("delay:"):
        if status not in (-9, 0):
            return [f"{point}: the child failed by itself ({status}): {err[-500:]}"]
    elif status != -9:
        return [f"{point}: the child was not killed (status {status}, output {out!r}): {err[-500:]}"]
    version = store.version(stream)
    outcome = {PREFIX: "none", PREFIX + BATCH: "all"}.get(version)
    if outcome is None:
        return [f"{point}: the stream holds {version} events: neither {PREFIX} nor {PREFIX + BATCH}"]
    if allowed != "either" and outcome != allowed:
        return [f"{point}: expected {allowed} of the batch stored, found {outcome}"]
    expected_ids = [f"{tag}-pre-{i}" for i in range(PREFIX)] + [f"{tag}-big-{i}" for i in range(BATCH)]
    edges = list(store.read(stream, after_version=PREFIX - 3)) + list(
        store.read(stream, after_version=version - 3)
    )
    for record in edges[:6]:  # across the batch's start, and its end
        if record.event.id != expected_ids[record.version - 1]:
            return [f"{point}: version {record.version} holds {record.event.id!r}"]
    # The store still works: no lock left behind, and the next version follows on.
    (record,) = store.append(stream, [note(f"{tag}-after")], expected_version=version)
    if record.version != version + 1:
        return [f"{point}: the next append got version {record.version}, not {version + 1}"]
    return []


def check_sqlite_file(path: str) -> list[str]:
    """Integrity, and gapless positions with each id once, straight from the file."""
    conn = sqlite3.connect(path)
    try:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        count, top, ids = conn.execute(
            "SELECT count(*), max(position), count(DISTINCT id) FROM events"
        ).fetchone()
    finally:
        conn.close()
    problems = [] if integrity == "ok" else [f"{path}: integrity_check says {integrity}"]
    if not count == top == ids:
        problems.append(f"{path}: {count} rows, last position {top}, {ids} distinct ids")
    return problems


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgres")
def test_sigkill_during_a_big_append_leaves_all_or_nothing(
    backend: str, store_url: str, tmp_path: Path
) -> None:
    points = dict(POINTS, **(SQLITE_POINTS if backend == "sqlite" else {}))
    tags = {point: f"k{n}" for n, point in enumerate(points)}
    # SQLite: a file per child, so they run side by side; a server: one database, a stream per child.
    urls = {p: str(tmp_path / f"{tags[p]}.db") if backend == "sqlite" else store_url for p in points}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(points, pool.map(lambda p: run_child(urls[p], p, tags[p]), points), strict=True))
    problems = []
    for point, (status, out, err) in results.items():
        with open_store(urls[point]) as store:  # it must open after the crash
            problems += check(store, tags[point], point, status, out, err, points[point])
            if backend != "sqlite":
                total = sum(store.version(s) for s in store.streams())
                if total != store.head():
                    problems.append(
                        f"{point}: {total} events in the streams, but the last position is {store.head()}"
                    )
        if backend == "sqlite":
            problems += check_sqlite_file(urls[point])
    assert problems == [], "\n".join(problems)
