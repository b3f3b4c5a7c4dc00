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

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, compress, count, islice, repeat
from operator import add, attrgetter, is_, ne
from typing import TYPE_CHECKING

from timeline._speed import paused_gc

if TYPE_CHECKING:
    from timeline.projections import Entry

Render = Callable[["Entry"], tuple[bytes, int]]
"""An exporter's renderer: an entry's piece (bytes, maybe empty) and its tag (a small int, see `Pieces`)."""

Chunk = bytes | memoryview
Key = tuple[str, str, int, int, bool, int]

_STATE = attrgetter("id", "stream", "position", "revision", "retracted")
_CHANGED = attrgetter("last_changed")


def piece_key(entry: Entry) -> Key:
    """What names an entry's state: (id, stream, position, revision, retracted, hash of last_changed).

    In one store the first five name it; the instant of its last change (an aware datetime's hash, which
    does not depend on the hash seed) guards against another store's entry of the same id and revision.
    """
    return (entry.id, entry.stream, entry.position, entry.revision, entry.retracted, hash(entry.last_changed))


def _differences(ids: array[int], last: array[int], most: int = 64) -> list[int] | None:
    """The places where `ids` and `last` differ, if they are as long and differ in at most `most` places;
    else None. Found by halving: comparing two slices of machine words is a memcmp."""
    if len(ids) != len(last):
        return None
    found: list[int] = []
    start, end = 0, len(ids)
    while start < end:
        if ids[start:end] == last[start:end]:
            break
        low, high = start, end  # the first difference is in low..high-1
        while high - low > 1:
            middle = (low + high) // 2
            if ids[low:middle] == last[low:middle]:
                low = middle
            else:
                high = middle
        found.append(low)
        if len(found) > most:
            return None
        start = low + 1
    return found


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
        "_last_cuts",
        "_last_ids",
        "_last_order",
        "_offsets",
        "_saved",
        "_starts",
        "_tags",
        "_unnoted",
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
        self._unnoted: list[tuple[list[Entry], list[int]]] = []  # entries placed, not yet in _by_identity
        self._alive: list[Entry] = []  # the entries of _by_identity, so their ids stay theirs
        self._by_key: dict[Key, int] | None = None  # built when needed
        self._last_ids = array("Q")  # the ids of the last export's entries, in order (held in _alive)
        self._last_order: list[int] = []  # and their slots
        self._last_cuts: list[int] = [0]  # where its runs broke
        self._saved = 0  # the slots already in the cache file (timeline.render_cache); -1: none reliably

    def __len__(self) -> int:
        """How many pieces are kept (the last export's, and replaced ones not yet dropped)."""
        return len(self._keys)

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        """See `Pieces.runs`."""
        shown = tuple(entries)
        with paused_gc():  # the maps below allocate in bursts while a large timeline is alive; no cycles
            order, cuts = self._place(shown, render)
        offsets, tags, breaks, starts, buffers = (
            self._offsets,
            self._tags,
            self._breaks,
            self._starts,
            self._buffers,
        )
        live = 0
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
                    live += offsets[end] - offsets[first]
                    yield tags[first], buffers[number][offsets[first] - base : offsets[end] - base]
                first, cut = end, cut + 1
        # Replaced pieces outweigh the live ones, or too many old entries are held: start afresh.
        if offsets[-1] > 2 * live + 4096 or len(self._alive) > 2 * len(shown) + 1024:
            self._compact(shown, order)

    def _place(self, entries: tuple[Entry, ...], render: Render) -> tuple[list[int], list[int]]:
        """Each entry's slot, in order, after rendering the pieces the cache lacks into a new buffer; and
        the places where a run of consecutive slots may break (a superset of them: more cuts, same bytes)."""
        identity = self._identity()
        # The very entries of the last export at the same places (their ids compared as machine words, no
        # entry touched), then the others by identity, then by state; what is still missing is rendered.
        ids = array("Q", map(id, entries))
        moved = _differences(ids, self._last_ids)
        if moved is not None:
            order: list[int | None] = [*self._last_order]
            for i, slot in zip(moved, map(identity.get, map(ids.__getitem__, moved)), strict=True):
                order[i] = slot
        elif identity:
            order = list(map(identity.get, ids))
        else:  # a cache file just loaded: nothing is known by identity
            order = [None] * len(entries)
        missing = list(compress(count(), map(is_, order, repeat(None))))
        self.rendered = 0
        if missing:
            order = self._fill(entries, order, missing, render)
        placed: list[int] = order  # type: ignore[assignment]  # no None is left
        if moved is not None:  # at most 64: cuts where they were, and around what moved
            cuts = sorted({*self._last_cuts, *moved, *(i + 1 for i in moved)})
        else:
            cuts = [
                0,
                *compress(count(1), map(ne, islice(placed, 1, None), map(add, placed, repeat(1)))),
                len(placed),
            ]
        self._last_ids, self._last_order, self._last_cuts = ids, placed, cuts
        return placed, cuts

    def _identity(self) -> dict[int, int]:
        """id(entry) -> slot for the entries held, with those of recent exports noted."""
        identity = self._by_identity
        for chosen, found in self._unnoted:
            identity.update(zip(map(id, chosen), found, strict=True))
        self._unnoted.clear()
        return identity

    def _fill(
        self, entries: tuple[Entry, ...], order: list[int | None], missing: list[int], render: Render
    ) -> list[int | None]:
        """`order` with the slots of the entries at `missing` found by state, or rendered into new slots."""
        chosen = list(map(entries.__getitem__, missing))
        by_key = self._by_key
        if by_key is None and len(missing) > 64 + len(entries) // 100:
            by_key = self._by_key = dict(zip(self._keys, count()))
        # Many at once (a cache file loaded): keys and lookups with C-level maps, as in piece_key.
        keys_of = list(map(add, map(_STATE, chosen), zip(map(hash, map(_CHANGED, chosen)))))
        found: list[int | None] = [None] * len(chosen) if by_key is None else list(map(by_key.get, keys_of))
        keys, tags, offsets = self._keys, self._tags, self._offsets
        fresh: list[bytes] = []
        first = len(keys)
        for j in compress(count(), map(is_, found, repeat(None))):
            piece, tag = render(chosen[j])
            found[j] = len(keys)
            if by_key is not None:
                by_key[keys_of[j]] = len(keys)
            keys.append(keys_of[j])
            tags.append(tag)
            offsets.append(offsets[-1] + len(piece))
            fresh.append(piece)
        self.rendered = len(fresh)
        if fresh:
            self._add_buffer(first, b"".join(fresh))
        # Their identities are noted when the next export needs them (a script's one export never does).
        self._unnoted.append((chosen, found))  # type: ignore[arg-type]
        self._alive.extend(chosen)
        if len(missing) == len(entries):
            return found
        for i, slot in zip(missing, found, strict=True):
            order[i] = slot
        return order

    def _add_buffer(self, first: int, buffer: Chunk) -> None:
        """Slots `first`.. are in `buffer`; runs break at its start and at its tag changes."""
        tags = self._tags
        self._buffers.append(memoryview(buffer))  # slicing bytes would copy them
        self._starts.append(first)
        self._breaks.append(first)
        self._breaks.extend(
            compress(count(first + 1), map(ne, islice(tags, first + 1, None), islice(tags, first, None)))
        )

    def _compact(self, entries: tuple[Entry, ...], order: list[int]) -> None:
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
        self._unnoted.clear()
        self._alive = list(entries)
        self._by_key = None
        self._saved = -1
        self._last_ids, self._last_order, self._last_cuts = (
            array("Q", map(id, entries)),
            list(range(len(entries))),
            [0, len(entries)],
        )

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
        self._unnoted.clear()
        self._last_ids, self._last_order, self._last_cuts = array("Q"), [], [0]
        self._by_key = dict(zip(keys, count()))
        self._saved = len(keys)
