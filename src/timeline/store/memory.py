"""The in-memory store: the reference backend for tests and throwaway work. Nothing survives the process."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

from timeline._unknown import is_unknown
from timeline.codec import dumps
from timeline.events import Correction, Event, Retraction
from timeline.store._names import check_readable_name
from timeline.store.base import EventStore
from timeline.store.contract import NewRow, RawRecord, Recorded, StoredRow, WriteTransaction

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime


class MemoryStore(EventStore):
    """An `EventStore` kept in a list; thread-safe; `open_store("memory:")`."""

    def __init__(self) -> None:
        self.url = "memory:"
        self._log: list[Recorded] = []
        self._data: dict[str, StoredRow] = {}
        self._streams: dict[str, list[int]] = {}  # stream -> positions
        self._amendments: dict[str, list[int]] = {}  # target id -> positions
        self._lock = threading.RLock()

    @contextmanager
    def _write(self) -> Iterator[WriteTransaction]:
        with self._lock:
            tx = _MemoryTx(self)
            yield tx
            tx.commit()

    def read(self, stream: str, *, after_version: int = 0) -> Iterator[Recorded]:
        """The stream's events after `after_version`, in order."""
        check_readable_name(stream)
        with self._lock:
            positions = list(self._streams.get(stream, ())[after_version:])
        for position in positions:
            yield self._log[position - 1]

    def read_all(self, after: int = 0) -> Iterator[Recorded]:
        """The whole log after global position `after`, in position order."""
        position = after
        while True:
            with self._lock:
                chunk = self._log[position : position + 1000]
            if not chunk:
                return
            yield from chunk
            position += len(chunk)

    raw_reads = True

    def read_all_raw(self, after: int = 0) -> Iterator[RawRecord]:
        """The whole log after global position `after` as stored rows, with the JSON it was stored as."""
        position = after
        while True:
            with self._lock:
                chunk = [self._raw(record) for record in self._log[position : position + 1000]]
            if not chunk:
                return
            yield from chunk
            position += len(chunk)

    def read_raw(self, stream: str, *, after_version: int = 0) -> Iterator[RawRecord]:
        """The stream's events after `after_version` as stored rows."""
        for record in self.read(stream, after_version=after_version):
            yield self._raw(record)

    def _raw(self, record: Recorded) -> RawRecord:
        event = record.event
        stored = self._data.get(event.id)
        # the JSON the event was appended as; encoded again for a record put in the log some other way
        data = stored.data if stored is not None and stored.record is record else dumps(event)
        version = event.schema_version if is_unknown(event) else event.SCHEMA_VERSION  # type: ignore[attr-defined]
        return (
            record.position,
            record.stream,
            record.version,
            event.TYPE,
            version,
            record.recorded_at,
            event.id,
            data,
        )

    def version(self, stream: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        return len(self._streams.get(stream, ()))

    def head(self) -> int:
        """The last global position (0 for an empty store)."""
        return len(self._log)

    def streams(self) -> list[str]:
        """The names of all streams, sorted."""
        with self._lock:
            return sorted(self._streams)


class _MemoryTx(WriteTransaction):
    """Collects the inserts and applies them on commit, so a failing batch leaves nothing behind. Inside the
    transaction they are visible, as a database's own writes are (`append_stream` inserts chunk by chunk)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._pending: list[Recorded] = []
        self._pending_data: list[str] = []
        self._pending_rows: dict[str, StoredRow] = {}

    def find(self, ids: Sequence[str]) -> dict[str, StoredRow]:
        data, pending = self._store._data, self._pending_rows
        found = {i: data[i] for i in ids if i in data}
        if pending:
            found.update((i, pending[i]) for i in ids if i in pending)
        return found

    def stream_version(self, stream: str) -> int:
        pending = [r.version for r in self._pending if r.stream == stream]
        return pending[-1] if pending else self._store.version(stream)

    def head(self) -> tuple[int, datetime | None]:
        if self._pending:
            return self._pending[-1].position, self._pending[-1].recorded_at
        log = self._store._log
        return len(log), (log[-1].recorded_at if log else None)

    def amendments(self, target: str) -> list[Event]:
        log = self._store._log
        stored = [log[p - 1].event for p in self._store._amendments.get(target, ())]
        return stored + [
            r.event
            for r in self._pending
            if isinstance(r.event, (Correction, Retraction)) and r.event.target == target
        ]

    def insert(self, stream: str, recorded_at: datetime, rows: Sequence[NewRow]) -> None:
        for row in rows:
            record = Recorded(
                position=row.position,
                stream=stream,
                version=row.version,
                recorded_at=recorded_at,
                event=row.event,
            )
            self._pending.append(record)
            self._pending_data.append(row.data)
            self._pending_rows[row.event.id] = StoredRow(stream=stream, data=row.data, record=record)

    def commit(self) -> None:
        store = self._store
        for record, data in zip(self._pending, self._pending_data, strict=True):
            store._log.append(record)
            store._data[record.event.id] = StoredRow(stream=record.stream, data=data, record=record)
            store._streams.setdefault(record.stream, []).append(record.position)
            event = record.event
            if isinstance(event, (Correction, Retraction)):
                store._amendments.setdefault(event.target, []).append(record.position)
