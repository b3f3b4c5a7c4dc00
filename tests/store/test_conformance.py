"""The store contract (design.md §6), one test per guarantee, run on every backend (see conftest.py)."""

from __future__ import annotations

import sqlite3
import sys
import tracemalloc
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline.store.sqlite as sqlite_backend
from timeline.codec import dumps, from_json, to_json
from timeline.errors import ConcurrencyError, DuplicateEventError, StoreError, TimelineError, ValidationError
from timeline.events import Correction, Event, Retraction, Statement
from timeline.store import (
    ANY,
    NO_STREAM,
    EventStore,
    Expected,
    MemoryStore,
    Recorded,
    SqliteStore,
    open_store,
)
from timeline.testing import plain_occurrences as any_events
from timeline.when import When

from ._events import note, story

if TYPE_CHECKING:
    from pathlib import Path

StoreFactory = Callable[[], EventStore]
PER_BACKEND = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])


def summary(records: list[Recorded]) -> list[tuple[int, str, int, str]]:
    return [(r.position, r.stream, r.version, r.event.id) for r in records]


def assert_gapless(store: EventStore) -> list[Recorded]:
    log = list(store.read_all())
    assert [r.position for r in log] == list(range(1, len(log) + 1))
    assert store.head() == len(log)
    for name in store.streams():
        assert [r.version for r in store.read(name)] == list(range(1, store.version(name) + 1))
    return log


# -- opening ------------------------------------------------------------------------------------------------


def test_a_new_store_is_empty(store: EventStore) -> None:
    assert store.head() == 0
    assert store.version("story") == 0
    assert store.streams() == []
    assert list(store.read("story")) == []
    assert list(store.read_all()) == []


def test_open_store_picks_the_backend_from_the_url(tmp_path: Path) -> None:
    assert isinstance(open_store("memory:"), MemoryStore)
    path = tmp_path / "a.db"
    with open_store(str(path)) as plain, open_store(f"sqlite:///{path}") as prefixed:
        assert isinstance(plain, SqliteStore)
        plain.append("s", [note("x")])
        assert [r.event.id for r in prefixed.read_all()] == ["x"]


def test_postgresql_urls_go_to_the_postgres_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    # The seam only: a stand-in module, so this runs without a server.
    opened: list[str] = []
    fake = types.ModuleType("timeline.store.postgres")

    class PostgresStore:
        def __init__(self, url: str) -> None:
            opened.append(url)

        @classmethod
        def from_url(cls, url: str, *, create: bool = True) -> PostgresStore:  # each backend parses its URL
            return cls(url)

    fake.PostgresStore = PostgresStore  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "timeline.store.postgres", fake)
    store = open_store("postgresql://me@db.example/timeline")
    assert isinstance(store, PostgresStore)
    open_store("postgres://me@db.example/other")
    assert opened == ["postgresql://me@db.example/timeline", "postgres://me@db.example/other"]


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_mode_with_the_documented_durability(store_url: str) -> None:
    with open_store(store_url) as store:
        store.append("s", [note("x")])
        assert isinstance(store, SqliteStore)
        # synchronous is a per-connection setting: ask the store's own connection.
        assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert "synchronous=FULL" in (sqlite_backend.__doc__ or "")  # documented where users look
    raw = sqlite3.connect(store_url)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    with open_store(store_url + "?synchronous=normal") as normal:
        assert isinstance(normal, SqliteStore)
        assert normal._conn().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


@pytest.mark.parametrize(
    "url",
    [
        "{dir}/db?cache=shared",
        "{dir}/db?synchronous=sometimes",
        "{dir}/no/such/dir/x.db",
        "{dir}",
        "sqlite://",
    ],
)
def test_a_store_that_cannot_be_opened_raises_store_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url.format(dir=tmp_path))


# -- appending and reading ----------------------------------------------------------------------------------


def test_append_assigns_positions_and_versions_and_reads_give_them_back(store: EventStore) -> None:
    a = store.append("a", story(3, prefix="a"), expected_version=NO_STREAM)
    b = store.append("b", story(2, prefix="b"), expected_version=NO_STREAM)
    assert summary(a) == [(1, "a", 1, "a-0"), (2, "a", 2, "a-1"), (3, "a", 3, "a-2")]
    assert summary(b) == [(4, "b", 1, "b-0"), (5, "b", 2, "b-1")]
    assert [r.event for r in a] == story(3, prefix="a")
    assert list(store.read("a")) == a
    assert list(store.read("b")) == b
    assert list(store.read_all()) == a + b
    assert (store.version("a"), store.version("b"), store.head()) == (3, 2, 5)
    assert store.streams() == ["a", "b"]


