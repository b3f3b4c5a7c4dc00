"""The application's URLs, and turning a request into what it asks for (or the HTTP error that refuses it).

``/``                      the index page: each stream with a link per format (webcal:// for calendars)
``/all.EXT``               the feed of all streams
``/streams/NAME.EXT``      one stream's feed; NAME percent-encoded (``%2F`` for a slash in it)

EXT is a format's extension (``.ics``, ``.json``, ``.md``) or its name (``.ical``, ``.markdown``,
``.timelinejs``); a name wins over an extension, and an extension two formats share goes to the first by name.
Query options are those of ``timeline export``: ``as_of`` (``--as-of``), ``reported_by`` (``--reported-by``)
and each option of the format (``--option KEY=VALUE``), such as ``fuzzy``, ``name`` or ``refresh`` for
iCalendar; and the filters ``tag``, ``type`` and ``actor`` (``--tag`` ...), each repeatable, meaning what
`timeline.projections.selection` says: ``?tag=a&tag=b&type=payment`` is the payments tagged a or b.
Nothing else is reachable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

import attrs

from timeline.errors import ValidationError
from timeline.projections.selection import Selection

if TYPE_CHECKING:
    from collections.abc import Mapping

    from timeline.exporters.base import Exporter

__all__ = [
    "FeedRequest",
    "HttpError",
    "IndexRequest",
    "parse_as_of",
    "parse_reported_by",
    "request_path",
    "route",
    "suffixes",
]

ALL_STREAMS = "/all"
STREAMS = "/streams/"
AS_OF = "as_of"
REPORTED_BY = "reported_by"
#: The query's filters, each repeatable (see `timeline.projections.selection`).
FILTERS = ("tag", "type", "actor")


class HttpError(Exception):
    """A request refused with `status` and a short plain-text `message`."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.frozen(kw_only=True)
class IndexRequest:
    """The index page."""


@attrs.frozen(kw_only=True)
class FeedRequest:
    """One feed: a stream (None: all of them) in a format, as of a moment and as reported by a day (None:
    now, everything), with the format's options."""

    stream: str | None
    format: str
    as_of: datetime | None
    reported_by: date | None
    options: tuple[tuple[str, str], ...]  # sorted by key: a cache key as well as the exporter's options
    selection: Selection = attrs.field(factory=Selection)
    """The entries kept (the filters); normalized, so it is a cache key too."""


def parse_as_of(text: str) -> datetime:
    """``as_of`` as the CLI's ``--as-of`` reads it: ISO 8601 with an offset; a bare date is the end of that
    day in UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HttpError(
            HTTPStatus.BAD_REQUEST, f"as_of: {text!r} is not an ISO 8601 date or date-time"
        ) from None
    if moment.tzinfo is None:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"as_of: {text!r} has no UTC offset (add Z or +HH:MM)")
    return moment


def parse_reported_by(text: str) -> date:
    """``reported_by`` as the CLI's ``--reported-by`` reads it: a date, YYYY-MM-DD."""
    try:
        if len(text) != 10:  # fromisoformat also takes 20250414; the CLI takes YYYY-MM-DD only
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise HttpError(
            HTTPStatus.BAD_REQUEST, f"reported_by: {text!r} is not an ISO 8601 date (YYYY-MM-DD)"
        ) from None


def request_path(environ: Mapping[str, object]) -> str:
    """The path below the application's mount point, percent-decoded exactly once, as UTF-8.

    The raw request target (waitress's REQUEST_URI, gunicorn's RAW_URI) is preferred: PATH_INFO is
    already decoded, so a ``%2F`` in a stream name would be indistinguishable from a slash there.
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    try:
        if isinstance(raw, str) and raw:
            target = raw.partition("?")[0]
            if "://" in target:  # the absolute form a proxy may send
                target = urlsplit(target).path
            path = unquote_to_bytes(target.encode("latin-1")).decode("utf-8")
            script = str(environ.get("SCRIPT_NAME", "")).encode("latin-1").decode("utf-8")
            if script and path.startswith(script):
                path = path[len(script) :]
            return path or "/"
        # WSGI gives PATH_INFO as the decoded bytes, each as one latin-1 character.
        return str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8") or "/"
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "the path is not UTF-8") from None


def suffixes(exporters: Mapping[str, Exporter]) -> dict[str, str]:
    """Each URL suffix (with its dot) and the format it names: every name, and every extension."""
    found: dict[str, str] = {}
    for name in sorted(exporters):
        found.setdefault(exporters[name].extension.lower(), name)
    for name in exporters:
        found[f".{name.lower()}"] = name  # a name wins over another format's extension
    return found


def _format(suffix_text: str, known: Mapping[str, str]) -> str:
    name = known.get(suffix_text.lower())
    if name is None:
        listed = ", ".join(sorted(known))
        raise HttpError(HTTPStatus.NOT_FOUND, f"unknown format {suffix_text!r} (known: {listed})")
    return name


def _split_suffix(text: str) -> tuple[str, str]:
    base, dot, suffix = text.rpartition(".")
    if not dot or not base:
        raise HttpError(HTTPStatus.NOT_FOUND, "not found: name a format, as in /streams/NAME.ics")
    return base, f".{suffix}"


def _selection(filters: Mapping[str, list[str]]) -> Selection:
    try:
        return Selection(tags=filters["tag"], types=filters["type"], actors=filters["actor"])
    except ValidationError as exc:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"{exc.path}: {exc.reason}") from None


def _options(query: str) -> tuple[datetime | None, date | None, tuple[tuple[str, str], ...], Selection]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
    options: dict[str, str] = {}
    filters: dict[str, list[str]] = {name: [] for name in FILTERS}
    for key, value in pairs:
        if key in filters:
            filters[key].append(value)
            continue
        if key in options:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"option {key!r} is given twice")
        options[key] = value
    as_of_text = options.pop(AS_OF, None)
    as_of = None if as_of_text is None else parse_as_of(as_of_text)
    reported_text = options.pop(REPORTED_BY, None)
    reported_by = None if reported_text is None else parse_reported_by(reported_text)
    return as_of, reported_by, tuple(sorted(options.items())), _selection(filters)


def route(path: str, query: str, known: Mapping[str, str]) -> IndexRequest | FeedRequest:
    """What the request for `path` (decoded, see `request_path`) and `query` (raw) asks for; `known` maps
    the URL suffixes to formats (`suffixes`).

    Raises `HttpError`: 404 for a path outside the routes or an unknown format, 400 for a bad query.
    The stream name is not checked against the store here (see the application).
    """
    if path == "/":
        return IndexRequest()
    stream: str | None
    if path.startswith(STREAMS):
        stream, suffix_text = _split_suffix(path[len(STREAMS) :])
    elif path.startswith(f"{ALL_STREAMS}."):
        stream, suffix_text = None, path[len(ALL_STREAMS) :]
    else:
        raise HttpError(HTTPStatus.NOT_FOUND, "not found")
    format_name = _format(suffix_text, known)
    as_of, reported_by, options, selection = _options(query)
    return FeedRequest(
        stream=stream,
        format=format_name,
        as_of=as_of,
        reported_by=reported_by,
        options=options,
        selection=selection,
    )
