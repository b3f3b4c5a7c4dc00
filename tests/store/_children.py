"""Child processes for the concurrency and crash tests: ``python -m tests.store._children ROLE ARGS...``.

Run through `child_command`, which passes the parent's import path on: the child imports the same code.

writer URL NAME APPENDS STREAM
    Waits for a line on stdin, then makes APPENDS optimistic appends of 1-3 events to STREAM (read the
    version, append expecting it, on a conflict read again); prints one JSON object: successes, conflicts,
    errors.
duplicator URL APPENDS STREAM
    Waits for a line on stdin, then appends to STREAM (expecting ANY) the same APPENDS batches as every other
    duplicator: each new events plus the first event of the batch before, which is stored already; prints
    one JSON object: the records of every batch as [position, version, id], and errors.
crash URL POINT BATCH TAG
    Appends 10 events to stream TAG-stream, then one batch of BATCH events, and dies by SIGKILL at POINT
    (see `_arm`; "delay:S" arms nothing: the parent kills); prints "ready" just before the big append.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import timeline
from timeline.errors import ConcurrencyError
from timeline.store import NO_STREAM, EventStore, SqliteStore, open_store

from ._events import note, story

if TYPE_CHECKING:
    from collections.abc import Iterator

PREFIX = 10  # events the crash child commits before its big batch


def child_command(*args: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment to run this module as a child with the same `timeline` and tests."""
    src = str(Path(timeline.__file__).resolve().parent.parent)
    root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, src, os.environ.get("PYTHONPATH", "")]))
    return [sys.executable, "-m", "tests.store._children", *args], env


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def writer(url: str, name: str, appends: int, stream: str) -> None:
    successes: list[list[int]] = []  # [expected, first version, last version, first position]
    conflicts: list[list[Any]] = []  # [version read, exc.expected, exc.actual]
    errors: list[str] = []
    with open_store(url) as store:
        # Read before the start signal: every writer's first append expects this same version, so all but
        # one of them must hit a conflict, whatever the scheduler does (the test asserts real contention).
        first_seen: int | None = store.version(stream)
        print("ready", flush=True)  # the parent waits for every writer's "ready" before it says "go"
        sys.stdin.readline()  # start together
        for k in range(appends):
            batch = [note(f"{name}-{k}-{j}") for j in range(k % 3 + 1)]
            for _ in range(10_000):
                seen = store.version(stream) if first_seen is None else first_seen
                first_seen = None
                try:
                    records = store.append(stream, batch, expected_version=seen)
                except ConcurrencyError as exc:
                    conflicts.append([seen, exc.expected, exc.actual])
                    continue
                except Exception as exc:  # reported to the parent, which fails the test
                    errors.append(f"{type(exc).__name__}: {exc}")
                    break
                successes.append([seen, records[0].version, records[-1].version, records[0].position])
                break
    print(json.dumps({"successes": successes, "conflicts": conflicts, "errors": errors}))


def duplicator(url: str, appends: int, stream: str) -> None:
    records: list[list[list[Any]]] = []
    errors: list[str] = []
    with open_store(url) as store:
        sys.stdin.readline()  # start together
        previous = None
        for k in range(appends):
            batch = [note(f"dup-{k}-{j}") for j in range(k % 3 + 1)]
            try:
                stored = store.append(stream, [*batch, previous] if previous else batch)
            except Exception as exc:  # reported to the parent, which fails the test
                errors.append(f"{type(exc).__name__}: {exc}")
                break
            previous = batch[0]
            # Sorted by position: the batch's order is not the log's (its last event was stored before).
            records.append(sorted([r.position, r.version, r.event.id] for r in stored))
    print(json.dumps({"records": records, "errors": errors}))


def _arm(store: EventStore, point: str) -> None:
    """Make this process SIGKILL itself at `point` of the next append.

    Generic points, through the backend's write transaction: ``before-begin``, ``after-begin``, ``mid-insert``
    (half the rows inserted), ``after-insert`` (all inserted, not committed). SQLite only: ``vm:N`` (after N
    thousand SQLite VM steps inside the transaction), ``commit:MS`` (MS milliseconds after COMMIT starts;
    0 = just before it runs, later ones land in the WAL write, its fsync or the checkpoint).
    """
    real_write = store._write

    @contextmanager
    def write() -> Iterator[Any]:
        if point == "before-begin":
            _die()
        with real_write() as tx:
            if point == "after-begin":
                _die()
            if point.startswith(("vm:", "commit:")):
                _arm_sqlite(store, point)
            real_insert = tx.insert

            def insert(stream: str, recorded_at: Any, rows: Any) -> None:
                if point == "mid-insert":
                    real_insert(stream, recorded_at, rows[: len(rows) // 2])
                    _die()
                real_insert(stream, recorded_at, rows)
                if point == "after-insert":
                    _die()

            tx.insert = insert  # type: ignore[method-assign]
            yield tx

    store._write = write  # type: ignore[method-assign]


def _arm_sqlite(store: EventStore, point: str) -> None:
    assert isinstance(store, SqliteStore), f"{point} is a SQLite kill point"
    conn = store._conn()
    kind, _, number = point.partition(":")
    if kind == "vm":
        steps = [int(number)]

        def progress() -> int:
            steps[0] -= 1
            if steps[0] <= 0:
                _die()
            return 0

        conn.set_progress_handler(progress, 1000)
        return

    def trace(statement: str) -> None:
        if statement.strip().upper() == "COMMIT":
            if int(number) == 0:
                _die()
            threading.Timer(int(number) / 1000, _die).start()

    conn.set_trace_callback(trace)


def crash(url: str, point: str, size: int, tag: str) -> None:
    with open_store(url) as store:
        stream = f"{tag}-stream"
        store.append(stream, story(PREFIX, prefix=f"{tag}-pre"), expected_version=NO_STREAM)
        batch = [note(f"{tag}-big-{i}", "x") for i in range(size)]  # small events: the test runs a dozen
        if not point.startswith("delay"):
            _arm(store, point)
        print("ready", flush=True)
        store.append(stream, batch, expected_version=PREFIX)
        if point == "after-append":
            _die()
    print("survived", flush=True)


def main(argv: list[str]) -> None:
    role, *args = argv
    if role == "writer":
        writer(args[0], args[1], int(args[2]), args[3])
    elif role == "duplicator":
        duplicator(args[0], int(args[1]), args[2])
    elif role == "crash":
        crash(args[0], args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
