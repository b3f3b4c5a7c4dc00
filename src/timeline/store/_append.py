"""The append algorithm every backend shares, on the primitives of a `WriteTransaction`.

It gives `append` the same guarantees everywhere: expected versions, idempotent event ids, corrections and
retractions checked by `timeline.amendments`, gapless positions and a `recorded_at` that never goes backwards.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

from timeline._speed import builder, paused_gc
from timeline.amendments import AMENDMENTS, check_batch
from timeline.errors import ConcurrencyError, DuplicateEventError, ValidationError
from timeline.store._batch import Batch, prepare_batch
from timeline.store._names import check_readable_name, check_stream_name
from timeline.store.contract import NO_STREAM, Appended, Expected, ExpectedVersion, NewRow, Recorded

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from contextlib import AbstractContextManager
    from datetime import datetime

    from timeline.events import Event
    from timeline.store.contract import StoredRow, WriteTransaction

__all__ = ["append", "append_stream", "check_readable_name", "check_stream_name"]

# One of each is built per appended event, so the cheap way: Recorded without keyword parsing (it has no
# validators to skip), NewRow through tuple's own constructor.
_record = builder(Recorded)
_new_row = functools.partial(tuple.__new__, NewRow)  # NewRow._make less its Python-level length check


def append(
    write: Callable[[], AbstractContextManager[WriteTransaction]],
    clock: Callable[[], datetime],
    stream: str,
    events: Iterable[Event],
    expected: Expected,
) -> list[Recorded]:
    """`EventStore.append` (see there) on a backend's `write` transactions, stamped by `clock`."""
    # The collector paused while the batch is encoded (and in `_rows`), not while waiting for the write lock.
    with paused_gc():
        batch, amends = _prepare(stream, events, expected)
    if not batch:
        return []
    with write() as tx:
        if not amends:
            records = _append_new(tx, clock, stream, batch, expected)
            if records is not None:
                return records
        return _append_in(tx, clock, stream, batch, expected)


def _prepare(stream: str, events: Iterable[Event], expected: Expected, offset: int = 0) -> tuple[Batch, bool]:
    """The batch with each event's canonical JSON, and whether it holds corrections or retractions.

    `offset` is the index of the first event in the whole batch (errors name ``[index]`` in it)."""
    check_stream_name(stream)
    if not isinstance(expected, ExpectedVersion) and (
        isinstance(expected, bool) or not isinstance(expected, int) or expected < 0
    ):
        raise ValidationError(
            f"{expected!r} is not ANY, NO_STREAM or a version >= 0", path="expected_version"
        )
    return prepare_batch(events, offset)


def _append_new(
    tx: WriteTransaction, clock: Callable[[], datetime], stream: str, batch: Batch, expected: Expected
) -> list[Recorded] | None:
    """The optimistic append of a batch without amendments, betting that every event is new.

    It checks the version and inserts, leaving the unique index on ids to catch a stored one, which saves
    a lookup of every id. None when the bet is lost (an id is stored or the version does not match):
    nothing is written and `_append_in` decides; a retry of a stored batch with a stale expected version
    is a success there, so a version mismatch is not an error yet.
    """
    version = tx.stream_version(stream)
    if _conflicts(expected, version):
        return None
    rows, records, recorded_at = _rows(tx, clock, stream, batch, version, amends=False)
    return records if tx.try_insert(stream, recorded_at, rows) else None


def _conflicts(expected: Expected, version: int) -> bool:
    return (expected is NO_STREAM and version != 0) or (isinstance(expected, int) and expected != version)


def _append_in(
    tx: WriteTransaction, clock: Callable[[], datetime], stream: str, batch: Batch, expected: Expected
) -> list[Recorded]:
    """The careful append: look up every id first, then check and insert only the new events."""
    stored = tx.find([event.id for event, _ in batch])
    if not stored:  # the common case: every event is new
        return _insert(tx, clock, stream, batch, expected, stored)
    known: dict[str, Recorded] = {}
    for index, (event, data) in enumerate(batch):
        old = stored.get(event.id)
        if old is None:
            continue
        if old.stream != stream:
            raise DuplicateEventError(
                f"event id {event.id!r} is already stored in stream {old.stream!r}", path=f"[{index}].id"
            )
        if old.data != data:
            raise DuplicateEventError(
                f"event id {event.id!r} is already stored with other content", path=f"[{index}].id"
            )
        known[event.id] = old.record
    fresh = [(event, data) for event, data in batch if event.id not in known]
    if not fresh:  # a retry of a batch that was stored: a success that adds nothing
        return [known[event.id] for event, _ in batch]
    for record in _insert(tx, clock, stream, fresh, expected, stored, checked=batch):
        known[record.event.id] = record
    return [known[event.id] for event, _ in batch]


def _insert(
    tx: WriteTransaction,
    clock: Callable[[], datetime],
    stream: str,
    fresh: Batch,
    expected: Expected,
    stored: dict[str, StoredRow],
    checked: Batch | None = None,
) -> list[Recorded]:
    """Check the version and the amendments (of the whole batch, `checked`), then insert `fresh`."""
    version = tx.stream_version(stream)
    if _conflicts(expected, version):
        raise ConcurrencyError(stream, expected, version)

    whole = fresh if checked is None else checked
    amends = any(isinstance(event, AMENDMENTS) for event, _ in whole)
    if amends:

        def find(target_id: str) -> tuple[str, Event] | None:
            row = stored.get(target_id) or tx.find([target_id]).get(target_id)
            return None if row is None else (row.stream, row.record.event)

        check_batch(stream, [event for event, _ in whole], stored, find, tx.amendments)

    rows, records, recorded_at = _rows(tx, clock, stream, fresh, version, amends=amends)
    tx.insert(stream, recorded_at, rows)
    return records


