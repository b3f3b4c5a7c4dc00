"""The iCalendar feed for issue 9 and 10: local times in words, dates it cannot express, one-line
SUMMARY, one CATEGORIES property, no calendar UID; checked with icalendar and the three real clients."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest

from tests.exporters.helpers import export_bytes, parse_icaljs, parse_strict, parse_vobject, vobject_events
from timeline.events import Meeting
from timeline.exporters.ical import UnexpressibleDateWarning, event_uid
from timeline.testing import timeline_of
from timeline.when import When


def _meeting(event_id: str, when: str, **fields: Any) -> Meeting:
    return Meeting(id=event_id, when=When.parse(when), participants=("A", "B"), **fields)


def _events(data: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["X-TIMELINE-ID"]): e for e in calendar.walk("VEVENT")}


def test_a_local_time_keeps_dtstart_exact_and_says_the_local_time() -> None:
    event = _meeting("pdx", "2024-01-05T17:12:00-08:00", title="Evening in Portland")
    vevent = _events(export_bytes(timeline_of([event]), "ical"))["pdx"]
    assert vevent["DTSTART"].dt == datetime(2024, 1, 6, 1, 12, tzinfo=UTC)
    assert str(vevent["DESCRIPTION"]).startswith("5 January 2024, 17:12 UTC\u221208:00")


def test_dates_iCalendar_cannot_express_are_left_out_and_counted() -> None:
    events = [
        _meeting("caesar", "-0044-03-15", title="Ides of March"),
        _meeting("far", "Y170000002", title="Far future"),
        _meeting("last-winter", "9999-24", title="Runs into year 10000"),
        _meeting("ok", "2025-04-14", title="Today"),
    ]
    with pytest.warns(UnexpressibleDateWarning, match="3 event\\(s\\) left out") as caught:
        data = export_bytes(timeline_of(events), "ical")
    assert "caesar" in str(caught[0].message)
    assert set(_events(data)) == {"ok"}
    assert len(parse_strict(data).events) == 1


def test_a_feed_without_such_dates_warns_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export_bytes(timeline_of([_meeting("ok", "2025-04-14")]), "ical")


LAST_DAYS = [
    ("d", "9999-12-31", date(9999, 12, 31), timedelta(days=1)),
    ("m", "9999-12", date(9999, 12, 1), timedelta(days=31)),
    ("y", "9999", date(9999, 1, 1), None),  # the default policy: a year goes on its first day
    ("o", "9999-12-31/..", date(9999, 12, 31), timedelta(days=1)),
]


def test_the_last_days_iCalendar_has_export_with_a_duration() -> None:
    """9999-12-31 has no next day for DTEND; the whole feed used to fail with OverflowError (issue 9)."""
    events = [_meeting(event_id, text, title=event_id) for event_id, text, _, _ in LAST_DAYS]
    data = export_bytes(timeline_of(events), "ical")
    by_id = _events(data)
    for event_id, _, start, duration in LAST_DAYS:
        vevent = by_id[event_id]
        assert vevent["DTSTART"].dt == start
        if duration is None:
            assert vevent["DTEND"].dt == date(9999, 1, 2)
        else:
            assert "DTEND" not in vevent
            assert vevent["DURATION"].dt == duration
    assert len(parse_strict(data).events) == len(LAST_DAYS)
    assert len(vobject_events(parse_vobject(data))) == len(LAST_DAYS)
    js = {e["uid"]: e for e in parse_icaljs(data)["events"]}
    assert js[event_uid("d")]["dtstart"]["text"] == "9999-12-31"
    assert js[event_uid("d")]["duration"] == "P1D"


def test_summary_is_one_line_and_tags_are_one_categories_property() -> None:
    event = _meeting("x", "2025-04-14", title="first line\r\nsecond\rthird\nfourth", tags=("a,b", "c;d", "e"))
    data = export_bytes(timeline_of([event]), "ical")
    vevent = _events(data)["x"]
    assert vevent["SUMMARY"] == "first line second third fourth"
    assert data.count(b"CATEGORIES") == 1
    assert b"CATEGORIES:a\\,b,c\\;d,e\r\n" in data
    (js,) = parse_icaljs(data)["events"]
    assert js["summary"] == "first line second third fourth"
    assert js["categories"] == ["a,b", "c;d", "e"]
    assert js["categoryProperties"] == 1
    (strict,) = parse_strict(data).events
    assert strict.summary == "first line second third fourth"
    # The `ical` package splits at an escaped comma too (it did with one property per tag as well).
    assert strict.categories == ["a\\", "b", "c;d", "e"]


def test_a_tag_ending_in_a_backslash_goes_last() -> None:
    event = _meeting("x", "2025-04-14", tags=("back\\", "front"))
    data = export_bytes(timeline_of([event]), "ical")
    assert b"CATEGORIES:front,back\\\\\r\n" in data
    (js,) = parse_icaljs(data)["events"]
    assert js["categories"] == ["front", "back\\"]


def test_the_calendar_has_no_uid_so_no_client_takes_it_for_an_item() -> None:
    events = [_meeting("a", "2025-04-14"), _meeting("b", "2025-04-15")]
    data = export_bytes(timeline_of(events), "ical")
    first_uid = data.split(b"UID:", 1)[1].split(b"\r\n", 1)[0].decode()
    assert first_uid == event_uid("a")  # the first UID in the file is an event's
    assert "UID" not in icalendar.Calendar.from_ical(data)
