"""The store contract (design.md §6), one test per guarantee, run on every backend (see conftest.py):
opening, appending and reading, expected versions, idempotency by event id. The other parts:
`test_conformance_atomicity.py`, `test_conformance_reads.py`, `test_conformance_model.py`."""

from __future__ import annotations

import sqlite3
import sys
import types
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline.store.sqlite as sqlite_backend
from timeline.codec import from_json, to_json
from timeline.errors import ConcurrencyError, DuplicateEventError, StoreError, TimelineError, ValidationError
from timeline.events import Event
from timeline.store import (
    ANY,
    NO_STREAM,
    EventStore,
    MemoryStore,
    SqliteStore,
    open_store,
)
from timeline.testing import plain_occurrences as any_events

from ._events import note, story

if TYPE_CHECKING:
    from pathlib import Path

from ._conformance import PER_BACKEND, StoreFactory, summary

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
