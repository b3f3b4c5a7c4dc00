"""A Timeline's snapshot: the bytes of a checkpoint's payload (format 2), saved and restored fast.

The payload is ``MAGIC``, the format number and a CRC-32, then a `marshal` image of tuples, strings, ints
and dicts only (no classes, so nothing is executed or constructed but those): the settings, the
position, and one row per entry, shown entries first in their sorted order, so a restore neither sorts
nor parses dates again. Each event is kept as its stored JSON (`timeline.projections._lazy.Stored`), so a
restore builds no typed event either. Anything unexpected (another magic, a CRC mismatch, a short or
malformed image) is a ValidationError: a snapshot is trusted only whole.
"""

from __future__ import annotations

import marshal
import struct
import zlib
from datetime import UTC, datetime, timedelta
from sys import intern
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from timeline import _unknown
from timeline._speed import paused_gc
from timeline.codec import dumps
from timeline.errors import ValidationError
from timeline.projections.entry import Change, Entry, new_entry, stored_event, stored_original

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.events import Occurrence

__all__ = ["FORMAT", "dump", "load"]

#: The payload format this module writes and reads.
FORMAT = 2
MAGIC = b"TLSNAP\x00"
_HEADER = struct.Struct(">7sHI")  # magic, format, CRC-32 of the marshal image
_MARSHAL_VERSION = 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _stored(value: Any) -> tuple[str, int, str, str]:
    """An event slot's value as (type tag, schema version, JSON text, when text)."""
    if type(value) is tuple:
        when = value[3]
        return value if type(when) is str else (value[0], value[1], value[2], when.text)
    event: Occurrence = value
    version = event.schema_version if isinstance(event, _unknown.UnknownOccurrence) else event.SCHEMA_VERSION
    return event.TYPE, version, dumps(event), event.when.text


def dump(header: tuple[Any, ...], shown: Iterable[Entry], hidden: Iterable[Entry]) -> bytes:
    """The payload of `header` (a tuple of marshal-able values), then the entries `shown` (in order) and
    `hidden` (retracted entries the Timeline does not show)."""
    micros: dict[datetime, int] = {}  # entries of one batch share their recorded_at

    def to_micros(moment: datetime) -> int:
        found = micros.get(moment)
        if found is None:
            found = micros[moment] = (moment - _EPOCH) // _MICRO
        return found

    rows: list[tuple[Any, ...]] = []
    append = rows.append
    count = 0
    event_of, original_of = stored_event, stored_original
    with paused_gc():
        for group in (shown, hidden):
            for entry in group:
                original = original_of(entry)
                effective = event_of(entry)
                history = entry.history
                append(
                    (
                        entry.id,
                        entry.stream,
                        entry.position,
                        to_micros(entry.first_recorded),
                        _stored(original),
                        None if effective is original else _stored(effective),
                        tuple(
                            (
                                c.kind,
                                c.event_id,
                                c.position,
                                to_micros(c.recorded_at),
                                c.reason,
                                dict(c.changes),
                            )
                            for c in history
                        )
                        if history
                        else None,
                        entry.retracted,
                    )
                )
            if group is shown:
                count = len(rows)
        # Version 2: without the back-references of later versions, whose bookkeeping costs more (a
        # third of the save here) than the repeated strings they would share (type tags, stream names:
        # `load` shares the stream names again; a restored entry's type tag is its own 60 bytes).
        image = marshal.dumps((header, count, rows), _MARSHAL_VERSION)
    return _HEADER.pack(MAGIC, FORMAT, zlib.crc32(image)) + image


def load(payload: bytes) -> tuple[tuple[Any, ...], list[Entry], dict[str, Entry], int]:
    """(header, entries in order, entries by id, how many of them are shown) from a payload; a
    ValidationError if it is not one."""
    if not isinstance(payload, bytes) or len(payload) < _HEADER.size:
        raise ValidationError("the snapshot is missing or truncated", path="payload")
    magic, form, crc = _HEADER.unpack_from(payload)
    if magic != MAGIC or form != FORMAT:
        raise ValidationError(f"the snapshot is not of format {FORMAT}", path="payload")
    image = memoryview(payload)[_HEADER.size :]
    if zlib.crc32(image) != crc:
        raise ValidationError("the snapshot is damaged (its checksum does not match)", path="payload")
    try:
        with paused_gc():
            header, count, rows = marshal.loads(image)
            entries, by_id = _entries(rows)
            return header, entries, by_id, count
    except (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(
            f"the snapshot is damaged ({type(exc).__name__}: {exc})", path="payload"
        ) from None


def _entries(rows: list[Any]) -> tuple[list[Entry], dict[str, Entry]]:
    """The entries of the rows `dump` wrote. The `Stored` tuples are used as they are: their `when` stays
    text until a sort needs it (`_lazy.when_text`)."""
    moments: dict[int, datetime] = {}
    streams: dict[str, str] = {}
    entry = new_entry
    out: list[Entry] = []
    by_id: dict[str, Entry] = {}
    append = out.append
    for event_id, stream, position, first, original, effective, history, retracted in rows:
        name = streams.get(stream) or streams.setdefault(stream, intern(stream))
        first_recorded = moments.get(first)
        if first_recorded is None:
            first_recorded = moments[first] = _EPOCH + timedelta(microseconds=first)
        if history is None:
            by_id[event_id] = made = entry(
                event_id, name, original, original, position, 1, first_recorded, first_recorded, (), retracted
            )
            append(made)
            continue
        changes = tuple(
            Change(
                kind=kind,
                event_id=change_id,
                position=at,
                recorded_at=_EPOCH + timedelta(microseconds=micros),
                reason=reason,
                changes=MappingProxyType(values),
            )
            for kind, change_id, at, micros, reason, values in history
        )
        revision = 1 + sum(change.kind == "correction" for change in changes)
        event = original if effective is None else effective
        last = changes[-1].recorded_at
        by_id[event_id] = made = entry(
            event_id, name, event, original, position, revision, first_recorded, last, changes, retracted
        )
        append(made)
    return out, by_id
