"""Small helpers shared by the projection tests (their records come from `timeline.testing`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from timeline.codec import from_json
from timeline.store import EventStore, Recorded

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from timeline.events import Event


def ev(data: dict[str, Any]) -> Event:
    """An event from its JSON form (as a user writes it)."""
    return from_json(data)


def append_later(store: EventStore, stream: str, events: Sequence[Event]) -> list[Recorded]:
    """Append with the store's clock set a millisecond past the last record, so this batch's recorded_at is
    later than the previous one's (no sleeping)."""
    head = store.head()
    last = next(iter(store.read_all(after=head - 1))).recorded_at if head else datetime.now(UTC)
    store.clock = lambda: last + timedelta(milliseconds=1)
    return store.append(stream, events)


class CountingStore:
    """Wraps a store and counts the records its readers yield: catch-ups must read only what is new."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.yielded = 0

    def _count(self, records: Iterator[Recorded]) -> Iterator[Recorded]:
        for record in records:
            self.yielded += 1
            yield record

    def read_all(self, after: int = 0) -> Iterator[Recorded]:
        return self._count(self.store.read_all(after=after))

    def read(self, stream: str, *, after_version: int = 0) -> Iterator[Recorded]:
        return self._count(self.store.read(stream, after_version=after_version))

    def head(self) -> int:
        return self.store.head()
