"""Checkpoints: a projection's position and state, saved so that a process restarts where it stopped.

`CheckpointStore` is the small protocol a place to keep them implements (a folder of JSON files here; a
database table elsewhere). Files are written atomically (`timeline._files.write_atomically`), so a crash
leaves either the old checkpoint or the new one. This module sits below the stores and the projections:
both use it, neither imports the other for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote

import attrs

from timeline._files import write_atomically
from timeline.errors import ValidationError

__all__ = ["Checkpoint", "CheckpointStore", "FileCheckpointStore", "read_checkpoint", "write_checkpoint"]


@attrs.frozen(kw_only=True)
class Checkpoint:
    """A projection's state (JSON-ready) after folding the log up to global position `position`."""

    name: str
    position: int
    state: Mapping[str, Any] = attrs.field(hash=False)


class CheckpointStore(Protocol):
    """Where checkpoints are kept, by name."""

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None."""

    def put(self, checkpoint: Checkpoint) -> None:
        """Save `checkpoint` under its name, replacing the previous one atomically."""


class FileCheckpointStore:
    """A `CheckpointStore` keeping each checkpoint in ``<folder>/<name>.json`` (the name percent-encoded)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        """The file of checkpoint `name`."""
        if not name:
            raise ValidationError("a checkpoint needs a name", path="name")
        return self.folder / f"{quote(name, safe='')}.json"

    def get(self, name: str) -> Checkpoint | None:
        """The checkpoint saved under `name`, or None if there is none."""
        path = self.path(name)
        return read_checkpoint(path) if path.exists() else None

    def put(self, checkpoint: Checkpoint) -> None:
        """Write `checkpoint` to its file atomically (creating the folder if needed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_checkpoint(self.path(checkpoint.name), checkpoint)

    def __repr__(self) -> str:
        return f"FileCheckpointStore({str(self.folder)!r})"


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Write `checkpoint` as JSON to `path` atomically: the old file stays if anything fails."""
    data = {"name": checkpoint.name, "position": checkpoint.position, "state": checkpoint.state}
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"the state is not JSON: {exc}", path="state") from None
    encoded = text.encode("utf-8")

    def write(out: BinaryIO) -> None:
        out.write(encoded)

    write_atomically(path, write)


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in the JSON file `path`; a ValidationError naming the file if it is not one."""
    try:
        with path.open(encoding="utf-8") as source:
            data = json.load(source)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: not a checkpoint file ({exc})") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: not a checkpoint file (expected a JSON object)")
    for field, kind in (("name", str), ("position", int), ("state", dict)):
        if type(data.get(field)) is not kind:
            raise ValidationError(f"{path}: expected {kind.__name__}, got {data.get(field)!r}", path=field)
    return Checkpoint(name=data["name"], position=data["position"], state=data["state"])
