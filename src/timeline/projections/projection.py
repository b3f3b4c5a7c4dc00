"""What every projection offers (`Projection`), and the base of the read models derived from a Timeline."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Generic, Protocol, Self, TypeVar

from timeline.projections.timeline import Timeline

if TYPE_CHECKING:
    from datetime import datetime

    from timeline.store.base import EventStore

T = TypeVar("T")


class Projection(Protocol):
    """A read model folded from the log: it knows how far it folded and can catch up."""

    @property
    def position(self) -> int:
        """The global position of the last record folded."""
        ...

    def catch_up(self, store: EventStore) -> int:
        """Fold what `store` recorded after `position`; return how many records were folded."""
        ...


class TimelineView(ABC, Generic[T]):
    """A read model computed from a Timeline, so corrections, retractions, `stream` and `as_of` apply to it.

    It is recomputed lazily, when the Timeline changed (after a catch-up of either of them).
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._cache: T | None = None
        self._generation = -1

    @classmethod
    def from_timeline(cls, timeline: Timeline) -> Self:
        """The view of `timeline` (shared, not copied: it follows the Timeline's catch-ups)."""
        return cls(timeline)

    @classmethod
    def from_store(
        cls, store: EventStore, *, stream: str | None = None, as_of: datetime | None = None
    ) -> Self:
        """The view of a new Timeline folded from `store` (see `Timeline.from_store`)."""
        return cls(Timeline.from_store(store, stream=stream, as_of=as_of))

    @property
    def position(self) -> int:
        """The Timeline's position."""
        return self.timeline.position

    def catch_up(self, store: EventStore) -> int:
        """Catch the Timeline up with `store`; return how many records were folded."""
        return self.timeline.catch_up(store)

    def _current(self) -> T:
        if self._cache is None or self._generation != self.timeline.generation:
            self._cache = self._compute()
            self._generation = self.timeline.generation
        return self._cache

    @abstractmethod
    def _compute(self) -> T:
        """The view's data from the Timeline's current entries."""
