"""What only the PostgreSQL store must show: followers never skip, writers in several processes, a server that
goes away mid-append. The conformance suite covers the shared contract; `test_postgres_schema.py` the schema,
its migrations, ids and closing; `test_postgres_checkpoints.py` checkpoints kept in the database.

Tests that need a server run when ``TIMELINE_TEST_POSTGRES_URL`` is set
(``eval "$(scripts/postgres-for-tests)"``) and skip otherwise.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import pytest

from tests.store._events import story
from timeline.errors import ConcurrencyError, StoreError
from timeline.store import NO_STREAM, open_store
from timeline.store._postgres_io import PostgresTx
from timeline.store.postgres import PostgresStore

from ._postgres import (
    TIMEOUT,
    Worker,
    hold_before_commit,
    terminate,
    wait_until,
    waiting_for_advisory_lock,
)

pytestmark = pytest.mark.backends("postgres")


# -- followers never skip ---------------------------------------------------------------------------------


def test_a_writer_waits_for_an_open_one_and_a_follower_sees_positions_in_commit_order(
    pg: Callable[[], PostgresStore], admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, follower = pg(), pg(), pg()
    first.append("a", story(1, prefix="base"))
    inside, release = hold_before_commit(first, monkeypatch)

    held = Worker(lambda: first.append("a", story(2, prefix="held")))
    assert inside.wait(TIMEOUT)
    late = Worker(lambda: second.append("b", story(1, prefix="late")))
    # The second writer queues behind the first instead of taking a later position and committing first.
    wait_until(lambda: waiting_for_advisory_lock(admin) == 1, "the second writer waits for the lock")
    assert late.thread.is_alive()
    assert list(follower.read_all(after=1)) == []
    assert follower.head() == 1

    release.set()
    assert [r.position for r in held.join()] == [2, 3]
    assert [r.position for r in late.join()] == [4]
    seen = [(r.position, r.event.id) for r in follower.read_all(after=1)]
    assert seen == [(2, "held-0"), (3, "held-1"), (4, "late-0")]


def test_a_follower_polling_while_writers_commit_sees_every_event_once_in_order(
    pg: Callable[[], PostgresStore],
) -> None:
    writers = [pg() for _ in range(3)]
    follower = pg()
    stop = threading.Event()
    seen: list[str] = []

    def follow() -> None:
        last = 0
        while True:
            finished = stop.is_set()  # read before the last pass, so that pass sees every commit
            for record in follower.read_all(after=last):
                assert record.position == last + 1, f"skipped from {last} to {record.position}"
                seen.append(record.event.id)
                last = record.position
            if finished:
                return

    def write(index: int) -> list[str]:
        ids = []
        for round_ in range(15):
            batch = story(1 + round_ % 3, prefix=f"w{index}-{round_}")
            writers[index].append(f"stream-{index % 2}", batch)
            ids += [event.id for event in batch]
        return ids

    following = Worker(follow)
    workers = [Worker(functools.partial(write, i)) for i in range(len(writers))]
    written = [event_id for worker in workers for event_id in worker.join()]
    stop.set()
    following.join()
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(written)


# -- writers in several processes -------------------------------------------------------------------------


def _writer_process(url: str, worker: int, rounds: int) -> tuple[list[str], list[tuple[Any, int]]]:
    """Append to a stream of its own and to a shared one with expected versions; retry conflicts."""
    store = open_store(url)
    ids: list[str] = []
    conflicts: list[tuple[Any, int]] = []
    try:
        for round_ in range(rounds):
            own = story(1, prefix=f"p{worker}-own-{round_}")
            store.append(f"own-{worker}", own, expected_version=round_ or NO_STREAM)
            ids += [event.id for event in own]
            shared = story(1 + round_ % 2, prefix=f"p{worker}-shared-{round_}")
            while True:
                version = store.version("shared")
                try:
                    store.append("shared", shared, expected_version=version)
                    break
                except ConcurrencyError as exc:
                    conflicts.append((exc.expected, exc.actual))
            ids += [event.id for event in shared]
    finally:
        store.close()
    return ids, conflicts


@pytest.mark.slow
def test_processes_appending_with_expected_versions_lose_nothing_and_report_conflicts(
    store_url: str, pg: Callable[[], PostgresStore]
) -> None:
    processes, rounds = 4, 12
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_writer_process, store_url, worker, rounds) for worker in range(processes)]
        results = [future.result(timeout=120) for future in futures]
    written = [event_id for ids, _ in results for event_id in ids]
    conflicts = [conflict for _, found in results for conflict in found]

    reader = pg()
    log = list(reader.read_all())
    assert [r.position for r in log] == list(range(1, len(written) + 1))
    assert sorted(r.event.id for r in log) == sorted(written)
    for stream in reader.streams():
        assert [r.version for r in reader.read(stream)] == list(range(1, reader.version(stream) + 1))
    for worker in range(processes):
        assert [r.event.id for r in reader.read(f"own-{worker}")] == [
            f"p{worker}-own-{round_}-0" for round_ in range(rounds)
        ]
    for expected, actual in conflicts:  # each conflict names what was passed and what was found
        assert isinstance(expected, int)
        assert actual > expected


def test_a_conflict_reports_the_expected_and_the_actual_version(pg: Callable[[], PostgresStore]) -> None:
    one, other = pg(), pg()
    one.append("s", story(2))
    seen = other.version("s")
    one.append("s", story(1, start=2), expected_version=seen)
    with pytest.raises(ConcurrencyError) as caught:
        other.append("s", story(1, start=3), expected_version=seen)
    assert (caught.value.expected, caught.value.actual) == (2, 3)


# -- the server goes away ---------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before the insert", "after the insert", "after the notify"])
def test_a_connection_killed_mid_append_stores_nothing_and_the_store_recovers(
    pg: Callable[[], PostgresStore], admin: Any, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    store, reader = pg(), pg()
    store.append("s", story(3))
    original, announce = PostgresTx.insert, PostgresTx.announce

    def insert(tx: PostgresTx, *args: Any) -> None:
        pid = tx._conn.info.backend_pid
        if when == "before the insert":
            terminate(admin, pid)
        original(tx, *args)
        if when == "after the insert":
            terminate(admin, pid)

    def notify(tx: PostgresTx, channel: str) -> None:
        announce(tx, channel)
        if when == "after the notify":  # the last statement before COMMIT
            terminate(admin, tx._conn.info.backend_pid)

    batch = story(5, start=3)
    with monkeypatch.context() as patch:
        patch.setattr(PostgresTx, "insert", insert)
        patch.setattr(PostgresTx, "announce", notify)
        with pytest.raises(StoreError, match="lost the connection to PostgreSQL") as caught:
            store.append("s", batch)
    if when != "after the notify":  # the NOTIFY after the insert finds the connection lost, before COMMIT
        assert "nothing was stored" in str(caught.value)
    else:  # the failure surfaced at COMMIT: the client cannot know, and says so
        assert "may or may not be stored" in str(caught.value)
    assert reader.head() == 3
    assert [r.event.id for r in reader.read_all()] == ["ev-0", "ev-1", "ev-2"]
    # The same handle reconnects, and the retried batch lands whole, right after the old head.
    assert [r.position for r in store.append("s", batch)] == [4, 5, 6, 7, 8]
    assert [r.version for r in reader.read("s")] == list(range(1, 9))


def test_a_connection_killed_while_idle_is_replaced_without_an_error(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    store.append("s", story(1))
    terminate(admin, store._conn().info.backend_pid)
    assert store.head() == 1
    terminate(admin, store._conn().info.backend_pid)
    assert [r.position for r in store.append("s", story(1, start=1))] == [2]


def test_a_server_that_cannot_be_reached_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL") as caught:
        open_store("postgresql://someone:secret@127.0.0.1:1/nowhere?connect_timeout=3")
    assert "secret" not in str(caught.value)


def test_a_writer_that_waits_too_long_for_the_lock_gives_up_with_a_store_error(
    store_url: str, pg: Callable[[], PostgresStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = pg()
    inside, release = hold_before_commit(holder, monkeypatch)
    held = Worker(lambda: holder.append("s", story(1)))
    assert inside.wait(TIMEOUT)
    impatient = PostgresStore(store_url, lock_timeout=0.2)
    try:
        with pytest.raises(StoreError, match="waiting for another writer"):
            impatient.append("s", story(1, start=1))
    finally:
        release.set()
        held.join()
    assert [r.position for r in impatient.append("s", story(1, start=1))] == [2]
    impatient.close()
