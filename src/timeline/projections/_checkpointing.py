"""A Timeline's checkpoints: taking one, restoring one, and deciding whether one may be trusted on resume.

A checkpoint of format 5 keeps a small JSON-ready `state` (format, projection, settings, where the fold
stopped and the id of the record there) and the entries as a snapshot payload in blocks (`_snapshot`).
Restoring checks both agree and decodes no entry: the Timeline's entries by id (`_byid.EntriesById`) and
its sorted chunks (`_sorted.SortedChunks`) hold the blocks and decode each when first needed. Resuming
also checks the store still holds that record at that position. A checkpoint of format 2 (one image,
decoded whole) or 3 (every id in the index) is not read: `Timeline.resume` rebuilds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from timeline.checkpoints import Checkpoint
from timeline.errors import StoreError, ValidationError
from timeline.projections import _snapshot
from timeline.projections._byid import EntriesById
from timeline.when import When

if TYPE_CHECKING:
    from timeline.checkpoints import CheckpointStore
    from timeline.projections.timeline import Timeline
    from timeline.store.base import EventStore

__all__ = ["restored", "snapshot_of", "usable_checkpoint"]

T = TypeVar("T", bound="Timeline")
_PROJECTION = "timeline"


def _state(timeline: Timeline) -> dict[str, Any]:
    return {
        "format": _snapshot.FORMAT,
        "projection": _PROJECTION,
        **timeline._settings(),
        "version": timeline._version,
        "last_changed": None if timeline._last_changed is None else timeline._last_changed.isoformat(),
        "last_id": timeline._last_id,
    }


def _header(state: dict[str, Any], position: int) -> tuple[Any, ...]:
    """What the payload repeats of the state, so a restore knows both halves belong together."""
    return (position, *(state[key] for key in sorted(state)))


def snapshot_of(timeline: Timeline, name: str) -> Checkpoint:
    """The checkpoint of `timeline` under `name`."""
    state = _state(timeline)
    by_id = timeline._by_id
    blocks: list[_snapshot.Block] = []
    known = None
    if type(by_id) is EntriesById:  # restored: copy the blocks of hidden entries not decoded as they are
        blocks, decoded = by_id.kept_hidden()
        known = by_id.known
    else:
        decoded = list(by_id.values())
    hidden = [] if timeline.include_retracted else [e for e in decoded if e.retracted]
    payload = _snapshot.dump(
        _header(state, timeline.position),
        timeline._sorted.parts(),
        hidden,
        blocks,
        block_size=timeline._sorted.chunk_size,
        known=known,
    )
    return Checkpoint(name=name, position=timeline.position, state=state, payload=payload)


def restored(cls: type[T], checkpoint: Checkpoint) -> T:
    """The Timeline `checkpoint` was taken of; a ValidationError if it is not a whole one of this format."""
    state = checkpoint.state
    if state.get("format") != _snapshot.FORMAT or state.get("projection") != _PROJECTION:
        raise ValidationError(
            f"checkpoint {checkpoint.name!r} is not a timeline checkpoint of format {_snapshot.FORMAT}",
            path="state.format",
        )
    try:
        header, shown, hidden, known = _snapshot.load(checkpoint.segments)
        maxes = [max((When.parse(b.last_when).sort_key, b.last_position) for b in chunk) for chunk in shown]
        if header != _header(dict(state), checkpoint.position):
            raise ValidationError("the snapshot was not taken with this state", path="payload")
        as_of, reported_by, last = state["as_of"], state["reported_by"], state["last_changed"]
        timeline = cls(
            stream=state["stream"],
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
            include_retracted=state["include_retracted"],
            reported_by=None if reported_by is None else date.fromisoformat(reported_by),
        )
    except ValidationError as exc:
        raise ValidationError(f"checkpoint {checkpoint.name!r}: {exc.reason}", path=exc.path) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            f"checkpoint {checkpoint.name!r} is damaged ({type(exc).__name__}: {exc})", path="state"
        ) from None
    timeline.position = checkpoint.position
    timeline._version = state["version"]
    timeline._last_changed = None if last is None else datetime.fromisoformat(last)
    timeline._last_id = state["last_id"]
    timeline._by_id = EntriesById([block for chunk in shown for block in chunk], hidden, known)
    timeline._sorted.load(shown, maxes)
    return timeline


def usable_checkpoint(
    cls: type[T], checkpoints: CheckpointStore, name: str, fresh: T, store: EventStore
) -> T | None:
    """The checkpointed Timeline if it may be trusted for `fresh`'s settings over `store`, else None."""
    try:
        saved = checkpoints.get(name)
        if saved is None or saved.position > store.head():
            return None
        state = saved.state  # the cheap checks first, the store's record next, the payload last
        settings = {key: state.get(key) for key in fresh._settings()}
        if (state.get("format"), state.get("projection")) != (_snapshot.FORMAT, _PROJECTION):
            return None
        if settings != fresh._settings() or not _same_record(store, saved):
            return None
        restored_timeline = restored(cls, saved)
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError):  # also a CheckpointStore's get
        return None  # unusable: a rebuild costs time, never correctness
    return restored_timeline if restored_timeline._settings() == fresh._settings() else None


def _same_record(store: EventStore, saved: Checkpoint) -> bool:
    """Whether `store` holds, at the checkpoint's position, the record the checkpoint was folded up to."""
    if saved.position == 0:
        return True
    after = saved.position - 1
    try:
        if getattr(store, "raw_reads", False):  # the row's id column: no event decoded
            row = next(iter(store.read_all_raw(after=after)), None)
            found = None if row is None else (row[0], row[6])
        else:
            record = next(iter(store.read_all(after=after)), None)
            found = None if record is None else (record.position, record.event.id)
    except StoreError:
        return False
    return found == (saved.position, saved.state["last_id"])
