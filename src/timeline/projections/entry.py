"""The items of a Timeline: an `Entry` per occurrence, and its history of `Change`s.

An entry folded from stored rows keeps its occurrence as stored (`timeline.projections._lazy.Stored`) until
`event` or `original` is first read: both fields then build the typed event, once, and keep it. Everything
else about an entry (equality, repr, hash, `attrs.evolve`) reads the fields, so it sees typed events only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from timeline._speed import builder, open_twin
from timeline.events import Occurrence
from timeline.projections._lazy import build, when_text

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
        value = _EVENT.__get__(self)
        return when_text(value[3]) if type(value) is tuple else value.when


class _BuiltOnRead:
    """The descriptor of `Entry.event` and `Entry.original`: the slot itself, except that a `Stored` tuple
    found there is built into its typed occurrence, which replaces it (in the other field too if it holds
    the same tuple: an entry without corrections has one event, as ``entry.event is entry.original``)."""

    __slots__ = ("_other", "_slot")

    def __init__(self, slot: Any, other: Any) -> None:
        self._slot = slot
        self._other = other

    def __get__(self, entry: Entry | None, owner: type | None = None) -> Any:
        if entry is None:
            return self
        value = self._slot.__get__(entry, owner)
        if type(value) is not tuple:
            return value
        event = build(value, entry.position)
        self._slot.__set__(entry, event)
        if self._other.__get__(entry, owner) is value:
            self._other.__set__(entry, event)
        return event

    def __set__(self, entry: Entry, value: Any) -> None:
        self._slot.__set__(entry, value)


#: Entry(...) from its fields in order, positionally, without keyword parsing (a third of the cost of
#: folding a row), setting the slots directly: for the fold and the snapshot restore.
new_entry = builder(Entry)
#: The slots as they are: a `Stored` tuple or a typed occurrence (the fold and checkpoints read these).
_EVENT = Entry.__dict__["event"]
_ORIGINAL = Entry.__dict__["original"]
Entry.event = _BuiltOnRead(_EVENT, _ORIGINAL)  # type: ignore[assignment]
Entry.original = _BuiltOnRead(_ORIGINAL, _EVENT)  # type: ignore[assignment]
# `new_entry` builds on the open twin (`_speed.open_twin`): there the two fields are the bare slots again, so
# that setting them is no call into `_BuiltOnRead.__set__` (two Python calls an entry, 8% of a rebuild).
_twin = open_twin(Entry)
if _twin is not None:
    _twin.event = _EVENT  # type: ignore[attr-defined]
    _twin.original = _ORIGINAL  # type: ignore[attr-defined]


#: ``stored_event(entry)``: what `entry.event` holds now, a typed occurrence or a `Stored` tuple not built
#: yet. The slot's own getter, not a function calling it: sorts call it once per key.
stored_event: Callable[[Entry], Any] = _EVENT.__get__
#: ``stored_original(entry)``: what `entry.original` holds now (see `stored_event`).
stored_original: Callable[[Entry], Any] = _ORIGINAL.__get__


def last_position(entry: Entry) -> int:
    """The global position of the newest record that made or changed `entry`."""
    changes = entry.history
    return changes[-1].position if changes else entry.position


def when_text_of(entry: Entry) -> str:
    """The text of `entry`'s effective `when`, without building its event."""
    value = stored_event(entry)
    if type(value) is tuple:
        when = value[3]
        return when if type(when) is str else when.text
    return value.when.text  # type: ignore[no-any-return]


def type_tag(entry: Entry) -> str:
    """The type tag of `entry`'s effective event, without building it."""
    value = stored_event(entry)
    tag: str = value[0] if type(value) is tuple else value.TYPE
    return tag


def entry_holds(entry: Entry | None, position: int, event_id: str, recorded_at: datetime) -> bool:
    """Whether `entry` was made or changed by the record at `position` (see `Timeline.holds_record`)."""
    if entry is None:
        return False
    if entry.position == position:
        return entry.id == event_id and entry.first_recorded == recorded_at
    return any(
        change.position == position and change.event_id == event_id and change.recorded_at == recorded_at
        for change in entry.history
    )
