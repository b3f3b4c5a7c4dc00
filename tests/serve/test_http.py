"""The running server over real HTTP on loopback: validators, freshness, gzip, HEAD, errors, hostile names."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.exporters.helpers import parse_icaljs, parse_strict
from tests.serve.helpers import append, export_cli, meeting, request, served
from timeline.exporters.ical import event_uid

STREAM = "el-salvador"
HOSTILE = 'a/b <script>alert("x")</script> & %41 ?#.ics'


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.db"
    append(path, STREAM, [meeting("m-1", "Bukele meets Trump"), meeting("m-2", "Second visit", "2025-05")])
    return path


@pytest.fixture
def port(db: Path) -> Iterator[int]:
    with served(db) as bound:
        yield bound


def _sequence(body: bytes, event_id: str) -> int:
    """The SEQUENCE of the VEVENT of `event_id` in the feed."""
    text = body.decode().replace("\r\n ", "")  # unfolded
    for block in text.split("BEGIN:VEVENT")[1:]:
        if f"UID:{event_uid(event_id)}" in block:
            found = re.search(r"^SEQUENCE:(\d+)", block, re.MULTILINE)
            assert found is not None
            return int(found.group(1))
    raise AssertionError(f"no VEVENT for {event_id}")


def test_conditional_get_cycle(port: int) -> None:
    first = request(port, f"/streams/{STREAM}.ics")
    assert first.status == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    again = request(port, f"/streams/{STREAM}.ics", {"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"
    since = request(port, f"/streams/{STREAM}.ics", {"If-Modified-Since": first.headers["last-modified"]})
    assert since.status == 304
    other = request(port, f"/streams/{STREAM}.ics", {"If-None-Match": '"something-else"'})
    assert other.status == 200
    assert other.body == first.body
    # If-None-Match decides when present, even with a matching If-Modified-Since.
    both = request(
        port,
        f"/streams/{STREAM}.ics",
        {"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]},
    )
    assert both.status == 200


def test_headers(port: int) -> None:
    answer = request(port, f"/streams/{STREAM}.ics?refresh=PT2H")
    assert answer.headers["cache-control"] == "public, max-age=7200"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT2H" in answer.body
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-disposition"].startswith('inline; filename="el-salvador.ics"')
    assert int(answer.headers["content-length"]) == len(answer.body)
    default = request(port, f"/streams/{STREAM}.ics")
    assert default.headers["cache-control"] == "public, max-age=43200"  # PT12H, the feed's default
    markdown = request(port, f"/streams/{STREAM}.md")
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8; variant=GFM"
    assert request(port, "/all.json").headers["content-type"] == "application/json"


def test_an_append_by_another_process_shows_on_the_next_poll(db: Path, port: int) -> None:
    path = f"/streams/{STREAM}.ics"
    first = request(port, path)
    assert _sequence(first.body, "m-1") == 0
    correction = {
        "type": "correction",
        "id": "c-1",
        "target": "m-1",
        "changes": {"title": "Corrected"},
        "reason": "the report was wrong",
    }
    append(db, STREAM, [correction])
    corrected = request(port, path, {"If-None-Match": first.headers["etag"]})
    assert corrected.status == 200
    assert corrected.headers["etag"] != first.headers["etag"]
    assert _sequence(corrected.body, "m-1") == 1
    assert b"Corrected" in corrected.body
    assert request(port, path, {"If-None-Match": corrected.headers["etag"]}).status == 304
    append(db, STREAM, [{"type": "retraction", "id": "r-1", "target": "m-2", "reason": "never happened"}])
    retracted = request(port, path, {"If-None-Match": corrected.headers["etag"]})
    assert retracted.status == 200
    assert event_uid("m-2").encode() not in retracted.body
    assert event_uid("m-1").encode() in retracted.body


def test_an_append_to_another_stream_keeps_the_etag(db: Path, port: int) -> None:
    path = f"/streams/{STREAM}.json"
    first = request(port, path)
    append(db, "elsewhere", [meeting("o-1", "Elsewhere")])
    assert request(port, path, {"If-None-Match": first.headers["etag"]}).status == 304
    everything = request(port, "/all.json")
    assert b"Elsewhere" in everything.body


def test_gzip(port: int) -> None:
    plain = request(port, f"/streams/{STREAM}.ics")
    zipped = request(port, f"/streams/{STREAM}.ics", {"Accept-Encoding": "br;q=1, gzip;q=0.8"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert zipped.headers["vary"] == "Accept-Encoding"
    refused = request(port, f"/streams/{STREAM}.ics", {"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    again = request(
        port, f"/streams/{STREAM}.ics", {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert again.status == 304
    assert again.headers["etag"] == zipped.headers["etag"]


def test_head(port: int) -> None:
    got = request(port, f"/streams/{STREAM}.md")
    head = request(port, f"/streams/{STREAM}.md", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    for name in ("etag", "content-type", "content-length", "last-modified", "cache-control"):
        assert head.headers[name] == got.headers[name]
    assert (
        request(port, f"/streams/{STREAM}.md", {"If-None-Match": got.headers["etag"]}, "HEAD").status == 304
    )


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/streams/nope.ics", 404, "no stream 'nope'"),
        (f"/streams/{STREAM}.docx", 404, "unknown format '.docx'"),
        (f"/streams/{STREAM}", 404, "name a format"),
        ("/../../etc/passwd", 404, "not found"),
        ("/streams/%2e%2e%2fetc%2fpasswd.ics", 404, "no stream '../etc/passwd'"),
        ("/static/x.ics", 404, "not found"),
        (f"/streams/{STREAM}.ics?fuzzy=sometimes", 400, "fuzzy: 'sometimes' is not one of"),
        (f"/streams/{STREAM}.ics?colour=red", 400, "unknown option colour"),
        (f"/streams/{STREAM}.ics?as_of=yesterday", 400, "as_of: 'yesterday'"),
        (f"/streams/{STREAM}.ics?reported_by=20250414", 400, "reported_by: '20250414' is not"),
        (f"/streams/{STREAM}.ics?name=a&name=b", 400, "option 'name' is given twice"),
        ("/streams/%ff.ics", 400, "not UTF-8"),
        (f"/streams/{STREAM}.ics?type=paymnet", 400, "type: 'paymnet' is not a known event type (known: "),
        (f"/streams/{STREAM}.ics?tag=", 400, "tag: '' is empty"),
        # Names no store would take: said, not "no stream" (control characters, U+2028, U+0085, a tab).
        ("/streams/a%00b.ics", 400, "stream: 'a\\x00b' is not a valid stream name"),
        ("/streams/a%0Ab.ics", 400, "is not a valid stream name"),
        ("/streams/line%E2%80%A8break.ics", 400, "is not a valid stream name"),
        ("/streams/%C2%85.ics", 400, "is not a valid stream name"),
        ("/streams/%09.ics", 400, "is not a valid stream name"),
        (f"/streams/{'x' * 201}.ics", 400, "1-200 characters"),
        # Valid names that are not there: no stream (a slash decoded once; dots are characters).
        ("/streams/..%2F..%2Fetc%2Fpasswd.ics", 404, "no stream '../../etc/passwd'"),
        ("/streams/%2E%2E.ics", 404, "no stream '..'"),
        ("/streams/...ics", 404, "no stream '..'"),
        ("/streams/a%252Fb.ics", 404, "no stream 'a%2Fb'"),
    ],
)
def test_refusals(port: int, path: str, status: int, says: str) -> None:
    answer = request(port, path)
    assert answer.status == status
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert says in answer.body.decode()


def test_only_get_and_head(port: int) -> None:
    answer = request(port, f"/streams/{STREAM}.ics", method="POST")
    assert answer.status == 405
    assert answer.headers["allow"] == "GET, HEAD"


def test_hostile_stream_names(db: Path, port: int) -> None:
    append(db, HOSTILE, [meeting("h-1", "<b>bold</b>")])
    index = request(port, "/")
    page = index.body.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; %41 ?#.ics" in page
    encoded = quote(HOSTILE, safe="")
    assert f'href="webcal://127.0.0.1:{port}/streams/{encoded}.ics"' in page
    feed = request(port, f"/streams/{encoded}.ics")
    assert feed.status == 200
    assert event_uid("h-1").encode() in feed.body
    assert "filename*=UTF-8''" + quote(HOSTILE + ".ics", safe="") in feed.headers["content-disposition"]
    # Decoded once: %2541 is the name "%41", not "A".
    assert request(port, f"/streams/{quote('a/b', safe='')}%2541.ics").status == 404


def test_same_bytes_as_timeline_export(db: Path, port: int) -> None:
    append(
        db,
        STREAM,
        [
            {
                "type": "correction",
                "id": "c-1",
                "target": "m-1",
                "changes": {"when": "2025-04", "tags": ["visit"]},
                "reason": "only the month is known",
            },
            {
                "type": "payment",
                "id": "p-1",
                "when": "2025-03",
                "payer": "United States",
                "payee": "El Salvador",
                "amount": {"value": "6000000", "currency": "USD"},
                "tags": ["Money"],
            },
        ],
    )
    filtered = [
        (
            f"/streams/{STREAM}.ics?tag=visit&tag=money",
            ["ical", "--stream", STREAM, "--tag", "visit", "--tag", "money"],
        ),
        (
            "/all.json?type=payment&actor=el%20salvador",
            ["json", "--type", "payment", "--actor", "el salvador"],
        ),
        (
            "/all.md?actor=Donald+Trump&type=meeting&title=T",
            ["markdown", "--actor", "Donald Trump", "--type", "meeting", "--option", "title=T"],
        ),
        ("/all.ics?tag=visit&type=payment", ["ical", "--tag", "visit", "--type", "payment"]),  # nothing left
    ]
    for path, args in filtered:  # each filtered feed, then the whole one again: the caches stay apart
        assert request(port, path).body == export_cli(db, args), path
        assert request(port, "/all.json").body == export_cli(db, ["json"]), path
    cases = [
        (
            f"/streams/{STREAM}.ics?fuzzy=first-day&name=Feed",
            ["ical", "--stream", STREAM, "--option", "fuzzy=first-day", "--option", "name=Feed"],
        ),
        (f"/streams/{STREAM}.json", ["json", "--stream", STREAM]),
        ("/all.md?title=All", ["markdown", "--option", "title=All"]),
        ("/all.json?reported_by=2020-01-01", ["json", "--reported-by", "2020-01-01"]),
        (
            f"/streams/{STREAM}.md?reported_by=2099-01-01",
            ["markdown", "--stream", STREAM, "--reported-by", "2099-01-01"],
        ),
        (f"/streams/{STREAM}.ics?as_of=2020-01-01", ["ical", "--stream", STREAM, "--as-of", "2020-01-01"]),
    ]
    for path, args in cases:
        assert request(port, path).body == export_cli(db, args), path


def test_a_calendar_parser_reads_the_feed(port: int) -> None:
    body = request(port, f"/streams/{STREAM}.ics").body
    calendar = parse_strict(body)
    assert {event.uid for event in calendar.events} == {event_uid("m-1"), event_uid("m-2")}
    assert {event.summary for event in calendar.events} == {"Bukele meets Trump", "Second visit (May 2025)"}
    parsed = parse_icaljs(body)
    assert sorted(event["summary"] for event in parsed["events"]) == [
        "Bukele meets Trump",
        "Second visit (May 2025)",
    ]


def test_a_large_feed_is_sent_whole(db: Path, port: int) -> None:
    append(db, "large", [meeting(f"l-{i}", f"Meeting {i} " + "x" * 500) for i in range(600)])
    plain = request(port, "/streams/large.json")
    assert len(plain.body) > 256 * 1024  # sent through the server's file wrapper
    assert plain.body == export_cli(db, ["json", "--stream", "large"])
    assert int(plain.headers["content-length"]) == len(plain.body)
    zipped = request(port, "/streams/large.json", {"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.body) == plain.body
