"""The pieces of a cache file as a `Pieces` source: unchanged runs of entries come out as byte ranges.

An export's entries are matched against the last export's: from what the Timeline says changed since the
cache's head (`timeline.render_cache._changes`: no entry read but those), else by comparing every entry's
key in bulk (`timeline.render_cache._align`). Each matching run is written as slices of the data file (a
memoryview of the mapped file, no copy) of about `STEP` bytes, each given out after the data blocks it
covers pass their CRC-32 (each block checked once, just before its bytes are written: they are then still
in the processor's cache). From a block that fails on, every entry is rendered, and the next save writes a
new data file. The rest is rendered, and kept in memory until the cache file is saved.

Checksum: zlib's CRC-32 over blocks of 256 KiB. Measured here on 100 MB: crc32 31-44 ms, adler32 37-42 ms
(no faster with this zlib), sha1 63 ms, sha256 69 ms, md5 163 ms, blake2b 184 ms; xxhash would be a new
dependency. Checking a block just before writing its bytes cost 63-70 ms against 72 ms for all the checks
first and then the writes.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, count, islice
from operator import ne, sub
from typing import TYPE_CHECKING

from timeline.projections.entry import last_position
from timeline.render_cache._align import Run, matching_runs
from timeline.render_cache._changes import runs_by_changes
from timeline.render_cache._index import BLOCK, EntryKeys, Head, Index

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator, Sequence

    from timeline.exporters.pieces import Chunk, Render
    from timeline.projections import Entry, Timeline

__all__ = ["FilePieces", "tag_breaks"]

STEP = 1 << 20
"""Bytes of cached pieces given out at a time: checked, then written while they are in the L2 cache."""
_NO_KEYS = EntryKeys(count=0, stamps=b"")


def _words(raw: bytes, code: str = "q") -> array[int]:
    values = array(code)
    values.frombytes(raw)
    return values


def _head_of(entry: Entry) -> Head:
    """The last record that made or changed `entry`, as a `Head`."""
    if entry.history:
        change = entry.history[-1]
        return (entry.id, change.position, change.event_id, change.recorded_at.isoformat())
    return (entry.id, entry.position, entry.id, entry.first_recorded.isoformat())


def tag_breaks(tags: array[int]) -> list[int]:
    """The slots where a run of contiguous pieces breaks for its tags alone: 0 and each tag change."""
    if not tags:
        return []
    return [0, *compress(count(1), map(ne, islice(tags, 1, None), tags))]


class FilePieces:
    """A `Pieces` source over one output's cache file (see `timeline.render_cache.RenderCacheFile`).

    It holds the last export's layout: each entry's key, where its piece lies (start, end, in the data
    file's coordinates: pieces rendered since the file was saved lie past its end, in memory), its tag,
    and where runs break. Not thread-safe: one export at a time.
    """

    __slots__ = (
        "_bases",
        "_breaks",
        "_buffers",
        "_checked_blocks",
        "_ends",
        "_keys",
        "_mapped",
        "_starts",
        "_tags",
        "crcs",
        "data_name",
        "dirty",
        "end",
        "file_end",
        "head",
        "live",
        "rendered",
        "scope",
        "timeline",
    )

    def __init__(
        self, scope: str, index: Index | None = None, data: Chunk = b"", timeline: Timeline | None = None
    ) -> None:
        self.scope = scope
        """What the pieces depend on besides the entry (see `CachingExporter.render_scope`)."""
        self.rendered = 0
        """How many pieces the last export rendered (the rest came from the cache)."""
        self.dirty = False
        """Whether the layout differs from the cache file's (then a save writes)."""
        self.data_name = "" if index is None else index.data_name
        """The data file the layout's first `file_end` bytes are in ("": none)."""
        self.file_end = 0 if index is None else index.covered
        self.end = self.file_end
        """The end of all the bytes known: the data file's, then those rendered since."""
        self.crcs = array("I") if index is None else _words(index.crcs, "I")
        """The CRC-32 of each block of the data file's first `file_end` bytes."""
        self.live = self.file_end
        self.head: Head | None = None if index is None else index.head
        """The last record of the log that a piece of the layout depends on (see `Index`)."""
        self.timeline = timeline
        """The Timeline known to hold `head` (see `RenderCacheFile.load`): its exports ask it what changed."""
        self._mapped = self.file_end  # the bytes of `data` (the mapped file), checked block by block
        self._checked_blocks = bytearray(len(self.crcs))
        self._buffers: list[Chunk] = [data]
        self._bases = [0]
        if index is None:
            self._keys = _NO_KEYS
            self._starts, self._ends, self._tags = array("q"), array("q"), array("q")
            self._breaks: list[int] = []
        else:
            self._keys = index.keys
            self._starts, self._ends = _words(index.starts), _words(index.ends)
            self._tags = _words(index.tags)
            self._breaks = _words(index.breaks).tolist()

    def __len__(self) -> int:
        """How many entries the layout has (those of the last export)."""
        return self._keys.count

    def layout(self) -> tuple[EntryKeys, array[int], array[int], array[int], list[int]]:
        """(keys, starts, ends, tags, breaks) of the last export."""
        return self._keys, self._starts, self._ends, self._tags, self._breaks

    def segments(self) -> Iterator[Chunk]:
        """The live pieces in order, as runs of bytes (for rewriting the data file)."""
        starts, ends, breaks = self._starts, self._ends, self._breaks
        if not breaks:
            return
        for a, b in zip(breaks, [*breaks[1:], self._keys.count], strict=True):
            if ends[b - 1] > starts[a]:
                yield self._slice(starts[a], ends[b - 1])

    def unsaved(self) -> Iterator[Chunk]:
        """The bytes past the data file's end (rendered since it was saved), in order."""
        for base, buffer in zip(self._bases, self._buffers, strict=True):
            if base >= self.file_end and len(buffer):
                yield buffer

    def saved(self, data_name: str, covered: int, crcs: array[int], rewritten: Chunk | None) -> None:
        """The layout is now in the cache file `data_name` (`rewritten`: its new bytes, from 0)."""
        if rewritten is not None:
            ends = array("q", accumulate(map(sub, self._ends, self._starts)))
            self._starts = array("q", [0, *islice(ends, 0, len(ends) - 1)]) if ends else array("q")
            self._ends = ends
            self._breaks = tag_breaks(self._tags)
            self._buffers, self._bases = [rewritten], [0]
            self._mapped, self._checked_blocks = 0, bytearray()
            self.live = covered
        self.data_name, self.file_end, self.end, self.crcs = data_name, covered, covered, crcs
        self.dirty = False

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        """See `Pieces.runs`."""
        found = self._by_changes(entries)
        shown: Sequence[Entry]
        if found is None:  # every entry's key compared
            shown = entries if isinstance(entries, (tuple, list)) else tuple(entries)
            keys = EntryKeys.of(shown)
            runs = matching_runs(keys, self._keys)
        else:
            shown, keys, runs = found
        identical = runs == [(0, 0, keys.count)] and keys.count == self._keys.count
        return self._assemble(shown, keys, runs, render, identical)

    def _by_changes(self, entries: Iterable[Entry]) -> tuple[Sequence[Entry], EntryKeys, list[Run]] | None:
        """(entries, keys, runs) from what the Timeline the pieces were loaded for says changed since the
        head (`timeline.render_cache._changes`), when `entries` are its entries and it can say."""
        timeline, head = self.timeline, self.head
        if timeline is None or head is None or entries is not timeline or not self._keys.count:
            return None
        changes = timeline.changed_since(head[1])
        if changes is None or len(changes) > 64 + self._keys.count // 100:
            return None
        shown = timeline.entries_view()  # a restored checkpoint's blocks decoded only where read
        found = runs_by_changes(self._keys, changes, shown)
        return None if found is None else (shown, *found)

    def _assemble(
        self,
        shown: Sequence[Entry],
        keys: EntryKeys,
        runs: list[Run],
        render: Render,
        identical: bool,
    ) -> Iterator[tuple[int, Chunk]]:
        old_starts, old_ends, old_tags, old_breaks = self._starts, self._ends, self._tags, self._breaks
        starts, ends, tags = array("q"), array("q"), array("q")
        breaks: list[int] = []
        fresh: list[bytes] = []
        base = position = self.end
        live = rendered = i = 0
        head, newest = self.head if runs else None, -1  # the pieces reused depend on records up to it
        if head is not None:
            newest = head[1]
        runs = [*runs, (len(shown), 0, 0)]
        try:
            for first, j, length in runs:
                tag_before = None
                for k in range(i, first):  # new, changed or moved: rendered
                    entry = shown[k]
                    at = last_position(entry)
                    if at > newest:  # the newest record a piece depends on
                        head, newest = _head_of(entry), at
                    piece, tag = render(entry)
                    if k == i or tag != tag_before:
                        breaks.append(k)
                    tag_before = tag
                    starts.append(position)
                    position += len(piece)
                    ends.append(position)
                    tags.append(tag)
                    rendered += 1
                    if piece:
                        fresh.append(piece)
                        live += len(piece)
                        yield tag, piece
                if not length:
                    continue
                # The run as it was: its pieces, broken where they broke last time, each stretch given out
                # as far as its blocks pass their CRC-32.
                inner = old_breaks[bisect_right(old_breaks, j) : bisect_left(old_breaks, j + length)]
                given = j
                for a, b in zip([j, *inner], [*inner, j + length], strict=True):
                    given = yield from self._checked(a, b, old_tags[a])
                    if given > a:
                        live += old_ends[given - 1] - old_starts[a]
                    if given < b:
                        break
                if given > j:
                    starts.extend(old_starts[j:given])
                    ends.extend(old_ends[j:given])
                    tags.extend(old_tags[j:given])
                    breaks.append(first)
                    breaks.extend(b - j + first for b in inner if b < given)
                i = first + given - j
                if given < j + length:  # a corrupt block: the rest is rendered; the next save rewrites
                    self.data_name, identical = "", False
                    runs[runs.index((first, j, length)) + 1 :] = [(len(shown), 0, 0)]
            self._keys, self._starts, self._ends, self._tags, self._breaks = keys, starts, ends, tags, breaks
            self.live, self.rendered, self.head = live, rendered, head
            self.dirty = self.dirty or not identical
        finally:
            if fresh:
                self._buffers.append(memoryview(b"".join(fresh)))
                self._bases.append(base)
            self.end = position

    def _checked(self, a: int, b: int, tag: int) -> Generator[tuple[int, Chunk], None, int]:
        """The pieces of the last export's entries a..b-1 (consecutive bytes, one tag), in slices of about
        `STEP` bytes, each after the blocks it covers pass their CRC-32 (so a block is read while the slice
        it was checked for is still in the processor's cache, to be written); return the first entry not
        given out (`b` when every block passed)."""
        ends = self._ends
        low, k = self._starts[a], a
        while k < b:
            m = max(bisect_right(ends, low + STEP, k, b), k + 1)
            high = ends[m - 1]
            if not self._passes(low, high):
                return k
            if high > low:
                yield tag, self._slice(low, high)
            low, k = high, m
        return b

    def _passes(self, low: int, high: int) -> bool:
        """Whether the mapped blocks holding bytes low..high-1 pass their CRC-32 (each is checked once)."""
        mapped = self._mapped
        if low >= mapped:
            return True  # rendered since the file was loaded: in memory, not read from the file
        view, crcs, checked = self._buffers[0], self.crcs, self._checked_blocks
        for block in range(low // BLOCK, -(-min(high, mapped) // BLOCK)):
            if checked[block]:
                continue
            if zlib.crc32(view[block * BLOCK : min(block * BLOCK + BLOCK, mapped)]) != crcs[block]:
                return False
            checked[block] = 1
        return True

    def _slice(self, start: int, end: int) -> Chunk:
        number = bisect_right(self._bases, start) - 1
        base = self._bases[number]
        return self._buffers[number][start - base : end - base]
