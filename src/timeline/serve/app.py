"""The WSGI application: feeds of a store over HTTP, read-only, with validators so a poll costs little.

WSGI rather than ASGI: the application only reads, its work (rendering a feed) is CPU-bound and
synchronous, and WSGI servers that people already run (waitress, gunicorn, mod_wsgi, uWSGI) serve it as is.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import TYPE_CHECKING, cast

from timeline import plugins
from timeline.errors import StoreError, ValidationError
from timeline.serve import _conditional as http
from timeline.serve._index import index_page
from timeline.serve.routes import FeedRequest, HttpError, request_path, route, suffixes
from timeline.serve.state import FeedState, Rendered

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from wsgiref.types import StartResponse, WSGIEnvironment

    from timeline.store import EventStore

__all__ = ["FeedApp", "make_app"]

_FILE_WRAPPER_FROM = 256 * 1024
_PLAIN = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"
#: How long a client may keep a feed without asking again when the feed says nothing (as PT12H, the
#: iCalendar exporter's default REFRESH-INTERVAL).
DEFAULT_MAX_AGE = 12 * 3600


def _status(status: HTTPStatus) -> str:
    return f"{status.value} {status.phrase}"


class FeedApp:
    """The WSGI application serving the feeds of `store` (see `timeline.serve.routes` for the URLs).

    It never writes to the store. Each request catches up with the store's log first (see
    `timeline.serve.state`), so it is fresh without a restart; any WSGI server runs it (threads are fine).
    """

    def __init__(
        self, store: EventStore, *, default_max_age: int = DEFAULT_MAX_AGE, state: FeedState | None = None
    ) -> None:
        self.state = state if state is not None else FeedState(store)
        self.default_max_age = default_max_age
        # Plugins load once per process; looking the formats up on every request would cost more than a 304.
        self.exporters = plugins.exporters()
        self.suffixes = suffixes(self.exporters)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            if method not in {"GET", "HEAD"}:
                raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed: use GET or HEAD")
            target = route(request_path(environ), str(environ.get("QUERY_STRING", "")), self.suffixes)
            if isinstance(target, FeedRequest):
                return self._feed(environ, start_response, target, method)
            body = index_page(_base_url(environ), self.state.streams(), self.exporters)
            rendered = Rendered.of(body, position=self.state.position, last_modified=None)
            headers = [("Content-Type", _HTML), ("Cache-Control", "no-cache")]
            return _send(environ, start_response, rendered, headers, method)
        except HttpError as exc:
            return _refuse(start_response, exc.status, exc.message, method)
        except StoreError as exc:
            return _refuse(start_response, HTTPStatus.SERVICE_UNAVAILABLE, f"the store failed: {exc}", method)

    def _feed(
        self, environ: WSGIEnvironment, start_response: StartResponse, request: FeedRequest, method: str
    ) -> Iterable[bytes]:
        exporter = self.exporters[request.format]
        try:
            rendered = self.state.feed(request, exporter)
        except ValidationError as exc:
            where = exc.path.removeprefix("options.")
            raise HttpError(
                HTTPStatus.BAD_REQUEST, f"{where}: {exc.reason}" if where else exc.reason
            ) from None
        if rendered is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no stream {request.stream!r}")
        max_age = rendered.max_age if rendered.max_age is not None else self.default_max_age
        headers = [
            ("Content-Type", http.charset_media_type(exporter.media_type)),
            ("Cache-Control", f"public, max-age={max_age}"),
            (
                "Content-Disposition",
                http.content_disposition(request.stream or "timeline", exporter.extension),
            ),
        ]
        if rendered.last_modified is not None:
            headers.append(("Last-Modified", http.http_date(rendered.last_modified)))
        return _send(environ, start_response, rendered, headers, method)


def make_app(
    store: EventStore, *, default_max_age: int = DEFAULT_MAX_AGE
) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """The WSGI application for `store`: ``app = make_app(open_store(url))`` in a module gunicorn loads."""
    return FeedApp(store, default_max_age=default_max_age)


def _base_url(environ: Mapping[str, object]) -> str:
    from wsgiref.util import application_uri

    return application_uri(dict(environ)).rstrip("/")


def _send(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    rendered: Rendered,
    headers: list[tuple[str, str]],
    method: str,
) -> Iterable[bytes]:
    gzipped = http.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
    etag = rendered.gzip_etag if gzipped else rendered.etag
    headers = [*headers, ("ETag", etag), ("Vary", "Accept-Encoding"), ("X-Content-Type-Options", "nosniff")]
    fresh = http.is_fresh(
        etags=(rendered.etag, rendered.gzip_etag),
        last_modified=rendered.last_modified,
        if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
    )
    if fresh:
        kept = {"Cache-Control", "ETag", "Vary", "Last-Modified", "Content-Disposition"}
        start_response(_status(HTTPStatus.NOT_MODIFIED), [h for h in headers if h[0] in kept])
        return []
    body = rendered.gzipped if gzipped else rendered.body
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    start_response(_status(HTTPStatus.OK), headers)
    if method == "HEAD":
        return []
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is not None and len(body) > _FILE_WRAPPER_FROM:
        # The server's file wrapper sends from the bytes it is given; a plain list would be copied into the
        # server's buffers (waitress spills those to a temporary file past 1 MB).
        return cast("Iterable[bytes]", wrapper(io.BytesIO(body), 65536))
    return [body]


def _refuse(start_response: StartResponse, status: HTTPStatus, message: str, method: str) -> Iterable[bytes]:
    body = f"{message}\n".encode()
    headers = [
        ("Content-Type", _PLAIN),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if status is HTTPStatus.METHOD_NOT_ALLOWED:
        headers.append(("Allow", "GET, HEAD"))
    start_response(_status(status), headers)
    return [] if method == "HEAD" else [body]
