"""A snapshot block's rows: entries as tuples of strings, ints, dicts and tuples (what `marshal` writes), and
back. One row per entry: id, stream, position, first recorded (microseconds since the epoch), the original
and the effective event as `timeline.projections._lazy.Stored` tuples (their `when` as text, so a restore
neither parses JSON nor dates), the history and whether it is retracted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from sys import intern
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from timeline import _unknown
from timeline.codec import dumps
from timeline.projections.entry import Change, Entry, new_entry, stored_event, stored_original

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.events import Occurrence

__all__ = ["entries_of", "rows_of"]

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


def rows_of(entries: Iterable[Entry], micros: dict[datetime, int]) -> list[tuple[Any, ...]]:
    """The rows of `entries`; `micros` caches the instants seen (entries of one batch share theirs)."""

    def to_micros(moment: datetime) -> int:
        found = micros.get(moment)
        if found is None:
            found = micros[moment] = (moment - _EPOCH) // _MICRO
        return found

    rows: list[tuple[Any, ...]] = []
    append = rows.append
    event_of, original_of, known = stored_event, stored_original, micros.get
    for entry in entries:
        original = original_of(entry)
        effective = event_of(entry)
        history = entry.history
        first = entry.first_recorded
        # The common cases inline (a call each costs a tenth of a full save): an instant seen before, and
        # a `Stored` tuple of a rebuild (its `when` parsed) or of a restore (its text, kept as it is).
        first_micros = known(first)
        if first_micros is None:
            first_micros = to_micros(first)
        if type(original) is tuple:
            when = original[3]
            stored = original if type(when) is str else (original[0], original[1], original[2], when.text)
        else:
            stored = _stored(original)
        append(
            (
                entry.id,
                entry.stream,
                entry.position,
                first_micros,
                stored,
                None if effective is original else _stored(effective),
                tuple(
                    (c.kind, c.event_id, c.position, to_micros(c.recorded_at), c.reason, dict(c.changes))
                    for c in history
                )
                if history
                else None,
                entry.retracted,
            )
        )
    return rows


def _shared(stored: tuple[str, int, str, str], share: Any) -> tuple[str, int, str, str]:
    """`stored` with one string for each type tag and `when` text (marshal writes each string anew)."""
    type_tag, version, data, when = stored
    return intern(type_tag), version, data, share(when, when)


def entries_of(rows: list[Any], ids: tuple[str, ...]) -> list[Entry]:
    """The entries of the rows `rows_of` wrote, whose ids are `ids` (a ValueError if not; these strings are
    kept, not the rows' copies). The `Stored` tuples keep their `when` as text until a sort needs it
    (`_lazy.when_text`)."""
    if len(rows) != len(ids):
        raise ValueError(f"{len(rows)} rows for {len(ids)} ids")
    moments: dict[int, datetime] = {}
    streams: dict[str, str] = {}
    shared: dict[str, str] = {}
    share = shared.setdefault
    entry = new_entry
    out: list[Entry] = []
    append = out.append
    for event_id, row in zip(ids, rows, strict=True):
        row_id, stream, position, first, original, effective, history, retracted = row
        if row_id != event_id:
            raise ValueError(f"the row of {row_id!r} where {event_id!r} was expected")
        original = _shared(original, share)
        name = streams.get(stream) or streams.setdefault(stream, intern(stream))
        first_recorded = moments.get(first)
        if first_recorded is None:
            first_recorded = moments[first] = _EPOCH + timedelta(microseconds=first)
        if history is None:
            append(
                entry(
                    event_id,
                    name,
                    original,
                    original,
                    position,
                    1,
                    first_recorded,
                    first_recorded,
                    (),
                    retracted,
                )
            )
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
        event = original if effective is None else _shared(effective, share)
        last = changes[-1].recorded_at
        append(
            entry(
                event_id, name, event, original, position, revision, first_recorded, last, changes, retracted
            )
        )
    return out
