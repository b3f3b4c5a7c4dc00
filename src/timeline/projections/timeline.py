"""The Timeline: the log folded into one entry per occurrence, corrections applied, in chronological order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any

from timeline._speed import paused_gc
from timeline.amendments import refusal
from timeline.checkpoints import Checkpoint, CheckpointStore, read_checkpoint, write_checkpoint
from timeline.errors import ValidationError
from timeline.events import Correction, Occurrence, Retraction
from timeline.projections._folding import amend, freeze_after_bulk, reported_on
from timeline.projections._sorted import SortedChunks
from timeline.projections._state import restore_entries, save_entries
from timeline.projections.entry import Entry
from timeline.projections.window import Bound, Window

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from timeline.store.base import EventStore, Recorded

#: The checkpoint state format this module writes and reads.
STATE_FORMAT = 1


def _entry_key(entry: Entry) -> tuple[Any, int]:
    return entry.event.when.sort_key, entry.position


class Timeline:
    """The log folded into entries, one per occurrence, in chronological order of `when`.

    Order: by `When.sort_key` of the effective event, then by global position. So the earliest possible day
    comes first (for an open start such as ``../2025-04-14``, its end day); on the same day the finer
    precision comes first (a date-time, then ``2025-01-01``, then ``2025-01``, then ``2025``: all start on
    1 January); date-times by their UTC instant; then the EDTF text (``2025-03`` before ``2025-03~``); and
    last the position: what was recorded first comes first. A correction of `when` moves its entry.

    Each entry shows the latest word: corrections are applied in the order they were recorded, and retracted
    entries are left out unless `include_retracted`. ``as_of=T`` (an aware datetime) is the timeline as known
    at T: only records with ``recorded_at <= T`` count, corrections recorded later are not applied.
    ``reported_by=D`` (a date) is the timeline as its sources had reported it by the end of day D: a record
    counts from the first day its earliest dated source was certainly published (the last day of a source's
    ``published``, so a source of "2025-05" counts from 31 May), or, with no dated source, from the UTC day
    it was recorded. Both filters may be combined.
    With `stream`, records of other streams are ignored. A correction or retraction whose target was not seen
    (or is retracted) is ignored; the store refuses such amendments when they are appended.

    A Timeline is mutable only by folding: `catch_up(store)` folds what the store recorded after `position`.
    It is not thread-safe: fold from one thread, or guard it.
    """

    __slots__ = (
        "_by_id",
        "_generation",
        "_last_changed",
        "_sorted",
        "_version",
        "_view",
        "as_of",
        "include_retracted",
        "position",
        "reported_by",
        "stream",
    )

    stream: str | None
    """Only this stream's records count (None: every stream)."""
    as_of: datetime | None
    """Only records recorded at or before this instant count (None: everything)."""
    include_retracted: bool
    """Whether retracted entries are shown (marked `retracted`)."""
    reported_by: date | None
    """Only records whose sources had reported them by the end of this day count (None: everything)."""
    position: int
    """The global position of the last record folded (0 before any)."""

    def __init__(
        self,
        *,
        stream: str | None = None,
        as_of: datetime | None = None,
        include_retracted: bool = False,
        reported_by: date | None = None,
    ) -> None:
        if as_of is not None and (not isinstance(as_of, datetime) or as_of.utcoffset() is None):
            raise ValidationError(f"{as_of!r} is not an aware datetime (give it an offset)", path="as_of")
        if reported_by is not None and (type(reported_by) is not date):
            raise ValidationError(f"{reported_by!r} is not a date", path="reported_by")
        self.stream = stream
        self.as_of = as_of
        self.reported_by = reported_by
        self.include_retracted = include_retracted
        self.position = 0
        self._version = 0  # the stream version of that record: a stream's timeline reads by version
        self._by_id: dict[str, Entry] = {}  # every occurrence folded, retracted ones included
        self._sorted: SortedChunks[Entry] = SortedChunks(_entry_key)  # the entries shown, in order
        self._view: tuple[Entry, ...] | None = None
        self._last_changed: datetime | None = None
        self._generation = 0

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def from_store(
        cls,
        store: EventStore,
        *,
        stream: str | None = None,
        as_of: datetime | None = None,
        include_retracted: bool = False,
        reported_by: date | None = None,
    ) -> Timeline:
        """Fold the store's log (or one stream of it) into a new Timeline."""
        timeline = cls(
            stream=stream, as_of=as_of, include_retracted=include_retracted, reported_by=reported_by
        )
        timeline.catch_up(store)
        return timeline

    @classmethod
    def from_records(
        cls,
        records: Iterable[Recorded],
        *,
        stream: str | None = None,
        as_of: datetime | None = None,
        include_retracted: bool = False,
        reported_by: date | None = None,
    ) -> Timeline:
        """Fold records (in position order) into a new Timeline, without a store."""
        timeline = cls(
            stream=stream, as_of=as_of, include_retracted=include_retracted, reported_by=reported_by
        )
        timeline.fold(records)
        return timeline

    def catch_up(self, store: EventStore) -> int:
        """Fold what `store` recorded after `position`; return how many records were folded."""
        if self.stream is None:
            records = store.read_all(after=self.position)
        else:
            records = store.read(self.stream, after_version=self._version)
        with paused_gc():
            folded = self._fold(records, ordered=True)
        freeze_after_bulk(folded)
        return folded

    def fold(self, records: Iterable[Recorded]) -> int:
        """Fold `records`; those at or before `position` are skipped. Return how many were folded."""
        with paused_gc():
            folded = self._fold(records, ordered=False)
        freeze_after_bulk(folded)
        return folded

    def _fold(self, records: Iterable[Recorded], *, ordered: bool) -> int:
        # `ordered`: the records come from a store, in position order, so recorded_at never goes back and
        # the first record after `as_of` ends the fold. The loop is the rebuild's hot path: locals only.
        stream, as_of, start, reported_by = self.stream, self.as_of, self.position, self.reported_by
        position, version, last_changed = self.position, self._version, self._last_changed
        by_id = self._by_id
        # A first fold sorts everything once at the end; later ones note what changed to move only that.
        bulk = not by_id
        before: dict[str, Entry | None] = {}  # id -> the entry before this fold (None: new)
        folded = 0
        try:
            for record in records:
                at = record.position
                if at <= start:
                    continue
                recorded_at = record.recorded_at
                if as_of is not None and recorded_at > as_of:
                    if ordered:
                        break
                    continue
                name = record.stream
                if stream is not None and name != stream:
                    continue
                event = record.event
                if reported_by is not None and reported_on(event, recorded_at) > reported_by:
                    continue
                if isinstance(event, Occurrence):
                    event_id = event.id
                    if event_id not in by_id:
                        if not bulk:
                            before[event_id] = None
                        by_id[event_id] = Entry(
                            id=event_id,
                            stream=intern(name),  # one copy of each name, not one per entry
                            event=event,
                            original=event,
                            position=at,
                            revision=1,
                            first_recorded=recorded_at,
                            last_changed=recorded_at,
                        )
                elif isinstance(event, (Correction, Retraction)):
                    target = by_id.get(event.target)
                    # The store refuses what breaks the rules; a log written otherwise may hold it: ignored.
                    if target is not None and (
                        refusal(event, name, target.event, target.stream, retracted=target.retracted) is None
                    ):
                        amended = amend(target, record, event)  # may raise: nothing changed yet
                        if not bulk:
                            before.setdefault(event.target, target)
                        by_id[event.target] = amended
                folded += 1
                if at > position:
                    position = at
                if stream is not None and record.version > version:
                    version = record.version
                if last_changed is None or recorded_at > last_changed:
                    last_changed = recorded_at
        finally:
            # Even when an amendment fails, what was folded before it stays folded, and consistent.
            self.position, self._version, self._last_changed = position, version, last_changed
            if (bulk and folded) or before:
                self._sync(before, everything=bulk)
        return folded

    def _sync(self, before: dict[str, Entry | None], *, everything: bool) -> None:
        """Bring the sorted entries in line with `_by_id`: all of them, or those in `before` that changed."""
        shown = self._shown
        if everything or len(before) * 4 > len(self._by_id):
            self._sorted.reset(entry for entry in self._by_id.values() if shown(entry))
        else:
            for old in before.values():
                if old is not None and shown(old):
                    self._sorted.remove(old)
            self._sorted.update(new for new in map(self._by_id.__getitem__, before) if shown(new))
        self._view = None
        self._generation += 1

    def _shown(self, entry: Entry) -> bool:
        return self.include_retracted or not entry.retracted

    # -- reading -------------------------------------------------------------------------------

    @property
    def entries(self) -> Sequence[Entry]:
        """The entries in chronological order (see the class docstring); retracted ones only if asked for."""
        if self._view is None:
            self._view = tuple(self._sorted)
        return self._view

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self._sorted)

    def get(self, event_id: str) -> Entry | None:
        """The entry of the occurrence `event_id`, or None if the timeline does not show it."""
        entry = self._by_id.get(event_id)
        return entry if entry is not None and self._shown(entry) else None

    def between(self, start: Bound, end: Bound | None = None) -> list[Entry]:
        """The entries whose `when` overlaps the days from `start` to `end` (see `Window.of`), in order.

        ``tl.between("2025-03")`` is what may have happened in March 2025 (open-ended dates included).
        """
        window = Window.of(start, end)
        return [entry for entry in self.entries if window.overlaps(entry.event.when)]

    @property
    def last_changed(self) -> datetime | None:
        """When the latest record folded was recorded (retractions included): a stamp for the whole feed."""
        return self._last_changed

    @property
    def generation(self) -> int:
        """A counter that rises whenever the entries change: views derived from a Timeline cache on it."""
        return self._generation

    def __repr__(self) -> str:
        return (
            f"Timeline(stream={self.stream!r}, as_of={self.as_of!r}, position={self.position}, "
            f"entries={len(self)})"
        )

    # -- checkpoints ---------------------------------------------------------------------------

    def checkpoint(self, name: str = "timeline") -> Checkpoint:
        """The state of this Timeline as a JSON-ready checkpoint named `name`."""
        state = {
            "format": STATE_FORMAT,
            "projection": "timeline",
            **self._settings(),
            "version": self._version,
            "last_changed": None if self._last_changed is None else self._last_changed.isoformat(),
            **save_entries(self._by_id.values()),
        }
        return Checkpoint(name=name, position=self.position, state=state)

    def _settings(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "include_retracted": self.include_retracted,
            "reported_by": None if self.reported_by is None else self.reported_by.isoformat(),
        }

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> Timeline:
        """The Timeline a checkpoint was taken of; a ValidationError if it is not a Timeline's checkpoint."""
        state = checkpoint.state
        if state.get("format") != STATE_FORMAT or state.get("projection") != "timeline":
            raise ValidationError(
                f"checkpoint {checkpoint.name!r} is not a timeline checkpoint of format {STATE_FORMAT}",
                path="state.format",
            )
        try:
            return cls._restored(checkpoint)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a damaged state; ours are said
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(
                f"checkpoint {checkpoint.name!r} is damaged ({type(exc).__name__}: {exc})", path="state"
            ) from None

    @classmethod
    def _restored(cls, checkpoint: Checkpoint) -> Timeline:
        state = checkpoint.state
        as_of, reported_by = state["as_of"], state.get("reported_by")
        timeline = cls(
            stream=state["stream"],
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
            include_retracted=state["include_retracted"],
            reported_by=None if reported_by is None else date.fromisoformat(reported_by),
        )
        timeline.position = checkpoint.position
        timeline._version = state["version"]
        last = state["last_changed"]
        timeline._last_changed = None if last is None else datetime.fromisoformat(last)
        timeline._by_id = {entry.id: entry for entry in restore_entries(state)}
        timeline._sorted.reset(entry for entry in timeline._by_id.values() if timeline._shown(entry))
        return timeline

    def save_checkpoint(self, path: str | Path, name: str = "timeline") -> None:
        """Write this Timeline's checkpoint to a JSON file, atomically (the old file stays on failure)."""
        write_checkpoint(Path(path), self.checkpoint(name))

    @classmethod
    def load_checkpoint(cls, path: str | Path) -> Timeline:
        """The Timeline saved by `save_checkpoint`; catch it up with `catch_up(store)`."""
        return cls.from_checkpoint(read_checkpoint(Path(path)))

    @classmethod
    def resume(
        cls,
        store: EventStore,
        checkpoints: CheckpointStore,
        name: str = "timeline",
        *,
        stream: str | None = None,
        as_of: datetime | None = None,
        include_retracted: bool = False,
        reported_by: date | None = None,
    ) -> Timeline:
        """Restart where the checkpoint `name` stopped, catch up with `store`, and store the new checkpoint.

        The checkpoint is ignored (the Timeline is rebuilt) if it was taken with other settings, cannot be
        read, or is ahead of the store (a store replaced by another).
        """
        fresh = cls(stream=stream, as_of=as_of, include_retracted=include_retracted, reported_by=reported_by)
        timeline = cls._restore(checkpoints, name, fresh, store.head()) or fresh
        folded = timeline.catch_up(store)
        if folded or timeline is fresh:
            checkpoints.put(timeline.checkpoint(name))
        return timeline

    @classmethod
    def _restore(cls, checkpoints: CheckpointStore, name: str, fresh: Timeline, head: int) -> Timeline | None:
        """The checkpointed Timeline if it is usable for `fresh`'s settings, else None."""
        try:
            saved = checkpoints.get(name)
            if saved is None or saved.position > head:
                return None
            restored = cls.from_checkpoint(saved)
        except (ValidationError, KeyError, TypeError, ValueError):  # also from a CheckpointStore's get
            return None  # unreadable: a rebuild costs time, never correctness
        return restored if restored._settings() == fresh._settings() else None
