"""Selections: the entries of a Timeline that have some tags, are of some types, or involve some actors.

One meaning everywhere (`timeline.export`, ``timeline export`` / ``show`` / ``ledger`` ... with ``--tag``,
``--type``, ``--actor``, and the server's ``?tag=…&type=…&actor=…``):

- Each filter matches the *effective* event of an entry: the latest word, after corrections (a tag added by
  a correction counts; one a correction removed does not).
- ``tags``: the event has at least one of them in `Event.tags`. ``types``: the event's type tag
  (``event.TYPE``: ``payment``, ``meeting``, a plugin's type) is one of them. ``actors``: at least one of
  them is among the names the event involves (`Event.involved`: its role fields, such as a payment's payer
  and payee, then `Event.actors`).
- Repeated values of one filter are alternatives (OR); different filters must all hold (AND); no filter
  keeps every entry.
- Values compare whole, without regard to case (``str.casefold``) and with runs of white space taken as one
  space, the ends trimmed: ``--actor "nayib  bukele"`` matches "Nayib Bukele", ``--actor Bukele`` does not.
- A type must be a registered occurrence type (a built-in, or one an installed plugin provides); any other
  is a `ValidationError` naming it, so a typo is said rather than giving an empty feed.

`Selection.apply` gives a new, read-only Timeline of the selected entries, a snapshot of the timeline as it
was: exporters take it as any Timeline. Its `position` and `last_changed` are those of the whole timeline
(how far the log was read, and its last change), so a feed's validators follow the log, as unfiltered ones do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import attrs

from timeline.errors import ValidationError
from timeline.events import EVENT_TYPES, Occurrence, find_event_type
from timeline.projections._summaries import type_counts, unusually_dated
from timeline.projections.entry import entry_holds
from timeline.projections.timeline import Timeline

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from datetime import datetime

    from timeline.checkpoints import Checkpoint
    from timeline.projections.entry import Entry
    from timeline.store.base import EventStore, Recorded

__all__ = ["SelectedTimeline", "Selection", "normalized"]


def normalized(text: str) -> str:
    """How selection values compare: white space runs as one space, ends trimmed, case folded."""
    return " ".join(text.split()).casefold()


def _values(values: Iterable[str], name: str) -> tuple[str, ...]:
    """The values normalized, without repeats, sorted (so selections that mean the same are equal)."""
    if isinstance(values, str):  # a lone string would be taken letter by letter
        values = (values,)
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            raise ValidationError(f"expected text, got {type(value).__name__}", path=name)
        shown = normalized(value)
        if not shown:
            raise ValidationError(f"{value!r} is empty", path=name)
        found.add(shown)
    return tuple(sorted(found))


def _tags(values: Iterable[str]) -> tuple[str, ...]:
    return _values(values, "tag")


def _types(values: Iterable[str]) -> tuple[str, ...]:
    return _values(values, "type")


def _actors(values: Iterable[str]) -> tuple[str, ...]:
    return _values(values, "actor")


def _known_type(tag: str) -> str | None:
    """The registered occurrence type `tag` names (case aside), or None."""
    cls = find_event_type(tag)  # also loads the plugins' types on a miss
    if cls is None:
        cls = next((known for name, known in EVENT_TYPES.items() if name.casefold() == tag), None)
    return cls.TYPE if cls is not None and issubclass(cls, Occurrence) else None


def _check_types(
    instance: Selection, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    for tag in value:
        if _known_type(tag) is None:
            known = sorted(name for name, cls in EVENT_TYPES.items() if issubclass(cls, Occurrence))
            raise ValidationError(
                f"{tag!r} is not a known event type (known: {', '.join(known)})", path="type"
            )


@attrs.frozen(kw_only=True)
class Selection:
    """Which entries to keep (see the module docstring): by tag, by type, by actor; empty keeps all.

    ``Selection(tags=["deportation"], actors=["Nayib Bukele"])``: entries tagged "deportation" that involve
    Nayib Bukele. Values are kept normalized (`normalized`), sorted and without repeats, so two selections
    that mean the same are equal (and hash alike: a cache key).
    """

    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)
    """An entry must have one of these tags (none given: any)."""
    types: tuple[str, ...] = attrs.field(default=(), converter=_types, validator=_check_types)
    """An entry's event must be of one of these types (none given: any)."""
    actors: tuple[str, ...] = attrs.field(default=(), converter=_actors)
    """An entry's event must involve one of these names (none given: any)."""

    def __bool__(self) -> bool:
        """Whether it leaves anything out: False for the selection of everything."""
        return bool(self.tags or self.types or self.actors)

    @property
    def scope(self) -> str:
        """The selection as one line of text (empty for everything): part of a render cache's name."""
        parts = [f"{name}={value}" for name in ("tags", "types", "actors") for value in getattr(self, name)]
        return "&".join(parts)

    def matches(self, entry: Entry) -> bool:
        """Whether `entry`'s effective event passes every filter."""
        event = entry.event
        if self.types and event.TYPE.casefold() not in self.types:
            return False
        if self.tags and not any(normalized(tag) in self.tags for tag in event.tags):
            return False
        return not self.actors or any(normalized(name) in self.actors for name in event.involved())

    def apply(self, timeline: Timeline) -> Timeline:
        """The entries of `timeline` that match, as a read-only Timeline (`timeline` itself when nothing is
        left out; see `SelectedTimeline`)."""
        if not self:
            return timeline
        return SelectedTimeline(timeline, self)


