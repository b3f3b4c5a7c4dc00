"""Render caches that outlive the process: a feed re-exported by a script renders only what changed.

`export_to_path` (and so ``timeline export -o`` and ``examples/publish_feed.py``) keeps, for each output
file and format, the pieces of its last export (see `timeline.exporters.pieces`) in a cache folder:
``$TIMELINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/timeline/render``, else ``~/.cache/timeline/render``;
``TIMELINE_CACHE_DIR=off`` turns it off. Not beside the output: a feed folder is often served to the world.

Invalidation: a cache file records its scope, the text naming everything a piece depends on besides its
entry: this file format, the library's code (the size and modification time of each of its modules, so an
upgrade or an edit invalidates it), the Python version, the exporter's class and module, and the exporter's
`render_scope(options)` (its render version and the options that change pieces). A cache of another scope
is ignored, and replaced by the next save. Calendar-level properties (names, descriptions, the header) are
never cached: they are written afresh around the pieces.

Files, for one output: ``<key>.index`` (the scope; the last export's entries as keys in bulk; where each
entry's piece lies in the data file; CRC-32s of the data file's blocks; see `timeline.render_cache._index`),
replaced atomically (temporary file, fsync, rename), and ``<key>.<token>.data``, the pieces, only ever
appended to, until a rewrite into a new data file when dead pieces outweigh the live ones. An export that
changed nothing writes nothing. So a kill -9 leaves the old index naming complete, checksummed blocks; a
torn append is never named. Which log the pieces are of is checked once: the index names the last record
any cached piece depends on (its head), and a Timeline that does not hold it (`Timeline.holds_record`: a
store rebuilt from edited input, another branch of a copied store) gets none of them. A re-export then
asks the Timeline what changed since the head (`Timeline.changed_since`), or else compares every entry's
key (position, revision, retracted: `timeline.render_cache._index.EntryKeys`) with the index's in bulk,
and writes each unchanged run of entries as slices of the mapped data file, checking the CRC-32 of each
block as it reaches it; only new and changed entries are rendered.
Writers take an exclusive lock (``<key>.lock``, flock) and skip saving when another one holds it; readers
take none. Whatever is wrong with a cache (missing, partial, corrupt, of another scope, unreadable) makes
it empty: the export then renders every entry, and the output is the same bytes as without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import secrets
import sys
from array import array
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from timeline._files import locked, write_atomically
from timeline.exporters.pieces import CachingExporter, RenderCache
from timeline.render_cache._file_pieces import FilePieces
from timeline.render_cache._index import FILE_FORMAT, HEAD, Head, Index, block_crcs, decode, encode
from timeline.snapshots import cache_folder

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from timeline.exporters.base import Exporter
    from timeline.exporters.pieces import Chunk
    from timeline.projections import Timeline

__all__ = [
    "FILE_FORMAT",
    "FilePieces",
    "RenderCacheFile",
    "cache_folder",
    "export_cached",
    "memory_cache",
    "scope_of",
]

_library_fingerprint: str | None = None


def _fingerprint() -> str:
    """The library's code, named by each module's path, size and modification time (computed once)."""
    global _library_fingerprint
    if _library_fingerprint is None:
        root = Path(__file__).parent.parent
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            info = path.stat()
            digest.update(f"{path.relative_to(root)}:{info.st_size}:{info.st_mtime_ns}\n".encode())
        _library_fingerprint = digest.hexdigest()[:32]
    return _library_fingerprint


def _module_stamp(exporter: object) -> str:
    """The exporter's own module file, by size and modification time (a plugin's edits invalidate too)."""
    module = sys.modules.get(type(exporter).__module__)
    source = getattr(module, "__file__", None)
    if not source:
        return "-"
    try:
        info = os.stat(source)
    except OSError:
        return "-"
    return f"{info.st_size}:{info.st_mtime_ns}"


def scope_of(exporter: CachingExporter, options: Mapping[str, str], timeline: Timeline | None = None) -> str:
    """The full scope of `exporter`'s pieces with `options` (see the module docstring); with `timeline`,
    its settings too (a cache file's pieces were rendered from entries seen through them)."""
    kind = type(exporter)
    lines = [
        f"timeline render cache {FILE_FORMAT}",
        _fingerprint(),
        sys.version,
        f"{kind.__module__}.{kind.__qualname__} {_module_stamp(exporter)}",
        exporter.render_scope(options),
    ]
    if timeline is not None:
        settings = (timeline.stream, timeline.as_of, timeline.include_retracted, timeline.reported_by)
        lines.append(f"timeline {settings!r}")
    return "\n".join(lines)


def memory_cache(exporter: Exporter, options: Mapping[str, str]) -> RenderCache | None:
    """An empty in-memory cache for `exporter` with `options`, or None if the exporter does not opt in.

    A server keeps one per (format, options) and exports with ``exporter.export_pieces(timeline, out,
    options, cache)``: each export then renders only the entries that changed since the previous one.
    """
    if not isinstance(exporter, CachingExporter):
        return None
    return RenderCache(scope_of(exporter, options))


class RenderCacheFile:
    """The cache files of one output (see the module docstring): `load` its pieces, `save` them back."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        """The cache folder."""
        self.key = key
        """The files' common name: a digest of the output's path and format."""
        self._head: bytes | None = None  # the header of the index as loaded or last saved

    @classmethod
    def for_output(cls, path: str | os.PathLike[str], format_name: str) -> RenderCacheFile | None:
        """The cache files of the output at `path` in `format_name`; None when caching is turned off."""
        folder = cache_folder()
        if folder is None:
            return None
        target = os.path.abspath(os.fspath(path))
        return cls(folder, hashlib.sha256(f"{format_name}\0{target}".encode()).hexdigest()[:40])

    @property
    def index_path(self) -> Path:
        """The index file."""
        return self.folder / f"{self.key}.index"

    def load(self, scope: str, timeline: Timeline) -> FilePieces:
        """The cached pieces of `scope` for exports of `timeline` (or of it after it folds more); empty if
        there are none, if `timeline` does not hold the last record they depend on (another log: see
        `Index`), or if anything is wrong with them (a data block that fails its CRC-32 is found when an
        export reaches it, before any byte of it is given out: the entries from there on are rendered)."""
        self._head = None
        try:
            raw = self.index_path.read_bytes()
            index = decode(raw)
            if index is None or index.scope != scope or not _holds(timeline, index.head):
                return FilePieces(scope)
            data = _map(self.folder / index.data_name, index.covered)
        except (OSError, ValueError, EOFError, TypeError, OverflowError):
            return FilePieces(scope)
        if data is None:
            return FilePieces(scope)
        self._head = raw[: HEAD.size]
        return FilePieces(scope, index, data, timeline)

    def save(self, pieces: FilePieces) -> bool:
        """Write `pieces` back (appending its new pieces when it can; nothing when nothing changed); False
        when another process is saving or the folder is not writable (the cache is then only slower next
        time, never wrong)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with locked(self.folder / f"{self.key}.lock", wait=False, mode=0o600) as taken:
                if not taken:
                    return False
                if pieces.dirty:
                    self._save(pieces)
        except (OSError, ValueError, OverflowError, MemoryError):  # the feed is written: never fail it
            return False
        return True

    def _appendable(self, pieces: FilePieces) -> bool:
        """Whether the index on disk is still the one `pieces` came from, its data file holding exactly
        the bytes it names, and its dead pieces not outweighing the live ones."""
        if not pieces.data_name or self._head is None or pieces.end - pieces.live > pieces.live + 65536:
            return False
        try:
            with open(self.index_path, "rb") as index:
                head = index.read(HEAD.size)
            size = os.stat(self.folder / pieces.data_name).st_size
        except OSError:
            return False
        # Bytes past what the index names (a writer killed mid-append): a new file instead.
        return head == self._head and size == pieces.file_end

    def _save(self, pieces: FilePieces) -> None:
        rewritten: Chunk | None = None
        if self._appendable(pieces):
            data_name, crcs = pieces.data_name, array("I", pieces.crcs)
            covered = _write_data(self.folder / data_name, "ab", pieces.unsaved(), pieces.file_end, crcs)
        else:
            data_name, crcs = f"{self.key}.{secrets.token_hex(6)}.data", array("I")
            parts = list(pieces.segments())
            covered = _write_data(self.folder / data_name, "xb", parts, 0, crcs)
            rewritten = memoryview(b"".join(parts))
        pieces.saved(data_name, covered, crcs, rewritten)
        keys, starts, ends, tags, breaks = pieces.layout()
        index = Index(
            scope=pieces.scope,
            data_name=data_name,
            covered=covered,
            crcs=crcs.tobytes(),
            keys=keys,
            starts=starts.tobytes(),
            ends=ends.tobytes(),
            tags=tags.tobytes(),
            breaks=array("q", breaks).tobytes(),
            head=pieces.head,
        )
        raw = encode(index)

        def write(out: BinaryIO) -> None:
            out.write(raw)

        write_atomically(self.index_path, write)
        self._head = raw[: HEAD.size]
        for stale in self.folder.glob(f"{self.key}.*.data"):
            if stale.name != data_name:
                with contextlib.suppress(OSError):
                    stale.unlink()  # a reader that has it open keeps reading it
        # Temporary index files left by an earlier version killed mid-write (write_atomically cleans its own).
        for stale in self.folder.glob(f".{self.key}.index.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _holds(timeline: Timeline, head: Head | None) -> bool:
    """Whether `timeline` holds the record `head` (None: the pieces depend on none)."""
    if head is None:
        return True
    entry_id, position, event_id, recorded_at = head
    return timeline.holds_record(entry_id, position, event_id, datetime.fromisoformat(recorded_at))


def _map(path: Path, covered: int) -> Chunk | None:
    """The data file's first `covered` bytes, mapped; None if it is shorter."""
    if not covered:
        return b""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size < covered:
            return None
        # Populated in one go: an export reads nearly all of it, and page faults one by one cost more.
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        mapped = mmap.mmap(handle.fileno(), 0, flags=flags, prot=mmap.PROT_READ)
    return memoryview(mapped)[:covered]


def _write_data(path: Path, mode: str, parts: Iterable[Chunk], start: int, crcs: array[int]) -> int:
    """Write `parts` to the data file at `path` from `start`, synced, extending `crcs`; return its end."""
    offset = start
    with open(path, mode) as out:
        if out.seek(0, os.SEEK_END) != start:
            raise OSError(f"{path} is not {start} bytes long")
        for part in parts:
            block_crcs(part, offset, crcs)
            out.write(part)
            offset += len(part)
        out.flush()
        os.fsync(out.fileno())
    return offset


def export_cached(
    timeline: Timeline,
    exporter: Exporter,
    out: BinaryIO,
    options: Mapping[str, str],
    cache_file: RenderCacheFile | None,
) -> None:
    """`exporter.export(timeline, out, options)`, with the pieces of `cache_file` when the exporter opts in
    (see `CachingExporter`); the cache is saved back afterwards. Same bytes either way."""
    if cache_file is None or not isinstance(exporter, CachingExporter):
        exporter.export(timeline, out, options)
        return
    pieces = cache_file.load(scope_of(exporter, options, timeline), timeline)
    exporter.export_pieces(timeline, out, options, pieces)
    cache_file.save(pieces)
