"""Appends whose bet on "every event is new" is lost: the store inserts first and lets the unique index on ids
catch a stored one (SQLite), or looks first (the default). Either way the result must be the careful path's.

The batches are large on purpose: SQLite inserts them row by row, so a stored id in the middle fails the
insert after some rows went in, and those must not survive.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from timeline.errors import ConcurrencyError, DuplicateEventError
from timeline.store import ANY, NO_STREAM, EventStore, Recorded

from ._children import child_command
from ._events import note, story

StoreFactory = Callable[[], EventStore]


def summary(records: list[Recorded]) -> list[tuple[int, str, int, str]]:
    return [(r.position, r.stream, r.version, r.event.id) for r in records]


def assert_gapless(store: EventStore) -> list[Recorded]:
    log = list(store.read_all())
    assert [r.position for r in log] == list(range(1, len(log) + 1))
    for stream in store.streams():
        assert [r.version for r in store.read(stream)] == list(range(1, store.version(stream) + 1))
    return log


def test_a_stored_event_inside_a_big_batch_is_skipped_and_the_rest_appended(store: EventStore) -> None:
    (old,) = store.append("s", story(1, start=300), expected_version=NO_STREAM)
    store.append("t", [note("elsewhere")])
    batch = story(600)  # ev-300 among them, stored at version 1
    records = store.append("s", batch, expected_version=1)
    assert records[300] == old
    fresh = records[:300] + records[301:]
    assert summary(fresh) == [(3 + k, "s", 2 + k, e.id) for k, e in enumerate(batch[:300] + batch[301:])]
    assert len({r.recorded_at for r in fresh}) == 1
    assert fresh[0].recorded_at >= old.recorded_at
    log = assert_gapless(store)
    assert (len(log), store.version("s")) == (601, 600)
    assert [r.event for r in store.read("s", after_version=1)] == [r.event for r in fresh]


def test_a_stored_event_inside_a_big_batch_does_not_excuse_a_stale_version(store: EventStore) -> None:
    store.append("s", [*story(1, start=300), note("x")], expected_version=NO_STREAM)
    for expected in (NO_STREAM, 1, 3):
        with pytest.raises(ConcurrencyError) as caught:
            store.append("s", story(600), expected_version=expected)
        assert (caught.value.expected, caught.value.actual) == (expected, 2)
    assert (store.head(), store.version("s")) == (2, 2)
    # And the store is still usable: the next append carries on without gaps.
    assert summary(store.append("s", [note("y")], expected_version=2)) == [(3, "s", 3, "y")]


def test_other_content_under_a_stored_id_inside_a_big_batch_stores_nothing(store: EventStore) -> None:
    store.append("s", [note("ev-450")])
    with pytest.raises(DuplicateEventError) as caught:
        store.append("s", story(600), expected_version=1)
    assert caught.value.path == "[450].id"
    store.append("t", [note("ev-299")])
    with pytest.raises(DuplicateEventError) as caught:
        store.append("s", story(600), expected_version=ANY)
    assert caught.value.path == "[299].id"
    assert "'t'" in str(caught.value)
    assert [r.event.id for r in assert_gapless(store)] == ["ev-450", "ev-299"]
    records = store.append("s", story(3, start=1000), expected_version=1)
    assert summary(records) == [(3 + k, "s", 2 + k, f"ev-{1000 + k}") for k in range(3)]


def test_a_stored_big_batch_retried_with_any_expected_version_returns_its_records(store: EventStore) -> None:
    first = store.append("s", story(600), expected_version=NO_STREAM)
    store.append("s", [note("later")])
    for expected in (NO_STREAM, ANY, 0, 600, 601, 7):
        assert store.append("s", story(600), expected_version=expected) == first
    # The last event alone stored is enough to take the careful path; the others are new.
    records = store.append("s", [*story(2, start=600), story(1, start=599)[0]], expected_version=601)
    assert records[2] == first[599]
    assert summary(records[:2]) == [(602, "s", 602, "ev-600"), (603, "s", 603, "ev-601")]
    assert len(assert_gapless(store)) == 603


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgres")
def test_processes_appending_the_same_batches_at_once_store_each_event_once(
    store_url: str, store_factory: StoreFactory
) -> None:
    store = store_factory()  # creates the schema before the writers race for it
    children = []
    for _ in range(3):
        argv, env = child_command("duplicator", store_url, "40", "dup")
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
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        reports.append(json.loads(out))
    assert all(report["errors"] == [] for report in reports), reports
    # Every writer got the same records for every batch: whoever stored it, the others were told so.
    assert reports[0]["records"] == reports[1]["records"] == reports[2]["records"]
    log = assert_gapless(store)
    assert len(log) == sum(k % 3 + 1 for k in range(40))  # each event once
    rows = {(position, version, i) for batch in reports[0]["records"] for position, version, i in batch}
    assert sorted(rows) == [(r.position, r.version, r.event.id) for r in log]
