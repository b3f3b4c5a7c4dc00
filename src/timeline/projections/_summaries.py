"""What a Timeline's entries hold, summed without building their events: from the entries themselves, and for
a restored checkpoint's blocks not decoded yet from the snapshot's index (`_snapshot.Block`), so that a
check before an export (types no plugin provides, dates outside years 1 to 9999) decodes no block."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from timeline.projections._order import entry_key
from timeline.projections.entry import type_tag, when_text_of
from timeline.when import surely_in_python_range

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from timeline.projections.entry import Entry

__all__ = ["type_counts", "unusually_dated"]


def type_counts(pieces: Iterable[tuple[Sequence[Any], Sequence[Entry]]]) -> dict[str, int]:
    """How many entries have each type tag, over `SortedChunks.pieces()` (blocks counted by their index)."""
    counts: Counter[str] = Counter()
    for parts, items in pieces:
        for part in parts:
            types = getattr(part, "types", None)
            if types is None:
                counts.update(map(type_tag, part.load()))
            else:
                for tag, number in types:
                    counts[tag] += number
        counts.update(map(type_tag, items))
    return dict(counts)


def unusually_dated(pieces: Iterable[tuple[Sequence[Any], Sequence[Entry]]]) -> list[Entry]:
    """The entries whose `when` text is not surely in years 1 to 9999, in order, over `SortedChunks.pieces()`
    (a block is decoded only when its index names one)."""
    found: list[Entry] = []
    for parts, items in pieces:
        for part in parts:
            unusual = getattr(part, "unusual", None)
            if unusual is None:
                found += _unusual(part.load())
            elif unusual:
                named = set(unusual)
                found += [entry for entry in part.load() if entry.id in named]
        found += _unusual(items)
    found.sort(key=entry_key)  # a chunk's parts and the items added to it are sorted runs each
    return found


def _unusual(entries: Iterable[Entry]) -> list[Entry]:
    seen: dict[str, bool] = {}
    found = []
    for entry in entries:
        text = when_text_of(entry)
        usual = seen.get(text)
        if usual is None:
            usual = seen[text] = surely_in_python_range(text)
        if not usual:
            found.append(entry)
    return found
