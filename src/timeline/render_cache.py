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

Files, for one output: ``<key>.index`` (which data file, its chunks with a CRC-32 each, and where each
entry's piece is) replaced atomically (temporary file, fsync, rename), and ``<key>.<token>.data``, the
pieces, only ever appended to, until a rewrite into a new data file when dead pieces outweigh the live ones.
So a kill -9 leaves the old index naming complete, checksummed chunks; a torn append is never named.
Writers take an exclusive lock (``<key>.lock``, flock) and skip saving when another one holds it; readers
take none. Whatever is wrong with a cache (missing, partial, corrupt, of another scope, unreadable) makes
it empty: the export then renders every entry, and the output is the same bytes as without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import mmap
import os
import secrets
import struct
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from timeline.exporters.pieces import CachingExporter, RenderCache

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from timeline.exporters.base import Exporter
    from timeline.exporters.pieces import Chunk, Key, Spot
    from timeline.projections import Timeline

__all__ = ["FILE_FORMAT", "RenderCacheFile", "cache_folder", "export_cached", "memory_cache", "scope_of"]

FILE_FORMAT = 1
"""The version of the cache files' layout; files of another version are ignored."""

_MAGIC = b"TLRCACHE"
_HEAD = struct.Struct("<8sIIQ")  # magic, format, CRC-32 of the payload, payload length
_CHUNK = struct.Struct("<8sQI")  # a data chunk's header: magic, length, CRC-32 (for a reader of the file)
_CHUNK_MAGIC = b"TLRCHUNK"

_library_fingerprint: str | None = None


def _fingerprint() -> str:
    """The library's code, named by each module's path, size and modification time (computed once)."""
    global _library_fingerprint
    if _library_fingerprint is None:
        root = Path(__file__).parent
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


def scope_of(exporter: CachingExporter, options: Mapping[str, str]) -> str:
    """The full scope of `exporter`'s pieces with `options` (see the module docstring)."""
    kind = type(exporter)
    return "\n".join(
        [
            f"timeline render cache {FILE_FORMAT}",
            _fingerprint(),
            sys.version,
            f"{kind.__module__}.{kind.__qualname__} {_module_stamp(exporter)}",
            exporter.render_scope(options),
        ]
    )


def memory_cache(exporter: Exporter, options: Mapping[str, str]) -> RenderCache | None:
    """An empty in-memory cache for `exporter` with `options`, or None if the exporter does not opt in.

    A server keeps one per (format, options) and exports with ``exporter.export_pieces(timeline, out,
    options, cache)``: each export then renders only the entries that changed since the previous one.
    """
    if not isinstance(exporter, CachingExporter):
        return None
    return RenderCache(scope_of(exporter, options))


def cache_folder() -> Path | None:
    """Where cache files go (see the module docstring); None when caching is turned off."""
    chosen = os.environ.get("TIMELINE_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "timeline" / "render"


class RenderCacheFile:
    """The cache files of one output (see the module docstring): `load` a `RenderCache`, `save` it back."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        """The cache folder."""
        self.key = key
        """The files' common name: a digest of the output's path and format."""
        self._origin: tuple[str, list[tuple[int, int, int]]] | None = None  # data file, chunks as loaded

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

    def load(self, scope: str) -> RenderCache:
        """The cached pieces of `scope`; an empty cache if there are none, or anything is wrong with them."""
        cache = RenderCache(scope)
        self._origin = None
        try:
            found = _read_index(self.index_path)
            if found is None or found[0] != scope:
                return cache
            _, data_name, chunks, spots = found
            buffers = _read_chunks(self.folder / data_name, chunks, {spot[0] for spot in spots.values()})
        except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
            return cache
        if buffers is None:
            return cache
        cache._adopt(buffers, spots)
        self._origin = (data_name, chunks)
        return cache

    def save(self, cache: RenderCache) -> bool:
        """Write `cache` back (appending its new pieces when it can); False when another process is saving
        or the folder is not writable (the cache is then only slower next time, never wrong)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with _exclusive(self.folder / f"{self.key}.lock") as locked:
                if not locked:
                    return False
                self._save(cache)
        except OSError:
            return False
        return True

    def _save(self, cache: RenderCache) -> None:
        buffers, spots, changed_from = cache._state()
        on_disk = None
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            on_disk = _read_index(self.index_path)
        origin = self._origin
        appending = (
            changed_from is not None
            and origin is not None
            and on_disk is not None
            and (on_disk[1], on_disk[2]) == origin
            and len(origin[1]) == changed_from
        )
        if appending and origin is not None and changed_from is not None:
            data_name, chunks = origin[0], list(origin[1])
            new = buffers[changed_from:]
            mode = "ab"
        else:
            data_name, chunks = f"{self.key}.{secrets.token_hex(6)}.data", []
            new = buffers
            mode = "xb"
        data_path = self.folder / data_name
        with open(data_path, mode) as out:
            offset = out.seek(0, os.SEEK_END)
            for chunk in new:
                crc = zlib.crc32(chunk)
                out.write(_CHUNK.pack(_CHUNK_MAGIC, len(chunk), crc))
                out.write(chunk)
                chunks.append((offset + _CHUNK.size, len(chunk), crc))
                offset += _CHUNK.size + len(chunk)
            out.flush()
            os.fsync(out.fileno())
        payload = marshal.dumps((cache.scope, data_name, chunks, spots))
        _write_atomically(
            self.index_path, _HEAD.pack(_MAGIC, FILE_FORMAT, zlib.crc32(payload), len(payload)) + payload
        )
        self._origin = (data_name, chunks)
        cache._saved()
        for stale in self.folder.glob(f"{self.key}.*.data"):
            if stale.name != data_name:
                with contextlib.suppress(OSError):
                    stale.unlink()  # a reader that has it open keeps reading it


def _read_index(path: Path) -> tuple[str, str, list[tuple[int, int, int]], dict[Key, Spot]] | None:
    """The index at `path` if it is whole and of this format, else None (missing: OSError)."""
    raw = path.read_bytes()
    if len(raw) < _HEAD.size:
        return None
    magic, version, crc, length = _HEAD.unpack_from(raw)
    payload = raw[_HEAD.size :]
    if magic != _MAGIC or version != FILE_FORMAT or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    loaded: Any = marshal.loads(payload)  # checksummed: what a writer of this format wrote
    scope, data_name, chunks, spots = loaded
    if not (isinstance(scope, str) and isinstance(data_name, str) and isinstance(spots, dict)):
        return None
    if os.path.basename(data_name) != data_name:
        return None
    return scope, data_name, [tuple(chunk) for chunk in chunks], spots


def _read_chunks(path: Path, chunks: list[tuple[int, int, int]], used: set[int]) -> list[Chunk] | None:
    """The chunks of the data file, those in `used` checked against their CRC-32; None if one is off."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if not size:
            return None if used else []
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    buffers: list[Chunk] = []
    for number, (offset, length, crc) in enumerate(chunks):
        if offset < 0 or offset + length > size:
            return None
        chunk = view[offset : offset + length]
        if number in used and zlib.crc32(chunk) != crc:
            return None
        buffers.append(chunk)
    return buffers


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    """An exclusive lock on `path`, without waiting: yields whether it was taken."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temp, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


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
    cache = cache_file.load(scope_of(exporter, options))
    exporter.export_pieces(timeline, out, options, cache)
    cache_file.save(cache)
