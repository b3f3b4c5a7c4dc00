"""Render caching for exporters: each entry's rendered piece, kept so a re-export renders only what changed.

An exporter opts in (see `CachingExporter`) by writing its output from pieces, one per entry: it asks a
`Pieces` source for ``runs(entries, render)`` and assembles what comes back. Without a cache the source is
`RENDER_EACH`, which calls `render` for every entry; with a `RenderCache` the pieces of entries seen before,
in the same state, come from memory (or a cache file, see `timeline.render_cache`) and only new or changed
entries are rendered. Either way the exporter receives the same bytes in the same order.

An entry's state is its `piece_key`: (id, stream, position, revision, retracted, and the instant of its last
change). In one store that names one content: the log is append-only, ids are unique, and an entry changes
only by a correction (a new revision) or a retraction; the instant guards against another store's entry.
What else a piece depends on (the exporter's version, its options) is the cache's `scope`, fixed when the
cache is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from timeline.exporters._piece_cache import Chunk, Key, Render, RenderCache, piece_key
from timeline.exporters.base import Exporter

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from timeline.projections import Entry, Timeline

__all__ = [
    "RENDER_EACH",
    "CachingExporter",
    "Chunk",
    "Key",
    "Pieces",
    "Render",
    "RenderCache",
    "piece_key",
    "write_chunks",
]


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


def write_chunks(out: BinaryIO, chunks: Iterable[Chunk], batch: int = 1 << 20, large: int = 1 << 16) -> None:
    """Write `chunks` to `out`, small ones gathered into writes of about `batch` bytes (those of `large`
    bytes or more as they are: a cached run is written without a copy)."""
    gathered: list[Chunk] = []
    size = 0
    for chunk in chunks:
        length = len(chunk)
        if length >= large:
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
