"""The in-memory render cache: pieces in slots, found by entry identity first and by state second.

Layout: every piece ever kept has a slot number; slot i's bytes run from ``offsets[i]`` to
``offsets[i + 1]`` in the concatenation of the buffers (each buffer holds consecutive slots: the pieces of one
export's misses, or a loaded file). The last export's entries are remembered by identity (a Timeline
replaces an entry object when it changes, so the same object is the same state; the objects are held so
their ids are not reused), which lets a re-export find every unchanged piece with C-level maps instead of a
Python loop over the entries; entries seen for the first time are looked up by `Key` (their state), and
rendered when that fails. Consecutive slots make one run of bytes, written without a copy.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, compress, count, islice, repeat
from operator import add, is_, ne
from typing import TYPE_CHECKING

from timeline.projections._gc import paused_gc

if TYPE_CHECKING:
    from timeline.projections import Entry

Render = Callable[["Entry"], tuple[bytes, int]]
"""An exporter's renderer: an entry's piece (bytes, maybe empty) and its tag (a small int, see `Pieces`)."""

Chunk = bytes | memoryview
Key = tuple[str, str, int, int, bool, int]


def piece_key(entry: Entry) -> Key:
    """What names an entry's state: (id, stream, position, revision, retracted, last change's position)."""
    history = entry.history
    return (
        entry.id,
        entry.stream,
        entry.position,
        entry.revision,
        entry.retracted,
        history[-1].position if history else 0,
    )


class RenderCache:
    """The pieces of recent exports, in memory; a `Pieces` source (see `timeline.exporters.pieces`).

    Memory: the pieces' bytes (about the output's size) plus replaced ones, dropped (the buffers rewritten
    in the last export's order) once they outweigh the live ones. Not thread-safe: one export at a time (a
    server guards it with a lock).
    """

    __slots__ = (
        "_alive",
        "_breaks",
        "_buffers",
        "_by_identity",
        "_by_key",
        "_keys",
        "_live",
        "_offsets",
        "_saved",
        "_starts",
        "_tags",
        "rendered",
        "scope",
    )

    def __init__(self, scope: str) -> None:
        self.scope = scope
        """What the pieces depend on besides the entry (see `CachingExporter.render_scope`)."""
        self.rendered = 0
        """How many pieces the last export rendered (the rest came from the cache)."""
        self._keys: list[Key] = []  # per slot
        self._tags: list[int] = []  # per slot
        self._offsets: list[int] = [0]  # slot i: offsets[i]..offsets[i + 1]
        self._buffers: list[Chunk] = []
        self._starts: list[int] = []  # the first slot of each buffer
        self._breaks: list[int] = []  # slots that start a run: buffer starts, tag changes (sorted)
        self._by_identity: dict[int, int] = {}  # id(entry) -> slot
        self._alive: list[Entry] = []  # the entries of _by_identity, so their ids stay theirs
        self._by_key: dict[Key, int] | None = None  # built when needed
        self._live = 0
        self._saved = 0  # the slots already in the cache file (timeline.render_cache); -1: none reliably

    def __len__(self) -> int:
        """How many pieces are kept (the last export's, and replaced ones not yet dropped)."""
        return len(self._keys)

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        """See `Pieces.runs`."""
        with paused_gc():  # the maps below allocate in bursts while a large timeline is alive; no cycles
            order = self._place(tuple(entries), render)
            cuts = [0, *compress(count(1), map(ne, islice(order, 1, None), map(add, order, repeat(1))))]
        cuts.append(len(order))
        offsets, tags, breaks, starts, buffers = (
            self._offsets,
            self._tags,
            self._breaks,
            self._starts,
            self._buffers,
        )
        for a, b in zip(cuts, islice(cuts, 1, None), strict=False):
            if a == b:
                continue
            first, last = order[a], order[b - 1] + 1  # consecutive slots first..last-1
            cut = bisect_right(breaks, first)
            while first < last:
                end = breaks[cut] if cut < len(breaks) and breaks[cut] < last else last
                if offsets[end] > offsets[first]:
                    number = bisect_right(starts, first) - 1
                    base = offsets[starts[number]]
                    yield tags[first], buffers[number][offsets[first] - base : offsets[end] - base]
                first, cut = end, cut + 1

    def _place(self, entries: tuple[Entry, ...], render: Render) -> list[int]:
        """Each entry's slot, in order, after rendering the pieces the cache lacks into a new buffer."""
        identity = self._by_identity
        order: list[int | None] = list(map(identity.get, map(id, entries)))
        missing = list(compress(count(), map(is_, order, repeat(None))))
        self.rendered = 0
        if missing:
            by_key = self._by_key
            if by_key is None and len(missing) > 64 + len(entries) // 100:
                by_key = self._by_key = dict(zip(self._keys, count()))
            keys, tags, offsets = self._keys, self._tags, self._offsets
            fresh: list[bytes] = []
            first = len(keys)
            alive = self._alive
            for i in missing:
                entry = entries[i]
                key = piece_key(entry)
                slot = None if by_key is None else by_key.get(key)
                if slot is None:
                    piece, tag = render(entry)
                    slot = len(keys)
                    keys.append(key)
                    tags.append(tag)
                    offsets.append(offsets[-1] + len(piece))
                    fresh.append(piece)
                    if by_key is not None:
                        by_key[key] = slot
                order[i] = slot
                identity[id(entry)] = slot
                alive.append(entry)
            self.rendered = len(fresh)
            if fresh:
                self._add_buffer(first, b"".join(fresh))
        placed: list[int] = order  # type: ignore[assignment]  # no None is left
        offsets = self._offsets
        self._live = sum(map(offsets.__getitem__, map((1).__add__, placed))) - sum(
            map(offsets.__getitem__, placed)
        )
        if offsets[-1] > 2 * self._live + 4096 or len(self._alive) > 2 * len(entries) + 1024:
            placed = self._compact(entries, placed)
        return placed

    def _add_buffer(self, first: int, buffer: Chunk) -> None:
        """Slots `first`.. are in `buffer`; runs break at its start and at its tag changes."""
        tags = self._tags
        self._buffers.append(buffer)
        self._starts.append(first)
        self._breaks.append(first)
        self._breaks.extend(
            compress(count(first + 1), map(ne, islice(tags, first + 1, None), islice(tags, first, None)))
        )

    def _compact(self, entries: tuple[Entry, ...], order: list[int]) -> list[int]:
        """One buffer of the live pieces in this export's order (so the next export's runs are long)."""
        offsets, buffers, starts = self._offsets, self._buffers, self._starts
        parts: list[Chunk] = []
        for slot in order:
            number = bisect_right(starts, slot) - 1
            base = offsets[starts[number]]
            parts.append(buffers[number][offsets[slot] - base : offsets[slot + 1] - base])
        keys, tags = self._keys, self._tags
        self._keys = [keys[slot] for slot in order]
        self._tags = [tags[slot] for slot in order]
        self._offsets = [0, *accumulate(map(len, parts))]
        self._buffers, self._starts, self._breaks = [], [], []
        self._add_buffer(0, b"".join(parts))
        self._by_identity = dict(zip(map(id, entries), count()))
        self._alive = list(entries)
        self._by_key = None
        self._saved = -1
        return list(range(len(entries)))

    # -- for the cache file (timeline.render_cache) ----------------------------------------------------

    def _file_state(self) -> tuple[list[Key], list[int], list[int], list[Chunk], list[int], int]:
        """(keys, tags, offsets, buffers, each buffer's first slot, how many slots the file has)."""
        return self._keys, self._tags, self._offsets, self._buffers, self._starts, self._saved

    def _adopt(self, keys: list[Key], tags: list[int], offsets: list[int], buffer: Chunk) -> None:
        """Take the slots of a loaded file (all in `buffer`)."""
        self._keys, self._tags, self._offsets = keys, tags, offsets
        self._buffers, self._starts, self._breaks = [], [], []
        self._add_buffer(0, buffer)
        self._by_identity, self._alive = {}, []
        self._by_key = dict(zip(keys, count()))
        self._saved = len(keys)
