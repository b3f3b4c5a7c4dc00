"""eventsourcing's side of bench_compare.py: the same events as its domain events, its SQLite application
recorder's batched append and its log decode (a benchmark-only dependency, never imported by timeline)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bench_store import BATCH
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from timeline.codec import to_json

if TYPE_CHECKING:
    from pathlib import Path

    from timeline.events import Event


@dataclass(frozen=True)
class Happened(DomainEvent):
    """eventsourcing's side of an event: the same data, as its mapper stores it (JSON)."""

    data: dict[str, Any]


def domain_event(event: Event) -> Happened:
    """`event` as eventsourcing stores it: the same data, as a domain event of one version."""
    return Happened(
        originator_id=uuid.uuid5(uuid.NAMESPACE_URL, event.id),
        originator_version=1,
        timestamp=datetime.now(UTC),
        data=to_json(event),
    )


def new_recorder(path: Path) -> SQLiteApplicationRecorder:
    """A fresh eventsourcing SQLite application recorder at `path`, its table made."""
    recorder = SQLiteApplicationRecorder(SQLiteDatastore(str(path)))
    recorder.create_table()
    return recorder


def es_append(recorder: SQLiteApplicationRecorder, happened: list[Happened]) -> None:
    """eventsourcing's batched append: the mapper's encoding and `insert_events`, a batch at a time."""
    mapper = _mapper()
    for start in range(0, len(happened), BATCH):
        recorder.insert_events([mapper.to_stored_event(e) for e in happened[start : start + BATCH]])


def es_decode(recorder: SQLiteApplicationRecorder) -> None:
    """eventsourcing's log decode: `select_notifications` pages and the mapper's `to_domain_event`."""
    mapper = _mapper()
    start: int | None = None
    while True:
        page = recorder.select_notifications(start, BATCH, inclusive_of_start=start is None)
        if not page:
            return
        for notification in page:
            mapper.to_domain_event(notification)
        start = page[-1].id


def _mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return Mapper(transcoder=transcoder)
