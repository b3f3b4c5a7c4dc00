"""A checkpoint with a payload in two files: ``BASE.checkpoint``, small and replaced atomically, and an
append-only block file ``BASE.blocks.GEN`` beside it that holds the payload's parts.

The checkpoint file (``MAGIC``, the CRC-32 and length of its body, then the body: the JSON header, the
block file's name and the (offset, length) of each part in it) is written last, by rename, after the new
parts were appended to the block file and synced: a crash at any step leaves the old checkpoint file or
the new one, each naming only bytes that were whole before it was written. A save writes only the parts it
was not given from that very block file (`Part` origins, which a read hands out with each part), so a
checkpoint after a small catch-up appends what changed. Once the dead bytes (parts no longer named, a
crashed save's tail) would outweigh the live ones, the save writes a new block file instead (a new
generation, under a new random name) and removes the others once the checkpoint file names it.

A read maps the block file (`mmap`) and hands out views of it: nothing is copied, pages are read when
used. The parts carry no checksum of their own here (as in the single-file format, the payload carries its
own: the Timeline's checks every block's CRC when it is loaded); a block file too short for the parts
named, or not starting with ``BLOCKS_MAGIC``, is refused. Writers of one checkpoint take turns (an
advisory lock on ``.BASE.lock``); readers take no lock: the rename is atomic, a block file is only
appended to, and one removed under a reader (a compaction by another process) makes it read the
checkpoint file again.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import struct
import zlib
from typing import TYPE_CHECKING, Any

from timeline._files import locked, sync_folder, write_atomically
from timeline.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import BinaryIO

__all__ = ["MAGIC", "Moved", "Part", "compacting", "read", "save", "stop_at"]

MAGIC = b"TLCHECKPOINT\x00\x02"
BLOCKS_MAGIC = b"TLBLOCKS\x00\x01"
_FRAME = struct.Struct(">IQ")  # CRC-32 of the body, its length
_EXTENT = struct.Struct(">QQ")
_SUFFIX = ".checkpoint"
_MINIMUM_DEAD = 1 << 20  # below this many dead bytes a compaction would cost more than it saves

#: A part's origin, as a read hands it out: (the block file's identity, the part's offset in it).
Part = tuple[tuple[str, int, int], int]


class Moved(Exception):
    """The block file a checkpoint file names is gone (compacted by another process): read again."""


def compacting(live: int, size: int) -> bool:
    """Whether a block file of `size` bytes, `live` of them named by the new checkpoint, is rewritten."""
    return size - live > max(live, _MINIMUM_DEAD)


def stop_at(step: str) -> None:
    """Called at each step of a save ("append", "sync", "replace", "remove stale"): where the tests crash
    one, to show that any stop leaves a whole checkpoint."""


def save(
    path: Path, header: bytes, parts: Sequence[bytes | memoryview] | None, origins: Sequence[Any]
) -> None:
    """Save the checkpoint of JSON `header` whose payload is `parts` (None: no payload, JSON text only) at
    `path`, writing only the parts whose origin is not in the current block file."""
    folder, base = path.parent, _base(path)
    with locked(folder / f".{base}.lock"):  # without fcntl (Windows) writers must not overlap
        if parts is None:
            write_atomically(path, lambda out: _ignore(out.write(header)))
            _remove_blocks(folder, base, keep=None)
            return
        current = _current_blocks(path)
        _save_parts(path, header, parts, origins, current)


def _save_parts(
    path: Path,
    header: bytes,
    parts: Sequence[bytes | memoryview],
    origins: Sequence[Any],
    current: tuple[str, tuple[str, int, int], int] | None,
) -> None:
    folder, base = path.parent, _base(path)
    sizes = [memoryview(part).nbytes for part in parts]
    live = sum(sizes)
    kept: list[int | None] = [None] * len(parts)
    if current is not None:
        identity = current[1]
        for i, origin in enumerate(origins):  # (a part past the end: the file was cut since it was read)
            if origin is not None and origin[0] == identity and origin[1] + sizes[i] <= current[2]:
                kept[i] = origin[1]
        new = sum(size for size, at in zip(sizes, kept, strict=True) if at is None)
        if compacting(live, current[2] + new):
            current, kept = None, [None] * len(parts)
    if current is None:
        name = f"{base}.blocks.{os.urandom(8).hex()}"
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        end = 0
    else:
        name = current[0]
        fd = os.open(folder / name, os.O_WRONLY | os.O_APPEND)
        end = os.fstat(fd).st_size  # after a crashed save's tail, if any: dead bytes
    extents: list[tuple[int, int]] = []
    try:
        if end == 0:
            _write(fd, BLOCKS_MAGIC)
            end = len(BLOCKS_MAGIC)
        for part, size, at in zip(parts, sizes, kept, strict=True):
            if at is None:
                _write(fd, part)
                extents.append((end, size))
                end += size
                stop_at("append")
            else:
                extents.append((at, size))
        os.fsync(fd)
    finally:
        os.close(fd)
    if current is None:
        sync_folder(folder)
    stop_at("sync")
    body = b"".join(
        [
            struct.pack(">I", len(header)),
            header,
            struct.pack(">H", len(name.encode())),
            name.encode(),
            struct.pack(">I", len(extents)),
            *(_EXTENT.pack(*extent) for extent in extents),
        ]
    )

    def write(out: BinaryIO) -> None:
        out.write(MAGIC)
        out.write(_FRAME.pack(zlib.crc32(body), len(body)))
        out.write(body)

    write_atomically(path, write)
    stop_at("replace")
    _remove_blocks(folder, base, keep=name)
    stop_at("remove stale")


def read(path: Path, content: bytes) -> tuple[bytes, tuple[memoryview, ...], tuple[Part, ...]]:
    """(the JSON header, the payload's parts, their origins) of the checkpoint file `path`, whose bytes
    are `content`; a ValidationError if either file is not whole, `Moved` if the block file is gone."""
    header, name, extents = _parse(path, content)
    try:
        fd = os.open(path.parent / name, os.O_RDONLY)
    except FileNotFoundError:
        raise Moved(name) from None
    try:
        status = os.fstat(fd)
        size = status.st_size
        if size < len(BLOCKS_MAGIC) or os.pread(fd, len(BLOCKS_MAGIC), 0) != BLOCKS_MAGIC:
            raise ValidationError(f"{path.parent / name}: not a block file (truncated or damaged)")
        if any(offset < len(BLOCKS_MAGIC) or offset + length > size for offset, length in extents):
            raise ValidationError(f"{path.parent / name}: truncated (shorter than {path} says)")
        whole = memoryview(mmap.mmap(fd, size, access=mmap.ACCESS_READ))
    finally:
        os.close(fd)
    identity = (name, status.st_dev, status.st_ino)
    parts = tuple(whole[offset : offset + length] for offset, length in extents)
    return header, parts, tuple((identity, offset) for offset, _ in extents)


def _parse(path: Path, content: bytes) -> tuple[bytes, str, list[tuple[int, int]]]:
    damaged = ValidationError(f"{path}: not a checkpoint file (truncated or damaged)")
    start = len(MAGIC) + _FRAME.size
    if len(content) < start:
        raise damaged
    crc, length = _FRAME.unpack_from(content, len(MAGIC))
    body = memoryview(content)[start:]
    if len(body) != length or zlib.crc32(body) != crc:
        raise damaged
    try:
        (size,) = struct.unpack_from(">I", body)
        header = bytes(body[4 : 4 + size])
        at = 4 + size
        (size,) = struct.unpack_from(">H", body, at)
        name = bytes(body[at + 2 : at + 2 + size]).decode()
        at += 2 + size
        (count,) = struct.unpack_from(">I", body, at)
        at += 4
        extents = [_EXTENT.unpack_from(body, at + i * _EXTENT.size) for i in range(count)]
    except (struct.error, UnicodeDecodeError):
        raise damaged from None
    if at + count * _EXTENT.size != len(body) or not re.fullmatch(
        rf"{re.escape(_base(path))}\.blocks\.[0-9a-f]{{16}}", name
    ):
        raise damaged
    return header, name, extents


def _current_blocks(path: Path) -> tuple[str, tuple[str, int, int], int] | None:
    """(name, identity, size) of the block file the checkpoint file at `path` names, if it is whole."""
    try:
        content = path.read_bytes()
        if not content.startswith(MAGIC):
            return None
        _, name, _ = _parse(path, content)
        with open(path.parent / name, "rb") as blocks:  # a damaged one is not appended to
            status = os.fstat(blocks.fileno())
            if blocks.read(len(BLOCKS_MAGIC)) != BLOCKS_MAGIC:
                return None
    except (OSError, ValidationError):
        return None
    return name, (name, status.st_dev, status.st_ino), status.st_size


def _base(path: Path) -> str:
    name = path.name
    return name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) and len(name) > len(_SUFFIX) else name


def _remove_blocks(folder: Path, base: str, *, keep: str | None) -> None:
    pattern = re.compile(rf"{re.escape(base)}\.blocks\.[0-9a-f]{{16}}")
    with os.scandir(folder) as entries:
        stale = [entry.path for entry in entries if entry.name != keep and pattern.fullmatch(entry.name)]
    for name in stale:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _ignore(_: object) -> None:
    pass


def _write(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]
