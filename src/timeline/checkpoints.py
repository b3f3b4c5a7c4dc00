"""Checkpoints: a projection's position and state, saved so that a process restarts where it stopped.

`CheckpointStore` is the small protocol a place to keep them implements (a folder of files here; a
database table elsewhere). A checkpoint holds a JSON-ready `state` and, optionally, a `payload` of bytes
(a snapshot: the Timeline keeps its entries there, compactly), which may be given as `Segments` (its
parts, not joined: the bytes are joined only when asked for). `FileCheckpointStore` keeps the parts in an
append-only block file beside a small checkpoint file replaced atomically (`timeline._checkpoint_files`):
a crash leaves either the old checkpoint or the new one, and a save after a small change appends the parts
that changed only. This module sits below the stores and the projections: both use it, neither imports
the other for it.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote

import attrs

from timeline import _checkpoint_files
from timeline._files import write_atomically
from timeline.errors import ValidationError

__all__ = [
    "Checkpoint",
    "CheckpointStore",
    "FileCheckpointStore",
    "Segments",
    "read_checkpoint",
    "write_checkpoint",
]


@attrs.frozen(kw_only=True)
class Segments:
    """A payload as the byte strings it is made of, in order, not joined (``bytes(segments)`` joins them).

    `origins`, when given, say per part where the store that read it keeps it (opaque values that store
    handed out; None for a part made since): a store keeping parts apart writes again only the others.
    """

    parts: tuple[bytes | memoryview, ...]
    origins: tuple[Any, ...] | None = attrs.field(default=None, eq=False, repr=False)

    def __len__(self) -> int:
        return sum(memoryview(part).nbytes for part in self.parts)

    def __bytes__(self) -> bytes:
        return b"".join(self.parts)


def _as_bytes(payload: bytes | Segments | None) -> bytes | None:
    return bytes(payload) if isinstance(payload, Segments) else payload


@attrs.frozen(kw_only=True, repr=False)
class Checkpoint:
    """A projection's state after folding the log up to global position `position`: `state` JSON-ready,
    and `payload` bytes for what is better kept compactly (None when there are none), which may be given
    as `Segments`."""

    name: str
    position: int
    state: Mapping[str, Any] = attrs.field(hash=False)
    _payload: bytes | Segments | None = attrs.field(default=None, alias="payload", hash=False, eq=_as_bytes)
    _joined: bytes | None = attrs.field(default=None, init=False, hash=False, eq=False)

    @property
    def payload(self) -> bytes | None:
        """The payload's bytes (those of `Segments` joined on the first call), or None."""
        payload = self._payload
        if not isinstance(payload, Segments):
            return payload
        if self._joined is None:
            object.__setattr__(self, "_joined", bytes(payload))
        return self._joined

    @property
    def segments(self) -> Segments | None:
        """The payload as `Segments` (bytes given whole are one part), or None: nothing joined."""
        payload = self._payload
        if payload is None or isinstance(payload, Segments):
            return payload
        return Segments(parts=(payload,))

    def __repr__(self) -> str:
        size = "None" if self._payload is None else f"<{len(self._payload):,} bytes>"
        shown = f"name={self.name!r}, position={self.position!r}, state={self.state!r}, payload={size}"
        return f"Checkpoint({shown})"


class CheckpointStore(Protocol):
    """Where checkpoints are kept, by name."""

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None."""

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint` under its name, replacing the previous one atomically."""


class FileCheckpointStore:
    """A `CheckpointStore` keeping each checkpoint in ``<folder>/<name>.checkpoint`` (the name
    percent-encoded), its payload's parts in an append-only block file ``<name>.blocks.<generation>``
    beside it (read through `mmap`: nothing copied); files an earlier version wrote (the single framed
    file, or ``<name>.json``) are still read."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        """The file of checkpoint `name`."""
        if not name:
            raise ValidationError("a checkpoint needs a name", path="name")
        return self.folder / f"{quote(name, safe='')}.checkpoint"

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None if there is none."""
        path = self.path(name)
        if path.exists():
            return read_checkpoint(path)
        older = path.with_suffix(".json")
        return read_checkpoint(older) if older.exists() else None

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint` atomically (creating the folder if needed), appending to its block file the
        parts of its payload not read from it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(checkpoint.name)
        segments = checkpoint.segments
        parts, origins = (None, ()) if segments is None else (segments.parts, segments.origins)
        _checkpoint_files.save(path, _header(checkpoint), parts, origins or (None,) * len(parts or ()))
        path.with_suffix(".json").unlink(missing_ok=True)  # an earlier version's file: stale now

    def __repr__(self) -> str:
        return f"FileCheckpointStore({str(self.folder)!r})"


#: A checkpoint file with a payload: MAGIC, the length and CRC-32 of the JSON header, the header
#: (name, position, state), the payload's length, then the payload (which carries its own checksum when it
#: needs one, as the Timeline's does: a second pass over megabytes here would cost as much as reading them).
MAGIC = b"TLCHECKPOINT\x00\x01"
_FRAME = struct.Struct(">QIQ")


def _header(checkpoint: Checkpoint) -> bytes:
    data = {"name": checkpoint.name, "position": checkpoint.position, "state": checkpoint.state}
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"the state is not JSON: {exc}", path="state") from None
    return text.encode("utf-8")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Write `checkpoint` to the one file `path` atomically: the old file stays if anything fails. JSON
    text when it has no payload (as earlier versions wrote), else the framed binary form (see `MAGIC`)."""
    header = _header(checkpoint)
    segments = checkpoint.segments

    def write(out: BinaryIO) -> None:
        if segments is None:
            out.write(header)
            return
        out.write(MAGIC)
        out.write(_FRAME.pack(len(header), zlib.crc32(header), len(segments)))
        out.write(header)
        for part in segments.parts:
            out.write(part)

    write_atomically(path, write)


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in the file `path` (one `write_checkpoint` or `FileCheckpointStore` wrote); a
    ValidationError naming the file if it is not a whole one, or its block file not either."""
    for _ in range(5):  # a block file removed under us (another process compacted it): read again
        try:
            return _read_once(path)
        except _checkpoint_files.Moved:
            continue
    raise ValidationError(f"{path}: its block file keeps going away")


def _read_once(path: Path) -> Checkpoint:
    payload: bytes | Segments | None = None
    with path.open("rb") as source:  # read in pieces: the payload lands in one bytes object, not copied
        content = source.read(len(MAGIC))
        if content == _checkpoint_files.MAGIC:
            content, parts, origins = _checkpoint_files.read(path, content + source.read())
            payload = Segments(parts=parts, origins=origins)
        elif content == MAGIC:
            frame = source.read(_FRAME.size)
            if len(frame) != _FRAME.size:
                raise ValidationError(f"{path}: not a checkpoint file (truncated)")
            size, crc, payload_size = _FRAME.unpack(frame)
            content = source.read(size)
            if len(content) != size or zlib.crc32(content) != crc:
                raise ValidationError(f"{path}: not a checkpoint file (truncated or damaged)")
            payload = source.read(payload_size)
            if len(payload) != payload_size or source.read(1):
                raise ValidationError(f"{path}: not a checkpoint file (truncated or damaged)")
        else:
            content += source.read()
    try:
        data = json.loads(content.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: not a checkpoint file ({exc})") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: not a checkpoint file (expected a JSON object)")
    for field, kind in (("name", str), ("position", int), ("state", dict)):
        if type(data.get(field)) is not kind:
            raise ValidationError(f"{path}: expected {kind.__name__}, got {data.get(field)!r}", path=field)
    return Checkpoint(name=data["name"], position=data["position"], state=data["state"], payload=payload)
