"""Small helpers shared by the projection tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from timeline.codec import from_json
from timeline.store import EventStore, Recorded

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from timeline.events import Event

T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


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


def records(*batches: tuple[str, Sequence[Event]]) -> list[Recorded]:
    """Records as a store would write them: positions 1.., versions per stream, one minute per batch."""
    out: list[Recorded] = []
    versions: dict[str, int] = {}
    for number, (stream, events) in enumerate(batches):
        for event in events:
            versions[stream] = versions.get(stream, 0) + 1
            out.append(
                Recorded(
                    position=len(out) + 1,
                    stream=stream,
                    version=versions[stream],
                    recorded_at=T0 + timedelta(minutes=number),
                    event=event,
                )
            )
    return out


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
