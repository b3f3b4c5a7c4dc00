"""The HTTP rules and the routes, without a server: validators, negotiation, decoding once, suffixes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline import plugins
from timeline.serve import _conditional as http
from timeline.serve.routes import FeedRequest, HttpError, IndexRequest, request_path, route, suffixes

EXPORTERS = suffixes(plugins.exporters())
names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@given(names)
def test_a_stream_name_in_a_url_is_decoded_exactly_once(name: str) -> None:
    raw = f"/streams/{quote(name, safe='')}.ics"
    for environ in (
        {"REQUEST_URI": raw + "?x=1", "PATH_INFO": "ignored"},  # waitress
        {"RAW_URI": raw},  # gunicorn
        {"PATH_INFO": f"/streams/{name}.ics".encode().decode("latin-1")},  # decoded by the server
    ):
        target = route(request_path(environ), "", EXPORTERS)
        assert isinstance(target, FeedRequest)
        assert target.stream == name
        assert target.format == "ical"


def test_the_mount_point_is_left_out() -> None:
    environ = {"REQUEST_URI": "/feeds/streams/a.md", "SCRIPT_NAME": "/feeds", "PATH_INFO": "/streams/a.md"}
    assert request_path(environ) == "/streams/a.md"
    assert request_path({"REQUEST_URI": "http://example.org/all.ics?q"}) == "/all.ics"


def test_suffixes_name_formats_by_extension_or_name() -> None:
    def format_of(path: str) -> str:
        target = route(path, "", EXPORTERS)
        assert isinstance(target, FeedRequest)
        return target.format

    assert format_of("/all.ics") == "ical"
    assert format_of("/all.ICS") == "ical"
    assert format_of("/all.markdown") == "markdown"
    assert format_of("/all.md") == "markdown"
    assert format_of("/streams/a.b.json") == "json"  # json's name; timelinejs shares its extension
    assert format_of("/streams/a.b.timelinejs") == "timelinejs"
    assert route("/", "", EXPORTERS) == IndexRequest()


def test_options_are_sorted_and_as_of_is_read_as_the_cli_does() -> None:
    target = route("/all.ics", "name=N%C3%A9&fuzzy=skip&as_of=2025-04-01", EXPORTERS)
    assert isinstance(target, FeedRequest)
    assert target.options == (("fuzzy", "skip"), ("name", "Né"))
    assert target.as_of == datetime(2025, 4, 1, 23, 59, 59, 999999, tzinfo=UTC)
    with pytest.raises(HttpError, match="no UTC offset"):
        route("/all.ics", "as_of=2025-04-01T10:00:00", EXPORTERS)


def test_etags() -> None:
    tag = http.strong_etag(b"feed")
    assert tag == http.strong_etag(b"feed") != http.strong_etag(b"feed2")
    assert http.coded_etag(tag, "gzip") == tag[:-1] + '-gzip"'


MOMENT = datetime(2025, 4, 14, 12, 30, 15, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "fresh"),
    [
        ('"a"', None, True),
        ('"x", "a"', None, True),
        ('W/"a"', None, True),  # GET compares weakly
        ("*", None, True),
        ('"x"', None, False),
        ('"x"', http.http_date(MOMENT), False),  # If-None-Match decides when present
        (None, http.http_date(MOMENT), True),  # to the second: the fraction is not in the date
        (None, http.http_date(MOMENT - timedelta(seconds=1)), False),
        (None, "not a date", False),
        (None, None, False),
    ],
)
def test_is_fresh(if_none_match: str | None, if_modified_since: str | None, fresh: bool) -> None:
    assert (
        http.is_fresh(
            etags=('"a"', '"a-gzip"'),
            last_modified=MOMENT,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
        )
        is fresh
    )


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*;q=0", False),
        ("identity", False),
        (None, False),
        ("", False),
        ("x-gzip", True),
        ("gzip;q=zero", False),
    ],
)
def test_accepts_gzip(header: str | None, gzip: bool) -> None:
    assert http.accepts_gzip(header) is gzip


def test_media_types_and_file_names() -> None:
    assert http.charset_media_type("text/calendar") == "text/calendar; charset=utf-8"
    assert http.charset_media_type("text/markdown; charset=utf-8") == "text/markdown; charset=utf-8"
    assert http.charset_media_type("application/json") == "application/json"
    assert http.content_disposition('a"b\r\nc', ".ics") == (
        "inline; filename=\"a_b_c.ics\"; filename*=UTF-8''a%22b%0D%0Ac.ics"
    )
    assert http.content_disposition("..", ".md").startswith('inline; filename="timeline.md"')


def test_refresh_seconds() -> None:
    calendar = b"BEGIN:VCALENDAR\r\nREFRESH-INTERVAL;VALUE=DURATION:P1DT1H\r\nBEGIN:VEVENT\r\n"
    assert http.refresh_seconds(calendar) == 25 * 3600
    assert http.refresh_seconds(b"BEGIN:VCALENDAR\r\nX-PUBLISHED-TTL:PT5M\r\nEND:VCALENDAR\r\n") == 300
    late = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nREFRESH-INTERVAL:PT1H\r\nEND:VEVENT\r\n"
    assert http.refresh_seconds(late) is None  # only the calendar's own properties count
    assert http.refresh_seconds(b"BEGIN:VCALENDAR\r\nREFRESH-INTERVAL:soon\r\nEND:VCALENDAR\r\n") is None
