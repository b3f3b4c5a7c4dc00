"""An export's runs from what the Timeline says changed since the cache's head, instead of every entry's key.

A cache file's pieces are the entries' states up to its `Head` (the newest record any of them depends on),
and the Timeline holds that record (checked at load). So the entries of this export are the last export's,
less those changed since the head (found in the last export by the stamps of their earlier states), plus
those changed or made since (at the indexes the Timeline gives). Any inconsistency (a count that does not
add up, a stamp found twice) gives None, and the caller compares every entry's key instead.
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import TYPE_CHECKING

from timeline.render_cache._index import EntryKeys

if TYPE_CHECKING:
    from collections.abc import Sequence

    from timeline.projections import Entry
    from timeline.render_cache._align import Run

__all__ = ["runs_by_changes"]


def runs_by_changes(
    last: EntryKeys, changes: list[tuple[Entry, int | None]], entries: Sequence[Entry]
) -> tuple[EntryKeys, list[Run]] | None:
    """(the keys of `entries`, the runs of them that are `last`'s), from `changes` (see
    `Timeline.changed_since`); None if they do not add up."""
    removed: list[int] = []
    for entry, _ in changes:
        slot = _slot_of(last, entry)
        if slot == -2:
            return None
        if slot >= 0:
            removed.append(slot)
    removed.sort()
    inserted = sorted(index for _, index in changes if index is not None)
    count = len(entries)
    if last.count - len(removed) + len(inserted) != count or len(set(removed)) != len(removed):
        return None
    runs: list[Run] = []
    i = j = 0
    ends_removed, ends_inserted = iter([*removed, last.count]), iter([*inserted, count])
    r, n = next(ends_removed), next(ends_inserted)
    while i < count or j < last.count:
        if j == r and j < last.count:
            j, r = j + 1, next(ends_removed)
            continue
        if i == n and i < count:
            i, n = i + 1, next(ends_inserted)
            continue
        length = min(r - j, n - i)
        if length <= 0:
            return None
        runs.append((i, j, length))
        i, j = i + length, j + length
    return _keys(last, runs, entries), runs


def _states(entry: Entry) -> list[int]:
    """The stamps of `entry` in each state it was in (see `EntryKeys`), the current one last."""
    revision, retracted = 1, False
    stamps = [hash((entry.position, revision, retracted))]
    for change in entry.history:
        if change.kind == "retraction":
            retracted = True
        else:
            revision += 1
        stamps.append(hash((entry.position, revision, retracted)))
    return stamps


def _slot_of(last: EntryKeys, entry: Entry) -> int:
    """Where an earlier state of `entry` is in `last` (-1: nowhere; -2: more than once, or its current
    state is there: the head did not cover it, which must not be)."""
    words = memoryview(last.stamps).cast("q")
    states = _states(entry)
    found = -1
    for number, stamp in enumerate(states):
        packed = array("q", [stamp]).tobytes()
        at = last.stamps.find(packed)
        while at >= 0:
            if at % 8 == 0 and words[at // 8] == stamp:
                if found >= 0 or number == len(states) - 1:
                    return -2
                found = at // 8
            at = last.stamps.find(packed, at + 1)
    return found


def _keys(last: EntryKeys, runs: list[Run], entries: Sequence[Entry]) -> EntryKeys:
    """The keys of `entries`: `last`'s for the runs, computed for the rest."""
    parts: list[bytes] = []
    i = 0
    for first, j, length in chain(runs, [(len(entries), 0, 0)]):
        if first > i:
            parts.append(EntryKeys.of(entries[i:first]).stamps)
        parts.append(last.stamps[8 * j : 8 * (j + length)])
        i = first + length
    return EntryKeys(count=len(entries), stamps=b"".join(parts))
