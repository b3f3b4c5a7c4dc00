"""What only the PostgreSQL store must show: followers never skip, writers in several processes, a server that
goes away mid-append, migrations, closing, checkpoints. The conformance suite covers the shared contract.

Tests that need a server run when ``TIMELINE_TEST_POSTGRES_URL`` is set
(``eval "$(scripts/postgres-for-tests)"``) and skip otherwise; the others (URL handling, id keys) always run.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from multiprocessing import get_context
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store._events import note, story
from timeline.errors import ConcurrencyError, StoreError
from timeline.events import Retraction
from timeline.projections import Checkpoint, Timeline
from timeline.store import NO_STREAM, EventStore, open_store
from timeline.store import _postgres_schema as schema
from timeline.store.postgres import (
    PostgresStore,
    _PostgresTx,
    key,
    reset_for_tests,
    split_url,
)

pytestmark = pytest.mark.backends("postgres")

StoreFactory = Callable[[], EventStore]
TIMEOUT = 30.0


@pytest.fixture
def admin(store_url: str) -> Iterator[Any]:
    """A plain psycopg connection to the test database, for looking behind the store's back."""
    conninfo, _, _ = split_url(store_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


@pytest.fixture
def pg(store_factory: StoreFactory) -> Callable[[], PostgresStore]:
    """Opens PostgreSQL handles on the test's store, typed as such."""

    def factory() -> PostgresStore:
        store = store_factory()
        assert isinstance(store, PostgresStore)
        return store

    return factory


class Worker:
    """A thread that runs `fn` and keeps its result or its exception, so failures reach the test."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._fn = fn
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc

    def join(self) -> Any:
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the thread did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def hold_before_commit(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[threading.Event, threading.Event]:
    """Make `store`'s appends stop inside their transaction, rows inserted, until `release` is set."""
    inside, release = threading.Event(), threading.Event()
    original = store._write

    @contextmanager
    def held() -> Iterator[Any]:
        with original() as tx:
            yield tx
            inside.set()
            assert release.wait(TIMEOUT)

    monkeypatch.setattr(store, "_write", held)
    return inside, release


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def waiting_for_advisory_lock(admin: Any) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    ).fetchone()
    return int(row[0])


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


def _terminate(admin: Any, pid: int) -> None:
    row = admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()
    assert row[0] is True


