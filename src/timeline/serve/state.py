"""The feeds a server keeps in memory: projections caught up from the store's log, and rendered bytes.

Each request first reads the store's global log after the last position seen (`read_all(after=…)`: one
indexed query, empty when nothing changed) and folds what it returns into every projection held, so an
append by another process (another server, a script, `timeline append`) shows on the next request. The
rendered bytes of a feed are cached by (stream, as of, format, options, filters) with the projection's
position: the position of the last record that affected that projection, so an append to another stream
does not render this one again. When the feed did change, its render cache (`timeline.render_cache`) renders
only the entries that changed and reuses the others' bytes: the output is the bytes of `timeline.export`.

Locks: one guards the projections and the cache maps, held to catch up and fold (a Timeline is folded from
one thread at a time) and to look a feed up, never while rendering. Each feed has a lock of its own, held
while it renders (its render cache serves one export at a time): the first render of a big feed keeps
neither other feeds' renders nor their cached answers and 304s waiting. A render works on a snapshot of
the projection (`SelectedTimeline`), so folding goes on while it runs.

On a PostgreSQL store a thread LISTENs for the appends' NOTIFY (`timeline.serve._listen`): a poll when
nothing was appended then costs no query at all; while that connection is down, each request reads the log.
"""

from __future__ import annotations

import gzip
import io
import os
import threading
import weakref
from collections import OrderedDict
from datetime import date, datetime
from typing import TYPE_CHECKING, cast

import attrs

from timeline.errors import StoreError, ValidationError
from timeline.exporters.base import check_options
from timeline.projections import SelectedTimeline, Timeline
from timeline.render_cache import memory_cache
from timeline.serve._conditional import coded_etag, refresh_seconds, strong_etag
from timeline.serve._listen import ChangeListener
from timeline.snapshots import Snapshots
from timeline.store import check_stream_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline.exporters.base import Exporter
    from timeline.exporters.pieces import CachingExporter, RenderCache
    from timeline.serve.routes import FeedRequest
    from timeline.store import EventStore

__all__ = ["FeedState", "Rendered"]

_ProjectionKey = tuple[str | None, "datetime | None", "date | None"]


