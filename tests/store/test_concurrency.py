"""Several writers on one store at once: threads on every backend, processes on the file and server backends.

Each writer makes optimistic appends to one shared stream: read the version, append expecting it, and on a
`ConcurrencyError` read again and retry. If the store is right, nothing is lost or duplicated, positions and
versions stay gapless, every success got exactly the version it expected (so no conflict went unreported),
every conflict names a newer actual version, and no other error (such as "database is locked") gets out.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable
from typing import Any

import pytest

from timeline.errors import ConcurrencyError
from timeline.store import EventStore

from ._children import child_command
from ._events import note

StoreFactory = Callable[[], EventStore]
WRITERS = 4
APPENDS = 50  # each of 1-3 events
SHARED = "shared"


def batch_size(k: int) -> int:
    return k % 3 + 1  # as _children.writer does


def thread_writer(store: EventStore, name: str, start: threading.Barrier, report: dict[str, Any]) -> None:
    """The same loop as _children.writer, in a thread."""
    successes, conflicts, errors = [], [], []
    start.wait()
    for k in range(APPENDS):
        batch = [note(f"{name}-{k}-{j}") for j in range(batch_size(k))]
        while True:
            seen = store.version(SHARED)
            try:
                records = store.append(SHARED, batch, expected_version=seen)
            except ConcurrencyError as exc:
                conflicts.append([seen, exc.expected, exc.actual])
                continue
            except Exception as exc:  # reported, and fails the test
                errors.append(f"{type(exc).__name__}: {exc}")
                break
            successes.append([seen, records[0].version, records[-1].version, records[0].position])
            break
    report[name] = {"successes": successes, "conflicts": conflicts, "errors": errors}


def check(store: EventStore, reports: dict[str, Any]) -> None:
    """Everything the module docstring promises, from the writers' reports and the log."""
    errors = [e for r in reports.values() for e in r["errors"]]
    assert errors == []
    expected_ids = {
        f"{name}-{k}-{j}" for name in reports for k in range(APPENDS) for j in range(batch_size(k))
    }
    log = list(store.read_all())
    ids = [r.event.id for r in log]
    assert len(ids) == len(set(ids)) == len(expected_ids)  # nothing duplicated
    assert set(ids) == expected_ids  # nothing lost
    assert [r.position for r in log] == list(range(1, len(log) + 1))
    assert [r.version for r in store.read(SHARED)] == list(range(1, len(log) + 1))
    assert store.version(SHARED) == store.head() == len(log)
    # Each success appended right after the version it saw; together they tile the stream exactly once.
    spans = sorted((s[0], s[2]) for r in reports.values() for s in r["successes"])
    for seen, first, last, _ in (s for r in reports.values() for s in r["successes"]):
        assert first == seen + 1
        assert last >= first
    assert [start for start, _ in spans] == [0] + [end for _, end in spans[:-1]]
    assert spans[-1][1] == len(log)
    for seen, expected, actual in (c for r in reports.values() for c in r["conflicts"]):
        assert expected == seen
        assert actual > seen
    moments = [r.recorded_at for r in log]
    assert moments == sorted(moments)


@pytest.mark.parametrize("sharing", ["one handle", "a handle each"])
def test_threads_appending_at_once_lose_nothing_and_report_every_conflict(
    store_factory: StoreFactory, sharing: str
) -> None:
    shared = store_factory()
    handles = [shared if sharing == "one handle" else store_factory() for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS + 1)
    reports: dict[str, Any] = {}
    threads = [
        threading.Thread(target=thread_writer, args=(handle, f"t{i}", start, reports))
        for i, handle in enumerate(handles)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    # Read while they write: a reader only ever sees a gapless prefix of the log.
    while any(thread.is_alive() for thread in threads):
        positions = [r.position for r in shared.read_all()]
        assert positions == list(range(1, len(positions) + 1))
    for thread in threads:
        thread.join()
    assert len(reports) == WRITERS
    check(shared, reports)


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgres")
def test_processes_appending_at_once_lose_nothing_and_report_every_conflict(
    store_url: str, store_factory: StoreFactory
) -> None:
    store = store_factory()  # creates the schema before the writers race for it
    children = []
    for i in range(WRITERS):
        argv, env = child_command("writer", store_url, f"p{i}", str(APPENDS), SHARED)
        children.append(
            subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for child in children:  # every writer has opened the store and read the version it will expect
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
    for child in children:  # start together: each waits for this line after opening the store
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = {}
    for i, child in enumerate(children):
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        reports[f"p{i}"] = json.loads(out)
    check(store, reports)
    # With four writers on one stream, some appends must have lost the race: the test saw real contention.
    assert sum(len(r["conflicts"]) for r in reports.values()) > 0
