"""The fold's steps for one record: whether it counts for `reported_by`, what an occurrence or an amendment
does to the entries, and the collector freeze after a bulk load. `Timeline` in `timeline.py` drives them."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime
from sys import intern
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from timeline.amendments import corrected, refusal
from timeline.errors import ValidationError
from timeline.events import Correction, Event, Occurrence, Retraction
from timeline.projections.entry import Change, Entry

if TYPE_CHECKING:
    from timeline.store.base import Recorded


def reported_on(event: Event, recorded_at: datetime) -> date:
    """The day by which `event` had certainly been reported: the last possible day of its earliest dated
    source's `published`, or (no dated source) the UTC day it was recorded."""
    days = [s.published.latest for s in event.sources if s.published is not None and s.published.latest]
    return min(days) if days else recorded_at.astimezone(UTC).date()


BULK = 10_000
"""A fold of at least this many records is a bulk load: what is alive afterwards is frozen (see below)."""


def freeze_after_bulk(folded: int) -> None:
    """After a bulk load, move every object alive to the collector's permanent generation (`gc.freeze`).

    A large Timeline is long-lived: each full collection would traverse all its objects again (0.84 s with
    100,000 entries alive here, then none). Frozen objects are still freed by reference counting when
    dropped, and the fold makes no reference cycles, so nothing of the Timeline is kept longer.
    """
    if folded >= BULK:
        gc.freeze()


def fold_event(
    by_id: dict[str, Entry], before: dict[str, Entry | None] | None, record: Recorded, event: Event
) -> None:
    """Fold one typed record that counts: a new entry for an occurrence, an amended one for a correction or
    retraction the rules let through. `before` (None in a first, bulk fold) notes what changed."""
    if isinstance(event, Occurrence):
        event_id = event.id
        if event_id not in by_id:
            if before is not None:
                before[event_id] = None
            by_id[event_id] = Entry(
                id=event_id,
                stream=intern(record.stream),  # one copy of each name, not one per entry
                event=event,
                original=event,
                position=record.position,
                revision=1,
                first_recorded=record.recorded_at,
                last_changed=record.recorded_at,
            )
    elif isinstance(event, (Correction, Retraction)):
        target = by_id.get(event.target)
        # The store refuses what breaks the rules; a log written otherwise may hold it: ignored.
        if target is not None and (
            refusal(event, record.stream, target.event, target.stream, retracted=target.retracted) is None
        ):
            amended = amend(target, record, event)  # may raise: nothing changed yet
            if before is not None:
                before.setdefault(event.target, target)
            by_id[event.target] = amended


def amend(entry: Entry, record: Recorded, event: Correction | Retraction) -> Entry:
    """The entry after one correction or retraction."""
    if isinstance(event, Retraction):
        change = Change(
            kind="retraction",
            event_id=event.id,
            position=record.position,
            recorded_at=record.recorded_at,
            reason=event.reason,
            changes=MappingProxyType({}),
        )
        return attrs.evolve(
            entry, history=(*entry.history, change), last_changed=record.recorded_at, retracted=True
        )
    try:
        effective = corrected(entry.event, event)
    except ValidationError as exc:
        raise ValidationError(
            f"{exc.reason} (correction {event.id!r} at position {record.position})", path=exc.path
        ) from None
    change = Change(
        kind="correction",
        event_id=event.id,
        position=record.position,
        recorded_at=record.recorded_at,
        reason=event.reason,
        changes=MappingProxyType(event.changes),
    )
    return attrs.evolve(
        entry,
        event=effective,
        revision=entry.revision + 1,
        history=(*entry.history, change),
        last_changed=record.recorded_at,
    )