@attrs.define(kw_only=True)
class Rendered:
    """One feed's bytes as exported, with what the HTTP layer needs; its gzip form is made on first use."""

    position: int
    """The position of the last record that affected the feed (0: none)."""
    body: bytes
    etag: str
    gzip_etag: str
    """The strong ETag of the gzipped representation."""
    last_modified: datetime | None
    max_age: int | None
    """Seconds a client may keep it: a calendar's REFRESH-INTERVAL (None: the feed does not say)."""
    _gzipped: bytes | None = None

    @classmethod
    def of(
        cls, body: bytes, *, position: int, last_modified: datetime | None, media_type: str = ""
    ) -> Rendered:
        """The rendering of `body`, with its validators."""
        etag = strong_etag(body)
        calendar = media_type.split(";")[0].strip().lower() == "text/calendar"
        return cls(
            position=position,
            body=body,
            etag=etag,
            gzip_etag=coded_etag(etag, "gzip"),
            last_modified=last_modified,
            max_age=refresh_seconds(body) if calendar else None,
        )

    @property
    def size(self) -> int:
        """What it counts for in the cache's bound: the body, twice (the feed's render cache holds about as
        much again; a gzip copy, when made, is a fraction of it)."""
        return 2 * len(self.body)

    @property
    def gzipped(self) -> bytes:
        """The body gzipped (without a timestamp, so every process makes the same bytes)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class FeedState:
    """The projections and rendered feeds of one store, kept fresh by reading its log on each request.

    `max_projections` and `max_render_bytes` bound the memory: the least recently used projections and
    rendered feeds are dropped. An ``as_of`` or ``reported_by`` in a query makes a projection of its own,
    built from the log; at most `max_past` of those are kept, apart, so queries of many moments never push
    out the live feeds. `listen` (default: on) starts the NOTIFY listener on a PostgreSQL store, in the
    process that serves (at the first request, so a server that forks its workers starts one in each).
    """

    def __init__(
        self,
        store: EventStore,
        *,
        max_projections: int = 32,
        max_past: int = 4,
        max_render_bytes: int = 256 * 1024 * 1024,
        listen: bool = True,
    ) -> None:
        self.store = store
        self._lock = threading.Lock()
        # The lock of each feed being rendered; a feed's lock lives while a thread holds or awaits it.
        self._feed_locks: weakref.WeakValueDictionary[FeedRequest, _FeedLock] = weakref.WeakValueDictionary()
        connect = getattr(store, "listener", None) if listen else None
        self._connect_listener = connect if callable(connect) else None
        self.listener: ChangeListener | None = None
        """The NOTIFY listener of this process, once started (PostgreSQL only)."""
        self._listener_pid = 0
        self._max_projections = max_projections
        self._max_past = max_past
        self._max_render_bytes = max_render_bytes
        self._render_bytes = 0
        # The head before the stream names: a stream created in between is then seen in the first catch-up.
        self._position = store.head()
        self._streams = set(store.streams())
        self._projections: OrderedDict[_ProjectionKey, Timeline] = OrderedDict()  # as of now
        self._past: OrderedDict[_ProjectionKey, Timeline] = OrderedDict()  # as of a moment
        self._renders: OrderedDict[FeedRequest, Rendered] = OrderedDict()
        # Each feed's rendered entries (a render cache), dropped with its bytes.
        self._pieces: dict[FeedRequest, RenderCache] = {}
        # Live projections resume from a snapshot in the cache folder, saved again now and then.
        self._snapshots = Snapshots.of(store)

    @property
    def position(self) -> int:
        """The last global position read from the store."""
        return self._position

    def streams(self) -> list[str]:
        """The stream names, sorted, as of the last catch-up."""
        with self._lock:
            self._catch_up()
            return sorted(self._streams)

    def feed(self, request: FeedRequest, exporter: Exporter) -> Rendered | None:
        """The feed `request` asks for, caught up with the store, by `exporter` (the request's format);
        rendered only if it changed since the last time. None if the store has no such stream; a
        `ValidationError` names a bad option, or a stream name no store would take."""
        with self._lock:
            self._catch_up()
            if request.stream is not None and request.stream not in self._streams:
                check_stream_name(request.stream)  # a name the store would refuse is said, not "no stream"
                return None
            timeline = self._projection(request.stream, request.as_of, request.reported_by)
            cached = self._renders.get(request)
            if cached is not None and cached.position == timeline.position:
                self._renders.move_to_end(request)
                return cached
            options = dict(request.options)
            check_options(exporter, options)  # what `timeline.export` does, with the exporter at hand
            # What is rendered: the selected entries as they are now; folding may go on meanwhile.
            snapshot = SelectedTimeline(timeline, request.selection)
            feed_lock = self._feed_locks.get(request)
            if feed_lock is None:
                feed_lock = self._feed_locks[request] = _FeedLock()
        with feed_lock.lock:
            with self._lock:
                cached = self._renders.get(request)
                if cached is not None and cached.position >= snapshot.position:
                    return cached  # rendered meanwhile by the thread this one waited for
                pieces = self._pieces.get(request)
            rendered, pieces = _render(snapshot, exporter, options, pieces)
            with self._lock:
                if pieces is not None:
                    self._pieces[request] = pieces
                self._keep(request, rendered)
            return rendered

    def save_snapshots(self) -> int:
        """Save the snapshot of each live projection with records folded since its last (at shutdown)."""
        with self._lock:
            return self._snapshots.flush(list(self._projections.values()))

    def _keep(self, request: FeedRequest, rendered: Rendered) -> None:
        old = self._renders.pop(request, None)
        if old is not None:
            self._render_bytes -= old.size
        self._renders[request] = rendered
        self._render_bytes += rendered.size
        while self._render_bytes > self._max_render_bytes and len(self._renders) > 1:
            key, dropped = self._renders.popitem(last=False)
            self._render_bytes -= dropped.size
            self._pieces.pop(key, None)

    def close(self) -> None:
        """Save the live projections' snapshots and stop the NOTIFY listener, if one runs (the store stays
        open: it is the caller's)."""
        self.save_snapshots()
        if self.listener is not None:
            self.listener.close()

    def _needs_reading(self) -> bool:
        """Whether the log may hold something new: always, unless a NOTIFY listener says it does not."""
        if self._connect_listener is None:
            return True
        if (
            self._listener_pid != os.getpid()
        ):  # first use, or a forked worker: the parent's thread is not here
            self._listener_pid = os.getpid()
            self.listener = ChangeListener(self._connect_listener)
            self.listener.start()
            return True
        return self.listener is None or self.listener.needs_reading()

    def _catch_up(self) -> None:
        if not self._needs_reading():
            return
        records = list(self.store.read_all(after=self._position))
        if not records:
            return
        self._position = records[-1].position
        self._streams.update(record.stream for record in records)
        for held in (self._projections, self._past):
            for key, timeline in list(held.items()):
                try:
                    folded = timeline.fold(records)  # each skips what it folded already, and other streams'
                    if held is self._projections:
                        self._snapshots.noted(timeline, folded)
                except ValidationError as exc:
                    # An amendment the store should have refused: the log is not what a Timeline can fold.
                    del held[key]
                    raise StoreError(f"the log cannot be folded: {exc}") from exc

    def _projection(self, stream: str | None, as_of: datetime | None, reported_by: date | None) -> Timeline:
        key = (stream, as_of, reported_by)
        live = as_of is None and reported_by is None
        held, bound = (self._projections, self._max_projections) if live else (self._past, self._max_past)
        timeline = held.get(key)
        if timeline is None:
            # Built from the store, it may be ahead of `_position`; the next fold skips what it has.
            try:
                if live:
                    timeline = self._snapshots.timeline(stream=stream)
                else:
                    timeline = Timeline.from_store(
                        self.store, stream=stream, as_of=as_of, reported_by=reported_by
                    )
            except ValidationError as exc:
                raise StoreError(f"the log cannot be folded: {exc}") from exc
            held[key] = timeline
            while len(held) > bound:
                held.popitem(last=False)
        held.move_to_end(key)
        return timeline


class _FeedLock:
    """A lock of one feed; weakly referenced, so it goes when no thread renders the feed."""

    __slots__ = ("__weakref__", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()


def _render(
    timeline: Timeline, exporter: Exporter, options: Mapping[str, str], pieces: RenderCache | None
) -> tuple[Rendered, RenderCache | None]:
    """The feed's bytes, and the render cache to keep for it (None: the exporter does not cache pieces)."""
    out = io.BytesIO()
    if pieces is None:
        pieces = memory_cache(exporter, options)
    if pieces is None:
        exporter.export(timeline, out, options)
    else:
        # The same bytes as `export`; only the entries that changed since the last time are rendered.
        cast("CachingExporter", exporter).export_pieces(timeline, out, options, pieces)
    rendered = Rendered.of(
        out.getvalue(),
        position=timeline.position,
        last_modified=timeline.last_changed,
        media_type=exporter.media_type,
    )
    return rendered, pieces
