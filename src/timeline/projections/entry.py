"""The items of a Timeline: an `Entry` per occurrence, and its history of `Change`s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from timeline.events import Occurrence

if TYPE_CHECKING:
    from timeline.when import When


@attrs.frozen(kw_only=True)
class Change:
    """One correction or retraction in an entry's history."""

    kind: str
    """``"correction"`` or ``"retraction"``."""
    event_id: str
    """The id of the correction or retraction event."""
    position: int
    """Its global position in the log."""
    recorded_at: datetime
    """When the store recorded it (aware, UTC)."""
    reason: str
    """Why, as the correction or retraction says."""
    changes: Mapping[str, Any] = attrs.field(hash=False)
    """The replaced top-level fields as JSON values (as in the Correction); empty for a retraction."""


@attrs.frozen(kw_only=True)
class Entry:
    """One occurrence as the timeline knows it: the latest word on it, and how it got there."""

    id: str
    """The original event's id (corrections keep it)."""
    stream: str
    """The stream the event was recorded in."""
    event: Occurrence
    """The effective event: the original with its corrections applied in order."""
    original: Occurrence
    """The event as first recorded."""
    position: int
    """The global position of the original event."""
    revision: int
    """1 + the number of corrections."""
    first_recorded: datetime
    """When the original event was recorded."""
    last_changed: datetime
    """When the latest correction or retraction was recorded (`first_recorded` when there is none)."""
    history: tuple[Change, ...] = ()
    """The corrections and retractions, in the order they were recorded."""
    retracted: bool = False
    """True once a retraction was recorded (such entries are left out of timelines unless asked for)."""

    @property
    def when(self) -> When:
        """The effective event's `when`."""
        return self.event.when
