"""What changed in a Timeline since a log position: the entries made or changed by later records.

For a render cache made at that position (`timeline.render_cache`): the entries it lacks, found without
reading every entry in the timeline's order. Two passes over the entries in the order they were made (the
order of `Timeline._by_id`, which is their order in memory: reading them so costs a third of reading them in
chronological order, where each entry is a cache miss), each reading one field at C speed.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING

from timeline.projections._order import entry_key

if TYPE_CHECKING:
    from timeline.projections.entry import Entry
    from timeline.projections.timeline import Timeline

__all__ = ["changed_since"]

_HISTORY = attrgetter("history")
_POSITION = attrgetter("position")


def changed_since(timeline: Timeline, position: int) -> list[tuple[Entry, int | None]] | None:
    """The entries (retracted ones included) made or changed by records after `position`, each with its
    index in `timeline.entries` (None: not shown); None if an entry is not where the order puts it, or
    the timeline's entries are a restored checkpoint's not all decoded yet (`projections._byid`: decoding
    its blocks into its dict cost 0.3 s at 100,000 entries, three times every entry's key)."""
    by_id = timeline._by_id
    if not getattr(by_id, "complete", True):
        return None
    entries = timeline.entries
    values = by_id.values()
    changed = [entry for entry in filter(_HISTORY, values) if entry.history[-1].position > position]
    # Made after it and never changed (a changed one was found above).
    changed.extend(
        entry for entry in compress(values, map(position.__lt__, map(_POSITION, values))) if not entry.history
    )
    shown = timeline.include_retracted
    found: list[tuple[Entry, int | None]] = []
    for entry in changed:
        if not shown and entry.retracted:
            found.append((entry, None))
            continue
        index = bisect_left(entries, entry_key(entry), key=entry_key)
        if index == len(entries) or entries[index] is not entry:
            return None  # not where the order puts it: never guess
        found.append((entry, index))
    return found
