"""Timeline snapshots in the cache folder: a script run again, or a server restarted, folds only what is new.

`resume_timeline(store, ...)` is `Timeline.from_store(store, ...)` for a process that will run again: it
resumes from the snapshot of the last run (`Timeline.resume` with a `FileCheckpointStore`), folds what the
store recorded since, and saves the snapshot again. A long-running process keeps a `Snapshots` and tells it
what it folded (`noted`), so a snapshot is saved now and then rather than after every record.

Where: ``<cache folder>/snapshots`` (the cache folder is ``$TIMELINE_CACHE_DIR``, else
``$XDG_CACHE_HOME/timeline/render``, else ``~/.cache/timeline/render``; ``TIMELINE_CACHE_DIR=off`` turns
snapshots off too). A snapshot's name is a digest of what it is a snapshot of: the store (a SQLite file's
resolved path, a PostgreSQL URL without its password, and its schema) and the projection's settings
(stream, as of, retracted entries, reported by). A store without a lasting name (``memory:``) has none.

A snapshot never changes what the Timeline holds: one that cannot be read, is of another format or of
another store, is ignored (`Timeline.resume` rebuilds), and failing to write one (a full disk, a
read-only folder) never fails the caller: the snapshot is only older next time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from timeline.checkpoints import Checkpoint, FileCheckpointStore
from timeline.errors import ValidationError
from timeline.projections import Timeline
from timeline.store import SqliteStore

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

    from timeline.store import EventStore

__all__ = ["Snapshots", "cache_folder", "resume_timeline", "snapshot_name"]

FORMAT = 1
"""The version of the snapshot names; a change makes every earlier snapshot unused."""


def cache_folder() -> Path | None:
    """The cache folder (see the module docstring); None when caching is turned off."""
    chosen = os.environ.get("TIMELINE_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "timeline" / "render"


def store_identity(store: EventStore) -> str | None:
    """What names `store` across processes: a SQLite file's resolved path, a PostgreSQL URL without its
    password (and its schema); None for a store without a lasting name."""
    if isinstance(store, SqliteStore):
        path = store.path
        return None if path == ":memory:" else f"sqlite {os.path.realpath(path)}"
    url = getattr(store, "url", None)
    if isinstance(url, str) and url.startswith(("postgresql://", "postgres://")):
        # `url` is the shown one: no password, no secret option (timeline.store.postgres).
        return f"postgresql {url} schema={getattr(store, 'schema', '')}"
    return None


def snapshot_name(
    store: EventStore,
    *,
    stream: str | None = None,
    as_of: datetime | None = None,
    include_retracted: bool = False,
    reported_by: date | None = None,
) -> str | None:
    """The name of the snapshot of `store`'s Timeline with these settings; None if the store has no
    lasting name (see `store_identity`)."""
    identity = store_identity(store)
    if identity is None:
        return None
    settings = (
        stream,
        as_of and as_of.isoformat(),
        include_retracted,
        reported_by and reported_by.isoformat(),
    )
    text = f"timeline snapshot {FORMAT}\n{identity}\n{settings!r}"
    return "timeline-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


class _Tolerant:
    """A `CheckpointStore` whose failures are misses: an unreadable snapshot is none, an unwritable one
    is not written (a rebuild, or an older snapshot next time, costs time, never correctness)."""

    def __init__(self, inner: FileCheckpointStore) -> None:
        self.inner = inner
        self.written = False

    def get(self, name: str) -> Checkpoint | None:
        try:
            return self.inner.get(name)
        except (OSError, ValidationError, ValueError, TypeError, KeyError):
            return None

    def put(self, checkpoint: Checkpoint) -> None:
        try:
            self.inner.put(checkpoint)
            self.written = True
        except (OSError, ValidationError, ValueError, TypeError, OverflowError):
            pass


class Snapshots:
    """The snapshots of one store's Timelines in a folder: resume them, and save them now and then.

    `noted` saves a Timeline's snapshot once `every` records (or 1% of its entries, if more) were folded
    into it since its last one; `flush` saves those with any (a server's shutdown).
    """

    def __init__(self, store: EventStore, folder: Path | None, *, every: int = 1000) -> None:
        self.store = store
        self.folder = folder
        """Where the snapshots are (None: none are kept)."""
        self.every = every
        self._unsaved: dict[str, int] = {}  # snapshot name -> records folded since it was saved

    @classmethod
    def of(cls, store: EventStore) -> Snapshots:
        """The snapshots of `store` in the cache folder (none when caching is turned off)."""
        return cls(store, cache_folder())

    def timeline(
        self,
        *,
        stream: str | None = None,
        as_of: datetime | None = None,
        include_retracted: bool = False,
        reported_by: date | None = None,
    ) -> Timeline:
        """`Timeline.from_store(store, ...)`, resumed from its snapshot when there is one (then only what
        the store recorded since is folded), and the snapshot saved again if anything was folded."""
        settings: dict[str, Any] = {
            "stream": stream,
            "as_of": as_of,
            "include_retracted": include_retracted,
            "reported_by": reported_by,
        }
        name = snapshot_name(self.store, **settings)
        if self.folder is None or name is None:
            return Timeline.from_store(self.store, **settings)
        try:
            timeline = Timeline.resume(
                self.store, self._checkpoints(), name, **settings, save_after=self.every
            )
        except (ValidationError, ValueError, TypeError, OSError):
            # A snapshot that could not be taken (or a log that cannot be folded: the rebuild says so).
            return Timeline.from_store(self.store, **settings)
        self._unsaved[name] = 0
        return timeline

    def noted(self, timeline: Timeline, folded: int) -> bool:
        """Note that `folded` more records were folded into `timeline`; save its snapshot if enough were
        since the last one. Return whether one was saved."""
        name = self._name(timeline)
        if name is None or not folded:
            return False
        unsaved = self._unsaved.get(name, 0) + folded
        if unsaved < max(self.every, len(timeline) // 100):
            self._unsaved[name] = unsaved
            return False
        return self.save(timeline)

    def flush(self, timelines: Iterable[Timeline]) -> int:
        """Save the snapshot of each of `timelines` with records folded since its last; return how many."""
        saved = 0
        for timeline in timelines:
            name = self._name(timeline)
            if name is not None and self._unsaved.get(name):
                saved += self.save(timeline)
        return saved

    def save(self, timeline: Timeline) -> bool:
        """Save `timeline`'s snapshot now; False if there is no folder or it could not be written."""
        name = self._name(timeline)
        if name is None:
            return False
        checkpoints = self._checkpoints()
        try:
            checkpoints.put(timeline.checkpoint(name))
        except (ValidationError, ValueError, TypeError):
            return False
        if checkpoints.written:
            self._unsaved[name] = 0
        return checkpoints.written

    def _name(self, timeline: Timeline) -> str | None:
        if self.folder is None:
            return None
        return snapshot_name(
            self.store,
            stream=timeline.stream,
            as_of=timeline.as_of,
            include_retracted=timeline.include_retracted,
            reported_by=timeline.reported_by,
        )

    def _checkpoints(self) -> _Tolerant:
        assert self.folder is not None
        return _Tolerant(FileCheckpointStore(self.folder / "snapshots"))


def resume_timeline(
    store: EventStore,
    *,
    stream: str | None = None,
    as_of: datetime | None = None,
    include_retracted: bool = False,
    reported_by: date | None = None,
) -> Timeline:
    """`Timeline.from_store(store, ...)` for a script that runs again: resumed from the snapshot in the
    cache folder, which is saved again (see the module docstring). The same Timeline either way."""
    return Snapshots.of(store).timeline(
        stream=stream, as_of=as_of, include_retracted=include_retracted, reported_by=reported_by
    )
