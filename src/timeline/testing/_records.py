"""Records and timelines for test data: events as a store would record them, folded without a store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from timeline.events import Correction, Retraction
from timeline.projections import Timeline
from timeline.store import Recorded

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline.events import Event

#: When the first test record was recorded.
T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def recorded_batches(
    *batches: tuple[str, Iterable[Event]], start: datetime = T0, step: timedelta = timedelta(minutes=1)
) -> list[Recorded]:
    """Records of ``(stream, events)`` batches as a store writes them: positions 1.., versions counted per
    stream, each batch recorded `step` after the one before."""
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
                    recorded_at=start + number * step,
                    event=event,
                )
            )
    return out


def records(
    events: Iterable[Event],
    *,
    stream: str = "story",
    start: datetime = T0,
    step: timedelta = timedelta(seconds=1),
) -> list[Recorded]:
    """The events of one stream as a store would record them, each in its own batch `step` apart; the first
    at `start` + `step`."""
    return recorded_batches(*((stream, (event,)) for event in events), start=start + step, step=step)


def timeline_of(events: Iterable[Event], *, stream: str = "story", **view: Any) -> Timeline:
    """A Timeline folded from `events` of one stream (corrections and retractions included); `view` takes
    `Timeline.from_records`'s ``as_of`` and ``include_retracted``."""
    return Timeline.from_records(records(events, stream=stream), stream=stream, **view)


def correct(target: str, changes: dict[str, Any], *, event_id: str | None = None) -> Correction:
    """A correction of `target` with `changes` (whole top-level fields, as JSON values)."""
    return Correction(id=event_id or f"fix-{target}", target=target, changes=changes, reason="a better word")


def retract(target: str, *, event_id: str | None = None) -> Retraction:
    """A retraction of `target`."""
    return Retraction(id=event_id or f"drop-{target}", target=target, reason="source withdrawn")