class SelectedTimeline(Timeline):
    """The selected entries of a Timeline as they were when selected: read it, export it, never fold it.

    Of the empty selection it is a snapshot of the whole timeline (a server renders one while the timeline
    goes on folding in another thread).

    `stream`, `as_of`, `reported_by`, `include_retracted`, `position` and `last_changed` are the whole
    timeline's. Folding (`catch_up`, `fold`) and checkpoints are refused: catch the whole timeline up and
    select again.
    """

    __slots__ = ("_changed", "_chosen", "_chosen_by_id", "_stamp", "selection")

    selection: Selection
    """What was selected."""

    def __init__(
        self, timeline: Timeline, selection: Selection
    ) -> None:  # no super().__init__: nothing to fold
        self.selection = selection
        self.stream = timeline.stream
        self.as_of = timeline.as_of
        self.reported_by = timeline.reported_by
        self.include_retracted = timeline.include_retracted
        self.position = timeline.position
        self._changed = timeline.last_changed
        self._stamp = timeline.generation
        entries = timeline.entries
        # Of everything, a snapshot is the timeline's own tuple: no copy.
        self._chosen = tuple(filter(selection.matches, entries) if selection else entries)
        self._chosen_by_id: dict[str, Entry] | None = None  # made on the first `get`

    @property
    def entries(self) -> Sequence[Entry]:
        """The selected entries, in the timeline's order."""
        return self._chosen

    def entries_view(self) -> Sequence[Entry]:
        """The selected entries (see `Timeline.entries_view`)."""
        return self._chosen

    def type_counts(self) -> dict[str, int]:
        """`Timeline.type_counts` of the selected entries."""
        return type_counts([((), self._chosen)])

    def unusually_dated(self) -> list[Entry]:
        """`Timeline.unusually_dated` of the selected entries."""
        return unusually_dated([((), self._chosen)])

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._chosen)

    def __len__(self) -> int:
        return len(self._chosen)

    def get(self, event_id: str) -> Entry | None:
        """The selected entry of the occurrence `event_id`, or None."""
        if self._chosen_by_id is None:
            self._chosen_by_id = {entry.id: entry for entry in self._chosen}
        return self._chosen_by_id.get(event_id)

    def changed_since(self, position: int) -> list[tuple[Entry, int | None]] | None:
        """Not known for a selection: None (see `Timeline.changed_since`)."""
        return None

    def holds_record(self, entry_id: str, position: int, event_id: str, recorded_at: datetime) -> bool:
        """`Timeline.holds_record`, of the selected entries only (the others are not at hand)."""
        return entry_holds(self.get(entry_id), position, event_id, recorded_at)

    @property
    def last_changed(self) -> datetime | None:
        """The whole timeline's last change, when selected."""
        return self._changed

    @property
    def generation(self) -> int:
        """The whole timeline's generation when selected (a selection never changes)."""
        return self._stamp

    def __repr__(self) -> str:
        return (
            f"SelectedTimeline(stream={self.stream!r}, selection={self.selection!r}, "
            f"position={self.position}, entries={len(self)})"
        )

    def _refuse(self, what: str) -> NoReturn:
        raise TypeError(f"a selected timeline cannot {what}: catch up the whole timeline and select again")

    def catch_up(self, store: EventStore) -> int:
        """Refused (see the class docstring)."""
        self._refuse("catch up")

    def fold(self, records: Iterable[Recorded]) -> int:
        """Refused (see the class docstring)."""
        self._refuse("fold")

    def checkpoint(self, name: str = "timeline") -> Checkpoint:
        """Refused (see the class docstring)."""
        self._refuse("be checkpointed")
