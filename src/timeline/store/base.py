"""The event store contract: `EventStore`, what every backend is used through.

A backend implements a write transaction (`timeline.store.contract.WriteTransaction`: a few primitives) and
the reads; `append` is shared (`timeline.store._append`), so every backend gives the same guarantees. The
records and expected versions are defined in `timeline.store.contract` and re-exported here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Self

from timeline._unknown import is_unknown
from timeline.codec import dumps
from timeline.store.contract import (
    ANY,
    NO_STREAM,
    Appended,
    Clock,
    Expected,
    ExpectedVersion,
    NewRow,
    RawRecord,
    Recorded,
    StoredRow,
    WriteTransaction,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from contextlib import AbstractContextManager
    from types import TracebackType

    from timeline.events import Event

__all__ = [
    "ANY",
    "NO_STREAM",
    "Appended",
    "Clock",
    "EventStore",
    "Expected",
    "ExpectedVersion",
    "NewRow",
    "RawRecord",
    "Recorded",
    "StoredRow",
    "WriteTransaction",
]


class EventStore(ABC):
    """An append-only log of streams of events. Use `timeline.open_store(url)` to get one."""

    #: How the store was opened (a path, "memory:", a PostgreSQL URL without secrets).
    url: str = ""

    #: What stamps `recorded_at` (an aware UTC datetime; the system clock unless a test sets another). The
    #: store never lets `recorded_at` go backwards, whatever the clock says.
    clock: Clock = staticmethod(utc_now)

    #: True when `read_all_raw` and `read_raw` read the stored rows as they are (cheaper than the typed
    #: reads: a projection builds the typed events it needs when it needs them); False when they encode
    #: the typed records again (the default below), so a projection reads the typed records instead.
    raw_reads: ClassVar[bool] = False

    # -- what a backend implements -------------------------------------------------------------

    @abstractmethod
    def _write(self) -> AbstractContextManager[WriteTransaction]:
        """A write transaction: committed when the block exits normally, rolled back otherwise."""

    @abstractmethod
    def read(self, stream: str, *, after_version: int = 0) -> Iterator[Recorded]:
        """The stream's events after `after_version`, in order, streamed (not loaded all at once)."""

    @abstractmethod
    def read_all(self, after: int = 0) -> Iterator[Recorded]:
        """The whole log after global position `after`, in position order, streamed."""

    @abstractmethod
    def version(self, stream: str) -> int:
        """The stream's current version (0 when it does not exist)."""

    @abstractmethod
    def head(self) -> int:
        """The last global position (0 for an empty store)."""

    @abstractmethod
    def streams(self) -> list[str]:
        """The names of all streams, sorted."""

    def read_all_raw(self, after: int = 0) -> Iterator[RawRecord]:
        """The whole log after global position `after` as stored rows (`RawRecord`), in position order,
        streamed; the same records as `read_all`, without building their typed events."""
        for record in self.read_all(after):
            yield _raw(record)

    def read_raw(self, stream: str, *, after_version: int = 0) -> Iterator[RawRecord]:
        """The stream's events after `after_version` as stored rows (`RawRecord`), in order, streamed."""
        for record in self.read(stream, after_version=after_version):
            yield _raw(record)

    def close(self) -> None:  # noqa: B027 - a store without resources has nothing to release
        """Release the store's resources; the object cannot be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # -- the shared append ---------------------------------------------------------------------

    def append(
        self, stream: str, events: Iterable[Event], expected_version: Expected = ANY
    ) -> list[Recorded]:
        """Append a batch of events to `stream`, all or nothing; return their records.

        `expected_version` is `ANY`, `NO_STREAM` or the stream's current version (an int); a mismatch raises
        `ConcurrencyError`. Events whose id is already stored with the same content are not stored again
        (their existing records are returned); the same id with other content raises `DuplicateEventError`.
        Corrections and retractions are checked against their target (`timeline.amendments`); any error
        appends nothing.
        """
        from timeline.store import _append  # here: a store opened only to read never imports appending

        return _append.append(self._write, self.clock, stream, events, expected_version)

    def append_stream(
        self, stream: str, events: Iterable[Event], expected_version: Expected = ANY, *, chunk: int = 5000
    ) -> Appended:
        """Like `append`, for batches too big to hold: one transaction (all or nothing), the events read,
        checked and inserted `chunk` at a time, so memory stays flat however long `events` is. Returns a
        summary (`Appended`) rather than a record per event. An error raised while iterating `events`
        (bad input found late) rolls the whole batch back too.
        """
        from timeline.store import _append

        return _append.append_stream(self._write, self.clock, stream, events, expected_version, chunk)


def _raw(record: Recorded) -> RawRecord:
    event = record.event
    return (
        record.position,
        record.stream,
        record.version,
        event.TYPE,
        event.schema_version if is_unknown(event) else event.SCHEMA_VERSION,  # type: ignore[attr-defined]
        record.recorded_at,
        event.id,
        dumps(event),
    )
