"""The append algorithm every backend shares, on the primitives of a `WriteTransaction`.

It gives `append` the same guarantees everywhere: expected versions, idempotent event ids, corrections and
retractions checked by `timeline.amendments`, gapless positions and a `recorded_at` that never goes backwards.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING

from timeline._fastcodec import dumper
from timeline._speed import builder, paused_gc
from timeline.amendments import AMENDMENTS, check_batch
from timeline.codec import dumps, to_json
from timeline.errors import ConcurrencyError, DuplicateEventError, ValidationError
from timeline.events import Event
from timeline.store.contract import NO_STREAM, Expected, ExpectedVersion, NewRow, Recorded

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from contextlib import AbstractContextManager
    from datetime import datetime

    from timeline.store.contract import StoredRow, WriteTransaction

__all__ = ["append", "check_stream_name"]

Batch = list[tuple[Event, str]]

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


def check_stream_name(stream: object) -> str:
    """`stream` if it is a valid stream name, else a ValidationError saying what a name may hold."""
    if not isinstance(stream, str) or not _valid_name(stream):
        raise ValidationError(
            f"{stream!r} is not a valid stream name (1-200 characters, no control characters)", path="stream"
        )
    return stream


def _valid_name(name: str) -> bool:
    return _STREAM_NAME.match(name) is not None


_STREAM_NAME = re.compile(r"^[^\x00-\x1f]{1,200}$")


def _prepare(stream: str, events: Iterable[Event], expected: Expected) -> tuple[Batch, bool]:
    """The batch with each event's canonical JSON, and whether it holds corrections or retractions."""
    check_stream_name(stream)
    if not isinstance(expected, ExpectedVersion) and (
        isinstance(expected, bool) or not isinstance(expected, int) or expected < 0
    ):
        raise ValidationError(
            f"{expected!r} is not ANY, NO_STREAM or a version >= 0", path="expected_version"
        )
    batch: Batch = []
    seen: dict[str, int] = {}
    amends = False
    # The checks and the encoder lookup once per class rather than per event: a batch has few classes.
    dumpers: dict[type, Callable[[Event], str]] = {}
    for index, event in enumerate(events):
        cls = type(event)
        dump = dumpers.get(cls)
        if dump is None:
            if not isinstance(event, Event):
                raise ValidationError(f"expected an event, got {cls.__name__}", path=f"[{index}]")
            dump = dumpers[cls] = dumper(cls) or dumps
            amends = amends or issubclass(cls, AMENDMENTS)
        event_id = event.id
        if event_id in seen:
            raise ValidationError(
                f"event id {event_id!r} appears twice in the batch (also at [{seen[event_id]}])",
                path=f"[{index}].id",
            )
        seen[event_id] = index
        data = dump(event)
        if not data.isascii():
            _check_encodable(event, data, index)
        batch.append((event, data))
    return batch, amends


def _check_encodable(event: Event, data: str, index: int) -> None:
    """Refuse text with a lone surrogate (json.loads makes one of "\\ud800"): no UTF-8 store can keep it."""
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        for name, value in to_json(event).items():
            try:
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ValidationError(
                    "contains a lone surrogate, which is not Unicode text", path=f"[{index}].{name}"
                ) from None
        raise ValidationError(
            "contains a lone surrogate, which is not Unicode text", path=f"[{index}]"
        ) from None


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
    rows, records, recorded_at = _rows(tx, clock, stream, batch, version)
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
    if any(isinstance(event, AMENDMENTS) for event, _ in whole):

        def find(target_id: str) -> tuple[str, Event] | None:
            row = stored.get(target_id) or tx.find([target_id]).get(target_id)
            return None if row is None else (row.stream, row.record.event)

        check_batch(stream, [event for event, _ in whole], stored, find, tx.amendments)

    rows, records, recorded_at = _rows(tx, clock, stream, fresh, version)
    tx.insert(stream, recorded_at, rows)
    return records


def _rows(
    tx: WriteTransaction, clock: Callable[[], datetime], stream: str, fresh: Batch, version: int
) -> tuple[list[NewRow], list[Recorded], datetime]:
    """The rows to insert after the head and the stream's `version`, their records, and their recorded_at."""
    position, last_recorded = tx.head()
    now = clock()
    recorded_at = now if last_recorded is None or now > last_recorded else last_recorded
    rows = []
    records = []
    new_row, record = _new_row, _record
    with paused_gc():  # as in `append`: two objects per event, all alive until it returns
        for event, data in fresh:
            position += 1
            version += 1
            target = event.target if isinstance(event, AMENDMENTS) else None
            rows.append(new_row((position, version, event, data, target)))
            records.append(record(position, stream, version, recorded_at, event))
    return rows, records, recorded_at
