"""The feeds a server keeps in memory: projections caught up from the store's log, and rendered bytes.

Each request first reads the store's global log after the last position seen (`read_all(after=…)`: one
indexed query, empty when nothing changed) and folds what it returns into every projection held, so an
append by another process (another server, a script, `timeline append`) shows on the next request. The
rendered bytes of a feed are cached by (stream, as of, format, options) together with the projection's
position: the position of the last record that affected that projection, so an append to another stream
does not render this one again. When the feed did change, its render cache (`timeline.render_cache`) renders
only the entries that changed and reuses the others' bytes: the output is the bytes of `timeline.export`.

One lock guards it: a Timeline is folded from one thread at a time, and rendering is CPU-bound, so the
server's threads would not render in parallel anyway (the GIL); several processes scale it.
"""

from __future__ import annotations

import gzip
import io
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import TYPE_CHECKING, cast

import attrs

from timeline.errors import StoreError, ValidationError
from timeline.exporters.base import check_options
from timeline.projections import Timeline
from timeline.render_cache import memory_cache
from timeline.serve._conditional import coded_etag, refresh_seconds, strong_etag
from timeline.snapshots import Snapshots

if TYPE_CHECKING:
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
    out the live feeds.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        max_projections: int = 32,
        max_past: int = 4,
        max_render_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.store = store
        self._lock = threading.Lock()
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
        `ValidationError` names a bad option."""
        with self._lock:
            self._catch_up()
            if request.stream is not None and request.stream not in self._streams:
                return None
            timeline = self._projection(request.stream, request.as_of, request.reported_by)
            cached = self._renders.get(request)
            if cached is not None and cached.position == timeline.position:
                self._renders.move_to_end(request)
                return cached
            out = io.BytesIO()
            options = dict(request.options)
            check_options(exporter, options)  # what `timeline.export` does, with the exporter at hand
            pieces = self._pieces.get(request)
            if pieces is None:
                pieces = memory_cache(exporter, options)  # None: the exporter does not cache pieces
            if pieces is None:
                exporter.export(timeline, out, options)
            else:
                # The same bytes as `export`; only the entries that changed since the last time are rendered.
                cast("CachingExporter", exporter).export_pieces(timeline, out, options, pieces)
                self._pieces[request] = pieces
            rendered = Rendered.of(
                out.getvalue(),
                position=timeline.position,
                last_modified=timeline.last_changed,
                media_type=exporter.media_type,
            )
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

    def _catch_up(self) -> None:
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
