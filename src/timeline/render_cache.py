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

import attrs

from timeline._speed import paused_gc
from timeline.exporters.pieces import CachingExporter, Key, RenderCache

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from timeline.exporters.base import Exporter
    from timeline.exporters.pieces import Chunk
    from timeline.projections import Timeline

__all__ = ["FILE_FORMAT", "RenderCacheFile", "cache_folder", "export_cached", "memory_cache", "scope_of"]

FILE_FORMAT = 1
"""The version of the cache files' layout; files of another version are ignored."""

_MAGIC = b"TLRCACHE"
_HEAD = struct.Struct("<8sIIQ")  # magic, format, CRC-32 of the payload, payload length

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
        self._origin: _Origin | None = None  # the index as loaded or last saved

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
            index = _read_index(self.index_path)
            if index is None or index.scope != scope:
                return cache
            buffer = _read_data(self.folder / index.data_name, index)
        except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
            return cache
        if buffer is None:
            return cache
        cache._adopt(index.keys, index.tags, index.offsets, buffer)
        self._origin = _Origin.of(index)
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

    def _appendable(self, saved: int) -> _Origin | None:
        """The index we loaded or saved if it is still the one on disk and covers our first `saved` slots."""
        origin = self._origin
        if origin is None or saved != origin.slots:
            return None
        try:
            on_disk = _read_index(self.index_path)
            size = os.stat(self.folder / origin.data_name).st_size
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if on_disk is None or _Origin.of(on_disk) != origin:
            return None
        # Bytes past what the index names (a writer killed mid-append): a new file instead.
        return origin if size == origin.covered else None

    def _save(self, cache: RenderCache) -> None:
        keys, tags, offsets, buffers, starts, saved = cache._file_state()
        origin = self._appendable(saved)
        if origin is not None:
            data_name, crcs, mode = origin.data_name, list(origin.crcs), "ab"
            new = [buffer for buffer, start in zip(buffers, starts, strict=True) if start >= saved]
        else:
            data_name, crcs, mode = f"{self.key}.{secrets.token_hex(6)}.data", [], "xb"
            new = buffers
        with open(self.folder / data_name, mode) as out:
            offset = out.seek(0, os.SEEK_END)
            for buffer in new:
                crcs.append((offset, offset + len(buffer), zlib.crc32(buffer)))
                out.write(buffer)
                offset += len(buffer)
            out.flush()
            os.fsync(out.fileno())
        index = _Index(
            scope=cache.scope, data_name=data_name, crcs=crcs, keys=keys, tags=tags, offsets=offsets
        )
        _write_atomically(self.index_path, _encode_index(index))
        self._origin = _Origin.of(index)
        cache._saved = len(keys)
        for stale in self.folder.glob(f"{self.key}.*.data"):
            if stale.name != data_name:
                with contextlib.suppress(OSError):
                    stale.unlink()  # a reader that has it open keeps reading it


@attrs.frozen(kw_only=True)
class _Index:
    """What an index file says: the scope, the data file, its checksummed regions, and the slots."""

    scope: str
    data_name: str
    crcs: list[tuple[int, int, int]]  # (start, end, CRC-32) of each appended region
    keys: list[Key]  # per slot
    tags: list[int]  # per slot
    offsets: list[int]  # slot i is data[offsets[i]:offsets[i + 1]]


@attrs.frozen(kw_only=True)
class _Origin:
    """What a writer needs to know of the index it loaded or saved to append to its data file."""

    data_name: str
    crcs: tuple[tuple[int, int, int], ...]
    slots: int
    covered: int

    @classmethod
    def of(cls, index: _Index) -> _Origin:
        return cls(
            data_name=index.data_name,
            crcs=tuple(map(tuple, index.crcs)),  # type: ignore[arg-type]
            slots=len(index.keys),
            covered=index.offsets[-1],
        )


def _encode_index(index: _Index) -> bytes:
    payload = marshal.dumps(
        (index.scope, index.data_name, index.crcs, index.keys, index.tags, index.offsets), 2
    )
    return _HEAD.pack(_MAGIC, FILE_FORMAT, zlib.crc32(payload), len(payload)) + payload


def _read_index(path: Path) -> _Index | None:
    """The index at `path` if it is whole and of this format, else None (missing: OSError)."""
    raw = path.read_bytes()
    if len(raw) < _HEAD.size:
        return None
    magic, version, crc, length = _HEAD.unpack_from(raw)
    payload = memoryview(raw)[_HEAD.size :]
    if magic != _MAGIC or version != FILE_FORMAT or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    with paused_gc():  # 100,000s of small tuples while a large timeline is alive
        loaded: Any = marshal.loads(payload)  # checksummed: what a writer of this format wrote
    scope, data_name, crcs, keys, tags, offsets = loaded
    if (
        not (isinstance(scope, str) and isinstance(data_name, str))
        or os.path.basename(data_name) != data_name
    ):
        return None
    if len(offsets) != len(keys) + 1 or len(tags) != len(keys) or offsets[0] != 0:
        return None
    return _Index(scope=scope, data_name=data_name, crcs=crcs, keys=keys, tags=tags, offsets=offsets)


def _read_data(path: Path, index: _Index) -> Chunk | None:
    """The data file's bytes that `index` names, mapped; None if a region fails its CRC-32 or is missing."""
    covered = index.offsets[-1]
    regions = sorted(index.crcs)
    # The regions must tile 0..covered exactly: then every slot's bytes are checked.
    ends = [0, *(end for _, end, _ in regions)]
    if [start for start, _, _ in regions] != ends[:-1] or ends[-1] != covered:
        return None
    if not covered:
        return b""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size < covered:
            return None
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)[:covered]
    for start, end, crc in regions:
        if zlib.crc32(view[start:end]) != crc:
            return None
    return view


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
