"""Render caching for exporters: each entry's rendered piece, kept so a re-export renders only what changed.

An exporter opts in (see `CachingExporter`) by writing its output from pieces, one per entry: it asks a
`Pieces` source for ``runs(entries, render)`` and assembles what comes back. Without a cache the source is
`RENDER_EACH`, which calls `render` for every entry; with a `RenderCache` the pieces of entries seen before,
in the same state, come from memory (or a cache file, see `timeline.render_cache`) and only new or changed
entries are rendered. Either way the exporter receives the same bytes in the same order.

An entry's state is its `piece_key`: (id, stream, position, revision, retracted, position of its last
change). In one store that names one content: the log is append-only, ids are unique, and an entry changes
only by a correction or retraction recorded at a new position. What else a piece depends on (the exporter's
version, its options) is the cache's `scope`, fixed when the cache is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from timeline.exporters.base import Exporter

if TYPE_CHECKING:
    from timeline.projections import Entry, Timeline

__all__ = ["RENDER_EACH", "CachingExporter", "Pieces", "RenderCache", "piece_key", "write_chunks"]

Render = Callable[["Entry"], tuple[bytes, int]]
"""An exporter's renderer: an entry's piece (bytes, maybe empty) and its tag (a small int, see `Pieces`)."""

Chunk = bytes | memoryview
Key = tuple[str, str, int, int, bool, int]
Spot = tuple[int, int, int, int]  # buffer number, start, end, tag


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


class Pieces(Protocol):
    """Where an exporter gets its entries' pieces: rendered now, or remembered from an earlier export."""

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        """The pieces of `entries`, in order, as (tag, bytes) chunks.

        A chunk is one piece, or several consecutive pieces with the same tag joined: an exporter that
        groups its output (Markdown's headings) gives each piece the tag of its group and starts a new group
        where the tag changes. Empty pieces (an entry the format leaves out) may be dropped.
        """
        ...


class _RenderEach:
    """`Pieces` without a cache: every entry rendered, every time."""

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        for entry in entries:
            piece, tag = render(entry)
            if piece:
                yield tag, piece


RENDER_EACH: Pieces = _RenderEach()
"""The `Pieces` of a plain export: each entry rendered afresh."""


@runtime_checkable
class CachingExporter(Exporter, Protocol):
    """An exporter whose output can be cached piece by piece: it has the two methods below as well.

    ``export(timeline, out, options)`` must be ``export_pieces(timeline, out, options, RENDER_EACH)``, and a
    piece may depend on the entry, the options and the exporter's code only, never on the other entries or
    on the timeline's own properties (those belong in the assembly around the pieces).
    """

    def render_scope(self, options: Mapping[str, str]) -> str:
        """Everything besides the entry that a piece depends on: the exporter's render version and the
        options that change pieces. Pieces cached under another scope are never used. Raises
        `ValidationError` for bad options, as `export` does."""
        ...

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """Write `timeline` as `export` does, taking each entry's piece from `pieces`."""
        ...


class RenderCache:
    """The pieces of the last export, kept in memory, by `piece_key`; a `Pieces` source for the next one.

    Only the entries of the last export are kept. Memory: the pieces' bytes (about the output's size) plus
    the dead bytes of replaced pieces, which are dropped (the buffers rewritten) once they outweigh the live
    ones. Not thread-safe: one export at a time (a server guards it with a lock).
    """

    __slots__ = ("_buffers", "_changed_from", "_live", "_spots", "rendered", "scope")

    def __init__(self, scope: str) -> None:
        self.scope = scope
        """What the pieces depend on besides the entry (see `CachingExporter.render_scope`)."""
        self.rendered = 0
        """How many pieces the last export rendered (the rest came from the cache)."""
        self._buffers: list[Chunk] = []
        self._spots: dict[Key, Spot] = {}
        self._live = 0
        self._changed_from: int | None = 0  # buffers from here on are new since the last save (None: all)

    def __len__(self) -> int:
        return len(self._spots)

    def runs(self, entries: Iterable[Entry], render: Render) -> Iterator[tuple[int, Chunk]]:
        """See `Pieces.runs`; the cache then holds exactly the pieces of these entries."""
        spots, buffers = self._spots, self._buffers
        kept: dict[Key, Spot] = {}
        fresh: list[bytes] = []
        fresh_no, fresh_size, live = len(buffers), 0, 0
        run_no, run_start, run_end, run_tag = -1, 0, 0, 0
        # The loop runs once per entry on every export: locals only, the key built inline (see piece_key).
        for entry in entries:
            history = entry.history
            key = (
                entry.id,
                entry.stream,
                entry.position,
                entry.revision,
                entry.retracted,
                history[-1].position if history else 0,
            )
            spot = spots.get(key)
            if spot is None:
                piece, tag = render(entry)
                size = len(piece)
                kept[key] = (fresh_no, fresh_size, fresh_size + size, tag)
                fresh.append(piece)
                fresh_size += size
                live += size
                if piece:
                    if run_no >= 0:
                        yield run_tag, buffers[run_no][run_start:run_end]
                        run_no = -1
                    yield tag, piece
                continue
            kept[key] = spot
            number, start, end, tag = spot
            live += end - start
            if number == run_no and start == run_end and tag == run_tag:
                run_end = end
            elif end > start:
                if run_no >= 0:
                    yield run_tag, buffers[run_no][run_start:run_end]
                run_no, run_start, run_end, run_tag = number, start, end, tag
        if run_no >= 0:
            yield run_tag, buffers[run_no][run_start:run_end]
        self.rendered = len(fresh)
        if fresh:
            buffers.append(b"".join(fresh))
        self._spots, self._live = kept, live
        if sum(map(len, buffers)) > 2 * live + 4096:
            self._compact()

    def _compact(self) -> None:
        """One buffer of the live pieces in the last export's order (so the next export's runs are long)."""
        buffers, spots = self._buffers, self._spots
        parts = [buffers[number][start:end] for number, start, end, _ in spots.values()]
        joined = b"".join(parts)
        offset, moved = 0, {}
        for key, (_, start, end, tag) in spots.items():
            moved[key] = (0, offset, offset + end - start, tag)
            offset += end - start
        self._buffers, self._spots, self._changed_from = [joined], moved, None

    # -- for the cache file (timeline.render_cache) ----------------------------------------------------

    def _state(self) -> tuple[list[Chunk], dict[Key, Spot], int | None]:
        return self._buffers, self._spots, self._changed_from

    def _adopt(self, buffers: list[Chunk], spots: dict[Key, Spot]) -> None:
        self._buffers, self._spots, self._changed_from = buffers, spots, len(buffers)
        self._live = sum(end - start for _, start, end, _ in spots.values())

    def _saved(self) -> None:
        self._changed_from = len(self._buffers)


def write_chunks(out: BinaryIO, chunks: Iterable[Chunk], batch: int = 1 << 20) -> None:
    """Write `chunks` to `out`, small ones gathered into writes of about `batch` bytes (large ones as they
    are: a cached run is written without a copy)."""
    gathered: list[Chunk] = []
    size = 0
    for chunk in chunks:
        length = len(chunk)
        if length >= batch:
            if gathered:
                out.write(b"".join(gathered))
                gathered, size = [], 0
            out.write(chunk)
            continue
        gathered.append(chunk)
        size += length
        if size >= batch:
            out.write(b"".join(gathered))
            gathered, size = [], 0
    if gathered:
        out.write(b"".join(gathered))
