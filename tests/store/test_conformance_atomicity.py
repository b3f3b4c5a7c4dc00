"""The store contract, continued (see test_conformance.py): a batch is stored whole or not at all,
`recorded_at` is the store's and never goes backwards, positions stay gapless."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from timeline.errors import ConcurrencyError, DuplicateEventError, StoreError, ValidationError
from timeline.events import Event, Retraction, Statement
from timeline.store import (
    NO_STREAM,
    EventStore,
    SqliteStore,
)
from timeline.when import When

from ._events import note, story

if TYPE_CHECKING:
    pass

from ._conformance import StoreFactory, assert_gapless, summary

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