def _rows(
    tx: WriteTransaction,
    clock: Callable[[], datetime],
    stream: str,
    fresh: Batch,
    version: int,
    *,
    amends: bool = True,
) -> tuple[list[NewRow], list[Recorded], datetime]:
    """The rows to insert after the head and the stream's `version`, their records, and their recorded_at.

    `amends`: whether `fresh` may hold corrections or retractions (whose targets the rows carry)."""
    position, last_recorded = tx.head()
    now = clock()
    recorded_at = now if last_recorded is None or now > last_recorded else last_recorded
    with paused_gc():  # as in `append`: two objects per event, all alive until it returns
        rows = _new_rows(position, version, fresh, amends=amends)
        positions = range(position + 1, position + 1 + len(fresh))
        versions = range(version + 1, version + 1 + len(fresh))
        events = [row[2] for row in rows]
        records = list(
            map(_record, positions, itertools.repeat(stream), versions, itertools.repeat(recorded_at), events)
        )
    return rows, records, recorded_at


def _new_rows(position: int, version: int, fresh: Batch, *, amends: bool) -> list[NewRow]:
    """The rows of `fresh` after global `position` and stream `version`; built by map and zip, in C, as the
    loop over a 1,000-event batch costs a tenth of an append."""
    events = [event for event, _ in fresh]
    targets: Iterable[str | None] = (
        [event.target if isinstance(event, AMENDMENTS) else None for event in events]
        if amends
        else itertools.repeat(None)
    )
    numbered = zip(
        range(position + 1, position + 1 + len(fresh)),
        range(version + 1, version + 1 + len(fresh)),
        events,
        [data for _, data in fresh],
        targets,
        strict=False,  # `targets` may be endless
    )
    return list(map(_new_row, numbered))


def append_stream(
    write: Callable[[], AbstractContextManager[WriteTransaction]],
    clock: Callable[[], datetime],
    stream: str,
    events: Iterable[Event],
    expected: Expected,
    chunk: int,
) -> Appended:
    """`EventStore.append_stream` (see there): one transaction, the events checked and inserted `chunk` at a
    time, so memory does not grow with the batch. The rules are `append`'s: an event already stored (same
    stream, same content) is skipped, and a stale `expected` version is a success only if every event is."""
    check_stream_name(stream)
    _prepare(stream, (), expected)  # checks `expected`
    with write() as tx:
        start, last_recorded = tx.head()
        version = tx.stream_version(stream)
        now = clock()
        recorded_at = now if last_recorded is None or now > last_recorded else last_recorded
        conflict = _conflicts(expected, version)
        position, count, added = start, 0, 0
        source = iter(events)
        while piece := list(itertools.islice(source, chunk)):
            with paused_gc():
                batch, amends = _prepare(stream, piece, expected, offset=count)
            del piece
            fresh = _fresh(tx, stream, batch, start, count)
            if fresh and conflict:
                raise ConcurrencyError(stream, expected, version)
            if fresh and amends:
                new = {id(event) for event, _ in fresh}
                stored = {event.id for event, _ in batch if id(event) not in new}
                _check(tx, stream, batch, stored, count)
            if fresh:
                with paused_gc():
                    rows = _new_rows(position, version, fresh, amends=amends)
                position += len(fresh)
                version += len(fresh)
                tx.insert(stream, recorded_at, rows)
            count += len(batch)
            added += len(fresh)
    return Appended(count=count, added=added, version=version, head=position)


def _fresh(tx: WriteTransaction, stream: str, batch: Batch, start: int, offset: int) -> Batch:
    """The events of `batch` not stored yet; errors for ids stored with other content, in another stream, or
    earlier in this same batch (a row after position `start`: inserted by this transaction)."""
    stored = tx.find([event.id for event, _ in batch])
    if not stored:
        return batch
    fresh = []
    for index, (event, data) in enumerate(batch, start=offset):
        old = stored.get(event.id)
        if old is None:
            fresh.append((event, data))
        elif old.record.position > start:
            raise ValidationError(
                f"event id {event.id!r} appears twice in the batch (also earlier)", path=f"[{index}].id"
            )
        elif old.stream != stream:
            raise DuplicateEventError(
                f"event id {event.id!r} is already stored in stream {old.stream!r}", path=f"[{index}].id"
            )
        elif old.data != data:
            raise DuplicateEventError(
                f"event id {event.id!r} is already stored with other content", path=f"[{index}].id"
            )
    return fresh


def _check(tx: WriteTransaction, stream: str, batch: Batch, stored: set[str], offset: int) -> None:
    def find(target_id: str) -> tuple[str, Event] | None:
        row = tx.find([target_id]).get(target_id)
        return None if row is None else (row.stream, row.record.event)

    check_batch(stream, [event for event, _ in batch], stored, find, tx.amendments, offset=offset)
