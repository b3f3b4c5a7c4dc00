"""The Timeline: the log folded into one entry per occurrence, corrections applied, in chronological order."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from timeline._speed import paused_gc
from timeline.errors import ValidationError
from timeline.projections._changes import changed_since
from timeline.projections._folding import fold_event, freeze_after_bulk, reported_on
from timeline.projections._order import entry_key, in_order
from timeline.projections._rawfold import fold_rows
from timeline.projections._sorted import SortedChunks
from timeline.projections._summaries import type_counts, unusually_dated
from timeline.projections.entry import Entry, entry_holds
from timeline.projections.window import Bound, Window

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

    from timeline.checkpoints import Checkpoint, CheckpointStore
    from timeline.store.base import EventStore, Recorded

#: The checkpoint format this module writes and reads (5: a snapshot payload in blocks decoded when first
#: needed, `projections._snapshot`; 2 to 4, of other layouts, are rebuilt on resume).
STATE_FORMAT = 5


class Timeline:
    """The log folded into entries, one per occurrence, in chronological order of `when`.

    Order: by `When.sort_key` of the effective event, then by global position. So values come in the order
    of the day they are placed on (`When.anchor`: the first possible day, a date-time's local day, an open or
    unknown end's known side, by the one rule of `timeline.when`); on the same day the finer
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
        "_last_id",
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
        # The entries shown, in order.
        self._sorted: SortedChunks[Entry] = SortedChunks(entry_key, order=in_order)
        self._view: tuple[Entry, ...] | None = None
        self._last_changed: datetime | None = None
        self._last_id: str | None = (
            None  # the id of the record at `position`: which store this was folded from
        )
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
        with paused_gc():
            if getattr(store, "raw_reads", False):  # stored rows: typed events built when read
                if self.stream is None:
                    rows = store.read_all_raw(after=self.position)
                else:
                    rows = store.read_raw(self.stream, after_version=self._version)
                folded = fold_rows(self, rows)
            else:
                if self.stream is None:
                    records = store.read_all(after=self.position)
                else:
                    records = store.read(self.stream, after_version=self._version)
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
        # the first record after `as_of` ends the fold.
        stream, as_of, start, reported_by = self.stream, self.as_of, self.position, self.reported_by
        position, version, last_changed, last_id = (
            self.position,
            self._version,
            self._last_changed,
            self._last_id,
        )
        by_id = self._by_id
        # A first fold sorts everything once at the end; later ones note what changed to move only that.
        bulk = not by_id
        before: dict[str, Entry | None] = {}  # id -> the entry before this fold (None: new)
        noted = None if bulk else before
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
                if stream is not None and record.stream != stream:
                    continue
                event = record.event
                if reported_by is not None and reported_on(event, recorded_at) > reported_by:
                    continue
                fold_event(by_id, noted, record, event)
                folded += 1
                if at > position:
                    position, last_id = at, event.id
                if stream is not None and record.version > version:
                    version = record.version
                if last_changed is None or recorded_at > last_changed:
                    last_changed = recorded_at
        finally:
            self._settle(position, version, last_changed, last_id, before, bulk=bulk and folded > 0)
        return folded

    def _settle(
        self,
        position: int,
        version: int,
        last_changed: datetime | None,
        last_id: str | None,
        before: dict[str, Entry | None],
        *,
        bulk: bool,
    ) -> None:
        """Record where a fold stopped and bring the sorted entries in line: what a fold (typed or raw)
        does last, also when an amendment failed (what was folded before it stays folded, and consistent)."""
        self.position, self._version, self._last_changed = position, version, last_changed
        self._last_id = last_id
        if bulk or before:
            self._sync(before, everything=bulk)

    def _sync(self, before: dict[str, Entry | None], *, everything: bool) -> None:
        """Bring the sorted entries in line with `_by_id`: all of them, or those in `before` that changed."""
        shown = self._shown
        if everything or len(before) * 4 > len(self._by_id):
            every = self._by_id.values()
            self._sorted.reset(every if self.include_retracted else [e for e in every if not e.retracted])
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

    def entries_view(self) -> Sequence[Entry]:
        """`entries` as a sequence whose items are made as they are read: of a restored checkpoint, only the
        blocks an index is read in are decoded (a re-export copying most of its output from a render cache
        reads a few). Valid until the Timeline folds again."""
        return self._sorted.view() if self._view is None else self._view

    def type_counts(self) -> dict[str, int]:
        """How many of the entries shown have each event type (their effective event's), by type tag; no
        event is built, no block of a restored checkpoint decoded (its index counts them)."""
        return type_counts(self._sorted.pieces())

    def unusually_dated(self) -> list[Entry]:
        """The entries shown whose `when` text does not show at a glance that its days lie in years 1 to 9999
        (`timeline.when.surely_in_python_range`), in order: what an output bound to those years (iCalendar,
        Python's dates) must look at more closely; usually none. Of a restored checkpoint, found from its
        blocks' index (a block is decoded only if it holds one)."""
        return unusually_dated(self._sorted.pieces())

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
        return [entry for entry in self.entries if window.overlaps(entry.when)]  # no event built for it

    def changed_since(self, position: int) -> list[tuple[Entry, int | None]] | None:
        """The entries made or changed by records after `position` (retracted ones too), each with its index
        in `entries` (None: not shown); None if that cannot be told (see `projections._changes`)."""
        return changed_since(self, position)

    def holds_record(self, entry_id: str, position: int, event_id: str, recorded_at: datetime) -> bool:
        """Whether this Timeline folded the record at `position`: the occurrence `event_id` (then `entry_id`
        too) or the amendment `event_id` of the entry `entry_id`, recorded at `recorded_at`. What was derived
        from a Timeline's entries up to that record may be kept for this one: a log that holds the same record
        at the same position is taken for the same log up to it (as `resume` takes a checkpoint's)."""
        return entry_holds(self._by_id.get(entry_id), position, event_id, recorded_at)

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
        """The state of this Timeline as a checkpoint named `name` (see `timeline.projections._snapshot`)."""
        from timeline.projections._checkpointing import snapshot_of  # checkpoints: imported when used

        return snapshot_of(self, name)

    def _settings(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "include_retracted": self.include_retracted,
            "reported_by": None if self.reported_by is None else self.reported_by.isoformat(),
        }

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> Timeline:
        """The Timeline a checkpoint was taken of; a ValidationError if it is not a whole Timeline checkpoint
        of this format (another format, another projection, a damaged or truncated payload)."""
        from timeline.projections._checkpointing import restored

        return restored(cls, checkpoint)

    def save_checkpoint(self, path: str | Path, name: str = "timeline") -> None:
        """Write this Timeline's checkpoint to a file, atomically (the old file stays on failure)."""
        from pathlib import Path

        from timeline.checkpoints import write_checkpoint

        write_checkpoint(Path(path), self.checkpoint(name))

    @classmethod
    def load_checkpoint(cls, path: str | Path) -> Timeline:
        """The Timeline saved by `save_checkpoint`; catch it up with `catch_up(store)`."""
        from pathlib import Path

        from timeline.checkpoints import read_checkpoint

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
        save_after: int = 1,
    ) -> Timeline:
        """Restart where the checkpoint `name` stopped, catch up with `store`, and store the new checkpoint.

        The checkpoint is ignored (the Timeline is rebuilt) if it was taken with other settings, cannot be
        read, is of another format, or was taken of another store: one ahead of this one, or whose record at
        the checkpoint's position is not the one this store holds there (a store replaced by another).
        The new checkpoint is stored after a rebuild, or once at least `save_after` records were folded
        since the checkpoint: a script that runs often may pass more, so each run folds the few records
        since the last save instead of writing the whole state again.
        """
        from timeline.projections._checkpointing import usable_checkpoint

        fresh = cls(stream=stream, as_of=as_of, include_retracted=include_retracted, reported_by=reported_by)
        timeline = usable_checkpoint(cls, checkpoints, name, fresh, store) or fresh
        folded = timeline.catch_up(store)
        if timeline is fresh or (folded and folded >= save_after):
            checkpoints.put(timeline.checkpoint(name))
        return timeline
