"""Checkpoints: a projection's position and state, saved so that a process restarts where it stopped.

`CheckpointStore` is the small protocol a place to keep them implements (a folder of files here; a
database table elsewhere). A checkpoint holds a JSON-ready `state` and, optionally, a `payload` of bytes
(a snapshot: the Timeline keeps its entries there, compactly). Files are written atomically
(`timeline._files.write_atomically`), so a crash leaves either the old checkpoint or the new one. This
module sits below the stores and the projections: both use it, neither imports the other for it.
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

from timeline._files import write_atomically
from timeline.errors import ValidationError

__all__ = ["Checkpoint", "CheckpointStore", "FileCheckpointStore", "read_checkpoint", "write_checkpoint"]


def _size(payload: bytes | None) -> str:
    return "None" if payload is None else f"<{len(payload):,} bytes>"


@attrs.frozen(kw_only=True)
class Checkpoint:
    """A projection's state after folding the log up to global position `position`: `state` JSON-ready,
    and `payload` bytes for what is better kept compactly (None when there are none)."""

    name: str
    position: int
    state: Mapping[str, Any] = attrs.field(hash=False)
    payload: bytes | None = attrs.field(default=None, hash=False, repr=_size)


class CheckpointStore(Protocol):
    """Where checkpoints are kept, by name."""

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None."""

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint` under its name, replacing the previous one atomically."""


class FileCheckpointStore:
    """A `CheckpointStore` keeping each checkpoint in ``<folder>/<name>.checkpoint`` (the name
    percent-encoded); one saved as ``<name>.json`` by an earlier version is still read."""

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
        """Write `checkpoint` to its file atomically (creating the folder if needed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(checkpoint.name)
        write_checkpoint(path, checkpoint)
        path.with_suffix(".json").unlink(missing_ok=True)  # an earlier version's file: stale now

    def __repr__(self) -> str:
        return f"FileCheckpointStore({str(self.folder)!r})"


#: A checkpoint file with a payload: MAGIC, the length and CRC-32 of the JSON header, the header
#: (name, position, state), the payload's length, then the payload (which carries its own checksum when it
#: needs one, as the Timeline's does: a second pass over megabytes here would cost as much as reading them).
MAGIC = b"TLCHECKPOINT\x00\x01"
_FRAME = struct.Struct(">QIQ")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Write `checkpoint` to `path` atomically: the old file stays if anything fails. JSON text when it has
    no payload (as earlier versions wrote), else the framed binary form (see `MAGIC`)."""
    data = {"name": checkpoint.name, "position": checkpoint.position, "state": checkpoint.state}
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"the state is not JSON: {exc}", path="state") from None
    header = text.encode("utf-8")
    payload = checkpoint.payload

    def write(out: BinaryIO) -> None:
        if payload is None:
            out.write(header)
            return
        out.write(MAGIC)
        out.write(_FRAME.pack(len(header), zlib.crc32(header), len(payload)))
        out.write(header)
        out.write(payload)

    write_atomically(path, write)


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in the file `path`; a ValidationError naming the file if it is not a whole one."""
    payload = None
    with path.open("rb") as source:  # read in pieces: the payload lands in one bytes object, not copied
        content = source.read(len(MAGIC))
        if content == MAGIC:
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
