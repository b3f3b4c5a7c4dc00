"""What changed in a Timeline since a log position: the entries made or changed by later records.

For a render cache made at that position (`timeline.render_cache`): the entries it lacks, found without
reading every entry in the timeline's order. Two passes over the entries in the order they were made (the
order of `Timeline._by_id`, which is their order in memory: reading them so costs a third of reading them in
chronological order, where each entry is a cache miss), each reading one field at C speed.
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timeline.projections.entry import Entry
    from timeline.projections.timeline import Timeline

__all__ = ["changed_since"]

_HISTORY = attrgetter("history")
_POSITION = attrgetter("position")


def changed_since(timeline: Timeline, position: int) -> list[tuple[Entry, int | None]] | None:
    """The entries (retracted ones included) made or changed by records after `position`, each with its
    index in `timeline.entries` (None: not shown); None if an entry is not where the order puts it.

    Of a restored checkpoint's entries, only the blocks holding a record after `position` are decoded
    (`EntriesById.changed_after`), and only the chunks the changed entries are in: a re-export after one
    correction reads one or two blocks, not every entry."""
    by_id = timeline._by_id
    changed_after = getattr(by_id, "changed_after", None)
    values = by_id.values() if changed_after is None else changed_after(position)
    changed = [entry for entry in filter(_HISTORY, values) if entry.history[-1].position > position]
    # Made after it and never changed (a changed one was found above).
    changed.extend(
        entry for entry in compress(values, map(position.__lt__, map(_POSITION, values))) if not entry.history
    )
    shown = timeline.include_retracted
    index_of = timeline._sorted.index_of
    found: list[tuple[Entry, int | None]] = []
    for entry in changed:
        if not shown and entry.retracted:
            found.append((entry, None))
            continue
        index = index_of(entry)
        if index is None:
            return None  # not where the order puts it: never guess
        found.append((entry, index))
    return found