def test_read_after_a_version_and_read_all_after_a_position(store: EventStore) -> None:
    store.append("a", story(4, prefix="a"))
    store.append("b", story(3, prefix="b"))
    store.append("a", story(2, prefix="a", start=4))
    assert [r.version for r in store.read("a", after_version=3)] == [4, 5, 6]
    assert list(store.read("a", after_version=6)) == []
    assert [r.position for r in store.read_all(after=5)] == [6, 7, 8, 9]
    assert list(store.read_all(after=9)) == []


def test_append_takes_any_iterable(store: EventStore) -> None:
    records = store.append("a", (e for e in story(3)))
    assert [r.version for r in records] == [1, 2, 3]


def test_an_empty_batch_returns_nothing_and_creates_no_stream(store: EventStore) -> None:
    assert store.append("a", [], expected_version=NO_STREAM) == []
    assert store.append("a", []) == []
    assert (store.head(), store.version("a"), store.streams()) == (0, 0, [])


@pytest.mark.parametrize("name", ["", "a\nb", "tab\there", "x" * 201, 7])
def test_a_bad_stream_name_is_a_validation_error(store: EventStore, name: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        store.append(name, [note("x")])
    assert caught.value.path == "stream"
    assert store.head() == 0


def test_unusual_but_valid_stream_names_work(store: EventStore) -> None:
    for i, name in enumerate(
        ["x" * 200, "deportaciones-ñ/2025", "名前 with spaces", "'; DROP TABLE events;--"]
    ):
        store.append(name, [note(f"e{i}")], expected_version=NO_STREAM)
        assert [r.event.id for r in store.read(name)] == [f"e{i}"]
    assert len(store.streams()) == 4


@PER_BACKEND
@given(batch=st.lists(any_events, min_size=1, max_size=5, unique_by=lambda e: e.id))
def test_every_event_comes_back_equal_and_a_retry_of_it_is_a_no_op(
    new_store: StoreFactory, batch: list[Event]
) -> None:
    store = new_store()
    store.append("s", batch)
    back = [r.event for r in store.read("s")]
    assert back == batch
    assert [to_json(e) for e in back] == [to_json(e) for e in batch]
    # What was read back must count as the same content, or every retry after a read would be refused.
    assert [r.position for r in store.append("s", back, expected_version=NO_STREAM)] == list(
        range(1, len(batch) + 1)
    )
    assert store.head() == len(batch)


# -- expected versions --------------------------------------------------------------------------------------


def test_no_stream_succeeds_only_when_the_stream_does_not_exist(store: EventStore) -> None:
    store.append("a", story(2), expected_version=NO_STREAM)
    with pytest.raises(ConcurrencyError) as caught:
        store.append("a", [note("late")], expected_version=NO_STREAM)
    assert (caught.value.stream, caught.value.expected, caught.value.actual) == ("a", NO_STREAM, 2)
    assert (store.head(), store.version("a")) == (2, 2)


def test_an_int_must_equal_the_stream_version(store: EventStore) -> None:
    store.append("a", [note("a1")], expected_version=0)  # 0 is the version of a stream that does not exist
    store.append("a", [note("a2")], expected_version=1)
    for expected in (0, 1, 3):
        with pytest.raises(ConcurrencyError) as caught:
            store.append("a", [note("a3")], expected_version=expected)
        assert (caught.value.expected, caught.value.actual) == (expected, 2)
    with pytest.raises(ConcurrencyError) as caught:
        store.append("new", [note("n1")], expected_version=3)
    assert (caught.value.expected, caught.value.actual) == (3, 0)
    assert (store.head(), store.version("a"), store.streams()) == (2, 2, ["a"])
    assert [r.version for r in store.append("a", [note("a3")], expected_version=2)] == [3]


def test_any_never_conflicts(store: EventStore) -> None:
    for i in range(3):
        store.append("a", [note(f"a{i}")], expected_version=ANY)
    store.append("a", [note("a3")])  # ANY is the default
    assert store.version("a") == 4


def test_a_concurrency_error_is_a_timeline_error_but_not_bad_input(store: EventStore) -> None:
    store.append("a", [note("a1")])
    with pytest.raises(ConcurrencyError) as caught:
        store.append("a", [note("a2")], expected_version=NO_STREAM)
    assert isinstance(caught.value, TimelineError)
    assert not isinstance(caught.value, ValidationError)
    assert "expected version NO_STREAM, actual version 1" in str(caught.value)


@pytest.mark.parametrize("expected", [-1, True, "1", 1.0, None])
def test_a_bad_expected_version_is_a_validation_error(store: EventStore, expected: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        store.append("a", [note("a1")], expected_version=expected)
    assert caught.value.path == "expected_version"
    assert store.head() == 0


# -- idempotency by event id --------------------------------------------------------------------------------


def test_the_same_ids_with_the_same_content_add_nothing(store: EventStore) -> None:
    first = store.append("a", story(3), expected_version=NO_STREAM)
    store.append("b", [note("other")])
    # A retry succeeds whatever version it expects: the batch is already there.
    for expected in (NO_STREAM, ANY, 0, 3, 99):
        assert store.append("a", story(3), expected_version=expected) == first
    # Equal content, not the same objects: rebuilt from JSON.
    assert store.append("a", [from_json(to_json(e)) for e in story(3)]) == first
    assert (store.head(), store.version("a")) == (4, 3)


def test_a_partial_retry_returns_the_stored_records_in_batch_order(store: EventStore) -> None:
    first = store.append("a", story(3))
    assert store.append("a", list(reversed(story(2)))) == [first[1], first[0]]
    assert store.head() == 3


def test_a_mixed_batch_skips_the_stored_events_and_appends_the_rest(store: EventStore) -> None:
    (a,) = store.append("s", [note("a")], expected_version=NO_STREAM)
    records = store.append("s", [note("a"), note("b"), note("c")], expected_version=1)
    assert records[0] == a
    assert summary(records) == [(1, "s", 1, "a"), (2, "s", 2, "b"), (3, "s", 3, "c")]
    assert store.head() == 3


def test_a_mixed_batch_still_checks_the_expected_version(store: EventStore) -> None:
    store.append("s", [note("a"), note("b")], expected_version=NO_STREAM)
    with pytest.raises(ConcurrencyError) as caught:
        store.append("s", [note("a"), note("c")], expected_version=NO_STREAM)
    assert (caught.value.expected, caught.value.actual) == (NO_STREAM, 2)
    with pytest.raises(ConcurrencyError):
        store.append("s", [note("a"), note("c")], expected_version=1)
    assert store.head() == 2


def test_the_same_id_with_other_content_is_refused(store: EventStore) -> None:
    store.append("s", [note("a"), note("b")])
    with pytest.raises(DuplicateEventError) as caught:
        store.append("s", [note("c"), note("b", text="something else")])
    assert isinstance(caught.value, ValidationError)
    assert caught.value.path == "[1].id"
    assert "'b'" in str(caught.value)
    assert (store.head(), [r.event.id for r in store.read("s")]) == (2, ["a", "b"])


def test_the_same_id_in_another_stream_is_refused(store: EventStore) -> None:
    store.append("s", [note("a")])
    with pytest.raises(DuplicateEventError) as caught:
        store.append("t", [note("a")])
    assert caught.value.path == "[0].id"
    assert "'s'" in str(caught.value)
    assert store.streams() == ["s"]


def test_a_repeated_id_within_one_batch_is_refused(store: EventStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.append("s", [note("a"), note("b"), note("a")])
    assert caught.value.path == "[2].id"
    assert store.head() == 0


# -- all or nothing -----------------------------------------------------------------------------------------


def test_an_invalid_event_late_in_a_batch_stores_nothing(store: EventStore) -> None:
    batch: list[Any] = [*story(3), Retraction(target="missing", reason="no such event")]
    with pytest.raises(ValidationError) as caught:
        store.append("s", batch)
    assert caught.value.path == "[3].retraction.target"
    batch[3] = "not an event"
    with pytest.raises(ValidationError) as caught:
        store.append("s", batch)
    assert caught.value.path == "[3]"
    assert (store.head(), store.streams()) == (0, [])


def test_an_input_that_fails_midway_stores_nothing(store: EventStore) -> None:
    def events() -> Iterator[Event]:
        yield from story(3)
        raise RuntimeError("the input broke")

    with pytest.raises(RuntimeError, match="the input broke"):
        store.append("s", events())
    assert store.head() == 0


@contextmanager
def failing_inserts(store: EventStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the backend fail right after it inserted a batch, inside the write transaction."""
    real_write = store._write

    @contextmanager
    def write() -> Iterator[Any]:
        with real_write() as tx:
            real_insert = tx.insert

            def insert(*args: Any) -> None:
                real_insert(*args)
                raise OSError("disk on fire")

            monkeypatch.setattr(tx, "insert", insert)
            yield tx

    monkeypatch.setattr(store, "_write", write)
    yield
    monkeypatch.setattr(store, "_write", real_write)


def test_a_failure_after_the_rows_are_written_rolls_the_batch_back(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append("s", story(2))
    with failing_inserts(store, monkeypatch), pytest.raises(OSError, match="disk on fire"):
        store.append("s", story(500, start=2), expected_version=2)
    assert_gapless(store)
    assert (store.head(), store.version("s")) == (2, 2)
    # The transaction is over: the next append works and takes the next position.
    assert summary(store.append("s", [note("n")], expected_version=2)) == [(3, "s", 3, "n")]


@pytest.mark.backends("sqlite", "postgres")
def test_a_rolled_back_batch_is_invisible_to_other_handles(
    store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, reader = store_factory(), store_factory()
    with failing_inserts(writer, monkeypatch), pytest.raises(OSError, match="disk on fire"):
        writer.append("s", story(50))
    assert (reader.head(), list(reader.read_all())) == (0, [])


def test_an_event_with_text_no_store_can_keep_is_refused_on_every_backend(store: EventStore) -> None:
    # A lone surrogate (json.loads makes one of "\ud800") is not Unicode: no SQL database can keep it.
    bad = Statement(id="x", when=When.parse("2025"), by="a", text="broken \ud800 text")
    with pytest.raises(ValidationError) as caught:
        store.append("s", [note("fine"), bad])
    assert caught.value.path == "[1].text"
    assert store.head() == 0


@pytest.mark.backends("sqlite")
def test_a_row_the_store_could_not_have_written_is_reported_not_guessed(store: EventStore) -> None:
    store.append("s", [note("a"), note("b")])
    assert isinstance(store, SqliteStore)
    with store._write() as tx:  # as if edited by hand
        tx.conn.execute(
            "UPDATE events SET data = ? WHERE id = 'b'", ('{"type":"statement","id":"b","colour":1}',)
        )
    with pytest.raises(StoreError, match=r"position 2 cannot be read \(statement.colour: unknown field"):
        list(store.read_all())


# -- recorded_at --------------------------------------------------------------------------------------------


def test_recorded_at_is_set_by_the_store_in_utc(store: EventStore) -> None:
    before = datetime.now(UTC)
    records = store.append("s", story(3))
    after = datetime.now(UTC)
    slack = timedelta(seconds=5)  # a server backend may use its own clock
    for record in records:
        assert record.recorded_at.utcoffset() == timedelta(0)
        assert before - slack <= record.recorded_at <= after + slack
    assert [r.recorded_at for r in store.read_all()] == [r.recorded_at for r in records]


class _Clock:
    """A store's clock (`EventStore.clock`) that a test can turn back."""

    def __init__(self) -> None:
        self.now_value = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now_value


def test_recorded_at_never_goes_backwards_even_when_the_clock_does(store_factory: StoreFactory) -> None:
    clock = _Clock()
    store = store_factory()
    store.clock = clock
    (first,) = store.append("s", [note("a")])
    clock.now_value -= timedelta(days=1)
    (second,) = store.append("s", [note("b")])
    assert second.recorded_at >= first.recorded_at
    # A new handle (another process, after a restart) must not go backwards either.
    other = store_factory()
    other.clock = clock
    (third,) = other.append("t", [note("c")])
    assert third.recorded_at >= second.recorded_at
    clock.now_value += timedelta(days=2)
    (fourth,) = store.append("s", [note("d")])
    assert fourth.recorded_at > third.recorded_at
    moments = [r.recorded_at for r in store.read_all()]
    assert moments == sorted(moments)
    assert moments == [r.recorded_at for r in (first, second, third, fourth)]


# -- positions ----------------------------------------------------------------------------------------------


def test_positions_stay_gapless_across_failed_appends(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append("a", story(3, prefix="a"))
    with pytest.raises(ConcurrencyError):
        store.append("a", story(3, prefix="x"), expected_version=NO_STREAM)
    with pytest.raises(DuplicateEventError):
        store.append("b", story(1, prefix="a"))
    with failing_inserts(store, monkeypatch), pytest.raises(OSError, match="disk on fire"):
        store.append("b", story(5, prefix="b"))
    store.append("b", story(2, prefix="b"))
    log = assert_gapless(store)
    assert [r.event.id for r in log] == ["a-0", "a-1", "a-2", "b-0", "b-1"]


# -- reading: streamed, and safe to interleave with appends -------------------------------------------------


def _peak_bytes(consume: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        consume()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.backends("sqlite", "postgres")  # the memory store holds the whole log by nature
@pytest.mark.parametrize("reader", ["read", "read_all"])
def test_reads_stream_instead_of_loading_the_whole_log(store: EventStore, reader: str) -> None:
    for start in range(0, 8000, 2000):
        store.append("s", story(2000, start=start))

    def read() -> Iterator[Recorded]:
        return store.read("s") if reader == "read" else store.read_all()

    def walk() -> None:
        count = 0
        for _ in read():
            count += 1
        assert count == 8000

    loaded = _peak_bytes(lambda: list(read()))
    streamed = _peak_bytes(walk)
    assert streamed < loaded / 3, (streamed, loaded)


def test_reading_and_appending_interleave_in_one_thread(store: EventStore) -> None:
    store.append("s", story(2500))
    seen = []
    reader = store.read_all()
    for record in reader:
        seen.append(record.position)
        if record.position in (10, 1500):  # mid-page and past the first page
            store.append("s", story(5, start=len(seen) + 10_000))
    stream_versions = []
    for record in store.read("s"):
        stream_versions.append(record.version)
        if record.version == 1200:
            store.append("s", [note("during read")])
    # A reader gives a gapless prefix of the log, and whatever it saw past the start is in order.
    assert seen == list(range(1, len(seen) + 1))
    assert len(seen) >= 2500
    assert stream_versions == list(range(1, len(stream_versions) + 1))
    assert store.head() == 2511


# -- persistence --------------------------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgres")
def test_a_reopened_store_holds_the_same_records(store_factory: StoreFactory) -> None:
    first = store_factory()
    written = first.append("a", story(7)) + first.append("b", story(3, prefix="b"))
    first.close()
    again = store_factory()
    assert list(again.read_all()) == written
    assert (again.head(), again.version("a"), again.streams()) == (10, 7, ["a", "b"])
    # Idempotency survives the restart; so do the versions.
    assert again.append("a", story(7)) == written[:7]
    assert summary(again.append("a", [note("n")], expected_version=7)) == [(11, "a", 8, "n")]


@pytest.mark.backends("sqlite", "postgres")
def test_a_closed_store_refuses_to_work(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.append("a", [note("x")])
    store.close()
    with pytest.raises(StoreError):
        store.append("a", [note("y")])
    with pytest.raises(StoreError):
        list(store.read_all())


# -- corrections and retractions are checked against their target -------------------------------------------


def test_a_correction_in_the_same_batch_as_its_target_is_accepted(store: EventStore) -> None:
    target = note("t")
    fix = Correction(id="c", target="t", changes={"text": "new words"}, reason="misquoted")
    assert [r.version for r in store.append("s", [target, fix])] == [1, 2]


@pytest.mark.parametrize(
    ("amendment", "path"),
    [
        (Correction(target="nope", changes={"text": "x"}, reason="r"), "[0].correction.target"),
        (Retraction(target="elsewhere", reason="r"), "[0].retraction.target"),
        (Correction(target="t", changes={"when": "2025-13"}, reason="r"), "[0].correction.changes.when"),
        (Correction(target="t", changes={"colour": "red"}, reason="r"), "[0].correction.changes.colour"),
        (Correction(target="t", changes={"id": "u"}, reason="r"), "[0].correction.changes.id"),
        (Retraction(target="fix", reason="only occurrences can be amended"), "[0].retraction.target"),
    ],
)
def test_a_bad_amendment_refuses_the_batch(store: EventStore, amendment: Event, path: str) -> None:
    store.append("s", [note("t"), Correction(id="fix", target="t", changes={"text": "y"}, reason="r")])
    store.append("other", [note("elsewhere")])
    with pytest.raises(ValidationError) as caught:
        store.append("s", [amendment, note("innocent")])
    assert caught.value.path.startswith(path), caught.value.path
    assert store.head() == 3


def test_a_retracted_event_cannot_be_amended_again(store: EventStore) -> None:
    store.append("s", [note("t"), Retraction(id="r1", target="t", reason="withdrawn")])
    for amendment in (
        Retraction(target="t", reason="again"),
        Correction(target="t", changes={"text": "x"}, reason="too late"),
    ):
        with pytest.raises(ValidationError) as caught:
            store.append("s", [amendment])
        assert caught.value.path.endswith(".target")
    with pytest.raises(ValidationError):  # within one batch too
        store.append("s", [note("u"), Retraction(target="u", reason="a"), Retraction(target="u", reason="b")])
    assert store.head() == 2


@pytest.mark.backends("sqlite", "postgres")
def test_amendments_are_checked_against_what_another_handle_stored(store_factory: StoreFactory) -> None:
    store_factory().append("s", [note("t"), Retraction(target="t", reason="withdrawn")])
    with pytest.raises(ValidationError):
        store_factory().append("s", [Correction(target="t", changes={"text": "x"}, reason="late")])


# -- the whole contract against a model ---------------------------------------------------------------------

Outcome = tuple[Any, ...]


class Model:
    """The append contract in a few lines: what the store must answer, and what the log must then hold."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, int]] = []  # (id, stream, content variant) by position - 1
        self.where: dict[str, int] = {}  # id -> position
        self.versions: dict[str, int] = {}

    def append(self, stream: str, batch: list[tuple[str, int]], expected: Expected) -> Outcome:
        if not batch:
            return ("ok", [])
        seen: set[str] = set()
        for index, (event_id, _) in enumerate(batch):
            if event_id in seen:
                return ("invalid", f"[{index}].id")
            seen.add(event_id)
        for index, (event_id, variant) in enumerate(batch):
            position = self.where.get(event_id)
            if position is not None and self.log[position - 1][1:] != (stream, variant):
                return ("duplicate", f"[{index}].id")
        fresh = [(i, v) for i, v in batch if i not in self.where]
        version = self.versions.get(stream, 0)
        if fresh and (
            (expected is NO_STREAM and version != 0) or (isinstance(expected, int) and expected != version)
        ):
            return ("conflict", expected, version)
        for event_id, variant in fresh:
            self.log.append((event_id, stream, variant))
            self.where[event_id] = len(self.log)
        if fresh:
            self.versions[stream] = version + len(fresh)
        return ("ok", [self._summary(self.where[i]) for i, _ in batch])

    def _summary(self, position: int) -> tuple[int, str, int, str]:
        event_id, stream, _ = self.log[position - 1]
        version = sum(1 for _, s, _ in self.log[:position] if s == stream)
        return (position, stream, version, event_id)


def attempt(store: EventStore, stream: str, batch: list[tuple[str, int]], expected: Expected) -> Outcome:
    try:
        records = store.append(stream, [note(i, f"variant {v}") for i, v in batch], expected_version=expected)
    except ConcurrencyError as exc:
        return ("conflict", exc.expected, exc.actual)
    except DuplicateEventError as exc:
        return ("duplicate", exc.path)
    except ValidationError as exc:
        return ("invalid", exc.path)
    return ("ok", summary(records))


operations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.lists(st.tuples(st.sampled_from("pqrstuvw"), st.integers(0, 1)), max_size=4),
        st.sampled_from(["any", "none", "current", "current", "current-1", "current+1"]),
    ),
    max_size=12,
)


@PER_BACKEND
@given(ops=operations)
def test_appends_agree_with_the_model(
    new_store: StoreFactory, ops: list[tuple[str, list[tuple[str, int]], str]]
) -> None:
    store, model = new_store(), Model()
    for stream, batch, expectation in ops:
        version = model.versions.get(stream, 0)
        choices: dict[str, Expected] = {
            "any": ANY,
            "none": NO_STREAM,
            "current": version,
            "current-1": max(version - 1, 0),
            "current+1": version + 1,
        }
        expected = choices[expectation]
        assert attempt(store, stream, batch, expected) == model.append(stream, batch, expected)
    log = assert_gapless(store)
    assert [(r.event.id, r.stream, dumps(r.event)) for r in log] == [
        (i, s, dumps(note(i, f"variant {v}"))) for i, s, v in model.log
    ]
    assert store.streams() == sorted(model.versions)
    moments = [r.recorded_at for r in log]
    assert moments == sorted(moments)