@pytest.mark.parametrize("when", ["before the insert", "after the insert", "after the notify"])
def test_a_connection_killed_mid_append_stores_nothing_and_the_store_recovers(
    pg: Callable[[], PostgresStore], admin: Any, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    store, reader = pg(), pg()
    store.append("s", story(3))
    original, announce = _PostgresTx.insert, _PostgresTx.announce

    def insert(tx: _PostgresTx, *args: Any) -> None:
        pid = tx._conn.info.backend_pid
        if when == "before the insert":
            _terminate(admin, pid)
        original(tx, *args)
        if when == "after the insert":
            _terminate(admin, pid)

    def notify(tx: _PostgresTx, channel: str) -> None:
        announce(tx, channel)
        if when == "after the notify":  # the last statement before COMMIT
            _terminate(admin, tx._conn.info.backend_pid)

    batch = story(5, start=3)
    with monkeypatch.context() as patch:
        patch.setattr(_PostgresTx, "insert", insert)
        patch.setattr(_PostgresTx, "announce", notify)
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
    _terminate(admin, store._conn().info.backend_pid)
    assert store.head() == 1
    _terminate(admin, store._conn().info.backend_pid)
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


# -- schema and migrations --------------------------------------------------------------------------------

SCRATCH = "timeline_migration_test"


@pytest.fixture
def scratch_url(store_url: str, admin: Any) -> Iterator[str]:
    """The test database with the store in a schema of its own, dropped before and after."""
    schema.drop(admin, SCRATCH)
    yield f"{store_url}{'&' if '?' in store_url else '?'}schema={SCRATCH}"
    schema.drop(admin, SCRATCH)


def _versions(admin: Any, name: str) -> list[int]:
    return [row[0] for row in admin.execute(f'SELECT version FROM "{name}".schema_version ORDER BY version')]


def test_stores_opened_at_once_create_the_schema_once(scratch_url: str, admin: Any) -> None:
    openers = [Worker(lambda: PostgresStore(scratch_url)) for _ in range(4)]
    stores = [worker.join() for worker in openers]
    assert _versions(admin, SCRATCH) == [version for version, _, _ in schema.MIGRATIONS]
    stores[0].append("s", story(2))
    for store in stores:
        store.close()
    with PostgresStore(scratch_url) as again:  # opening an up-to-date store changes nothing
        assert again.head() == 2
    assert _versions(admin, SCRATCH) == [version for version, _, _ in schema.MIGRATIONS]


def test_an_older_schema_is_migrated_and_keeps_its_events(scratch_url: str, admin: Any) -> None:
    assert schema.migrate(admin, SCRATCH, upto=1) == 0
    assert _versions(admin, SCRATCH) == [1]
    admin.execute(
        f"INSERT INTO {SCRATCH}.events"
        " (position, stream, version, id, type, schema_version, recorded_at, data)"
        " VALUES (1, 's', 1, 'old', 'statement', 1, now(),"
        """ '{"id":"old","when":"2025","by":"a","text":"from version 1"}')"""
    )
    with PostgresStore(scratch_url) as store:
        assert _versions(admin, SCRATCH) == [1, 2]
        assert [r.event.id for r in store.read("s")] == ["old"]
        store.checkpoints().put(Checkpoint(name="t", position=1, state={}))  # the table of migration 2


def test_a_schema_newer_than_the_library_is_refused(scratch_url: str, admin: Any) -> None:
    PostgresStore(scratch_url).close()
    admin.execute(
        f"INSERT INTO {SCRATCH}.schema_version (version, description) VALUES (99, 'from the future')"
    )
    with pytest.raises(StoreError, match="newer than this timeline knows"):
        PostgresStore(scratch_url)


def test_stores_in_two_schemas_of_one_database_are_independent(
    scratch_url: str, pg: Callable[[], PostgresStore]
) -> None:
    default, scratch = pg(), PostgresStore(scratch_url)
    default.append("s", story(2))
    scratch.append("s", story(1, prefix="other"))
    assert (default.head(), scratch.head()) == (2, 1)
    assert scratch.schema == SCRATCH
    scratch.close()


def test_reset_for_tests_empties_the_store(store_url: str, pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    store.append("s", story(2))
    store.close()
    reset_for_tests(store_url)
    assert pg().head() == 0


def test_text_columns_sort_like_python_whatever_the_database_locale(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    names = ["b", "B", "é", "Z", "a", "ab", "Ω", "~"]
    for name in names:
        store.append(name, [note(f"in-{name}")])
    assert store.streams() == sorted(names)
    rows = admin.execute(
        "SELECT column_name, collation_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = 'events' AND data_type = 'text'",
        (store.schema,),
    ).fetchall()
    assert dict(rows) == {"stream": "C", "id": "C", "type": "C", "target": "C"}


# -- ids PostgreSQL text cannot hold ---------------------------------------------------------------------


@settings(max_examples=200)
@given(st.lists(st.text(alphabet=st.sampled_from("a\\0\x00 "), min_size=1, max_size=6), unique=True))
def test_id_keys_are_distinct_and_free_of_nul(ids: list[str]) -> None:
    valid = [i for i in ids if i == i.strip()]  # ids have no surrounding space
    keys = [key(i) for i in valid]
    assert len(set(keys)) == len(keys)
    assert all("\x00" not in k for k in keys)
    assert all(key(i) == i for i in valid if "\x00" not in i)


def test_ids_with_nul_are_stored_found_and_amended(pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    ids = ["a\x00", "a\\0", "a\x00\\", "a\\\x00"]
    store.append("s", [note(i) for i in ids])
    assert [r.event.id for r in store.append("s", [note(i) for i in ids])] == ids  # found again: no new rows
    store.append("s", [Retraction(target="a\x00", reason="withdrawn")])
    assert store.head() == 5
    with pytest.raises(Exception, match="retracted"):
        store.append("s", [Retraction(target="a\x00", reason="again")])


# -- closing ------------------------------------------------------------------------------------------------


def test_closing_ends_the_connections_and_every_later_use_is_a_store_error(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    store.append("s", story(1001))
    pages = store.read_all()
    next(pages)  # the first page of 1000 is read; the second is not
    pids = {store._conn().info.backend_pid, Worker(lambda: store._conn().info.backend_pid).join()}
    store.close()
    store.close()  # twice is fine

    def gone() -> bool:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", (list(pids),)).fetchall()
        return not rows

    wait_until(gone, "the store's backends exit")
    for use in (store.head, lambda: store.append("s", [note("late")]), lambda: list(pages)):
        with pytest.raises(StoreError, match="is closed"):
            use()


def test_an_append_inside_another_transaction_of_the_same_thread_is_refused(
    pg: Callable[[], PostgresStore],
) -> None:
    store = pg()
    with ExitStack() as stack:
        stack.enter_context(store.checkpoints().transaction())
        with pytest.raises(StoreError, match="already inside a transaction"):
            store.append("s", story(1))
    assert store.head() == 0


# -- checkpoints ------------------------------------------------------------------------------------------


def test_checkpoints_round_trip_and_replace(pg: Callable[[], PostgresStore]) -> None:
    checkpoints = pg().checkpoints()
    assert checkpoints.get("t") is None
    state = {"text": "nul \x00, emoji 🗓, CJK 時間", "nested": [1, {"a": None}], "float": 0.5}
    checkpoints.put(Checkpoint(name="t", position=3, state=state))
    checkpoints.put(Checkpoint(name="u", position=1, state={}))
    assert checkpoints.get("t") == Checkpoint(name="t", position=3, state=state)
    checkpoints.put(Checkpoint(name="t", position=7, state={"n": 7}))
    assert checkpoints.get("t") == Checkpoint(name="t", position=7, state={"n": 7})
    assert checkpoints.get("u") == Checkpoint(name="u", position=1, state={})


def test_a_projections_own_rows_and_its_checkpoint_commit_together(
    pg: Callable[[], PostgresStore], admin: Any
) -> None:
    store = pg()
    checkpoints = store.checkpoints()
    admin.execute(f'CREATE TABLE "{store.schema}".counts (name text PRIMARY KEY, n integer NOT NULL)')

    def saved() -> tuple[Any, Any]:
        count = admin.execute(f'SELECT n FROM "{store.schema}".counts').fetchall()
        checkpoint = checkpoints.get("counts")
        return count, None if checkpoint is None else checkpoint.position

    def save(n: int, tx: Any) -> None:
        tx.execute(
            f'INSERT INTO "{store.schema}".counts VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET n = %s',
            ("all", n, n),
        )
        tx.put(Checkpoint(name="counts", position=n, state={"n": n}))

    with checkpoints.transaction() as tx:
        save(5, tx)
    assert saved() == ([(5,)], 5)

    def fail_after_writing() -> None:
        with checkpoints.transaction() as tx:
            save(9, tx)
            raise RuntimeError("the projection failed after writing")

    def lose_the_connection_after_writing() -> None:
        with checkpoints.transaction() as tx:
            save(9, tx)
            _terminate(admin, tx.connection.info.backend_pid)

    with pytest.raises(RuntimeError):
        fail_after_writing()
    assert saved() == ([(5,)], 5)
    with pytest.raises(StoreError, match="lost the connection"):
        lose_the_connection_after_writing()
    assert saved() == ([(5,)], 5)


def test_a_timeline_resumes_from_a_checkpoint_kept_in_postgres(pg: Callable[[], PostgresStore]) -> None:
    store = pg()
    store.append("s", story(6))
    first = Timeline.resume(store, store.checkpoints())
    checkpoint = store.checkpoints().get("timeline")
    assert checkpoint is not None
    assert checkpoint.position == 6
    store.append("s", story(3, start=6))
    resumed = Timeline.resume(store, store.checkpoints())
    assert resumed.entries == Timeline.from_store(store).entries
    assert len(resumed.entries) == len(first.entries) + 3
    saved = store.checkpoints().get("timeline")
    assert saved is not None
    assert saved.position == 9


# -- URLs -------------------------------------------------------------------------------------------------


def test_the_shown_url_has_no_password_and_our_option_is_not_passed_to_libpq() -> None:
    libpq, name, shown = split_url(
        "postgresql://me:s3cret@db.example:5433/tl?schema=news&password=x&sslmode=require"
    )
    assert name == "news"
    assert "schema" not in libpq
    assert "s3cret" in libpq
    assert shown == "postgresql://me@db.example:5433/tl?schema=news&sslmode=require"
    assert split_url("postgres://db/tl")[1] == "timeline"


@pytest.mark.parametrize("bad", ["News", "a-b", "", "x" * 64, 'a"; DROP'])
def test_a_schema_name_that_is_not_a_plain_sql_name_is_refused(bad: str) -> None:
    with pytest.raises(StoreError, match="schema="):
        split_url(f"postgresql://db/tl?schema={bad}")
