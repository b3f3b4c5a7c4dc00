"""The iCalendar exporter: the golden file, the calendar's properties, dates and policies, stability."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exporters.helpers import export_bytes
from timeline.errors import ValidationError
from timeline.events import Meeting, Statement
from timeline.exporters._ical_dates import is_exact, place
from timeline.exporters._ical_text import Text, clean, escape, typed_text
from timeline.exporters.ical import calendar_uid, event_uid
from timeline.projections import Timeline
from timeline.store import open_store
from timeline.testing import correct, retract, story, timeline_of, whens
from timeline.when import Precision, When

GOLDEN = Path(__file__).with_name("golden") / "story.ics"


def _calendar(data: bytes) -> Any:
    """The calendar icalendar reads (typed Any: its property values are a union of 30 types)."""
    calendar = icalendar.Calendar.from_ical(data)
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def _events(data: bytes) -> list[Any]:
    return list(_calendar(data).walk("VEVENT"))


def _meeting(event_id: str = "m1", when: str = "2025-04-14", **fields: Any) -> Meeting:
    return Meeting(
        id=event_id, when=When.parse(when), participants=("Donald Trump", "Nayib Bukele"), **fields
    )


def test_story_matches_the_golden_file() -> None:
    data = export_bytes(story.story_timeline(), "ical")
    if os.environ.get("TIMELINE_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes(), "set TIMELINE_UPDATE_GOLDEN=1 to rewrite it after a deliberate change"


def test_story_lines_are_crlf_folded_utf8() -> None:
    data = GOLDEN.read_bytes()
    data.decode("utf-8")
    lines = data.split(b"\r\n")
    assert lines[-1] == b""  # ends with CRLF
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded


def test_calendar_properties() -> None:
    data = export_bytes(story.story_timeline(), "ical")
    lines = data.decode().split("\r\n")
    calendar = _calendar(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//timeline//timeline//EN"
    assert calendar["UID"] == calendar_uid(story.STREAM)
    assert calendar["NAME"] == story.STREAM
    assert calendar["X-WR-CALNAME"] == story.STREAM
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines
    assert "X-PUBLISHED-TTL:PT12H" in lines


def test_story_events() -> None:
    events = {str(e["X-TIMELINE-ID"]): e for e in _events(export_bytes(story.story_timeline(), "ical"))}
    expected = {
        story.FIXED_ID_STATEMENT: (date(2025, 1, 20), date(2025, 3, 1), 0),
        story.FIXED_ID_INVOCATION: (date(2025, 3, 1), date(2025, 4, 1), 0),
        story.FIXED_ID_TRANSFER: (date(2025, 3, 1), date(2025, 4, 1), 0),
        story.FIXED_ID_PAYMENT: (date(2025, 4, 14), date(2025, 4, 15), 1),
        story.FIXED_ID_MEETING: (date(2025, 4, 14), date(2025, 4, 15), 0),
    }
    assert set(events) == set(expected)
    for event_id, (start, end, sequence) in expected.items():
        event = events[event_id]
        assert event["UID"] == event_uid(event_id)
        assert event["DTSTART"].dt == start
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event["DTEND"].dt == end
        assert event["SEQUENCE"] == sequence
        assert event["TRANSP"] == "TRANSPARENT"
    payment = events[story.FIXED_ID_PAYMENT]
    assert payment["SUMMARY"].endswith("(before 14 April 2025)")
    assert payment["DTSTAMP"].dt == story.FIXED_RECORDED_AT_CORRECTION
    assert payment["LAST-MODIFIED"].dt == story.FIXED_RECORDED_AT_CORRECTION
    assert payment["CREATED"].dt == story.FIXED_RECORDED_AT_BATCH
    assert payment["X-TIMELINE-EDTF"] == "../2025-04-14"
    assert str(payment["DESCRIPTION"]).startswith("before 14 April 2025\n")
    meeting = events[story.FIXED_ID_MEETING]
    assert meeting["SUMMARY"] == "Donald Trump meets Nayib Bukele"  # an exact day needs no date in the title
    assert meeting["LOCATION"] == "White House, Washington, DC"
    assert str(events[story.FIXED_ID_STATEMENT]["SUMMARY"]).endswith(
        "(between 20 January 2025 and about February 2025)"
    )


def test_options_name_description_refresh() -> None:
    data = export_bytes(
        story.story_timeline(),
        "ical",
        name="Deportations, El Salvador; 2025",
        description="line one\nline two",
        refresh="P1D",
    )
    calendar = _calendar(data)
    # VALUE=TEXT: without it, parsers that do not know NAME or X- properties leave their value escaped.
    assert calendar["NAME"] == "Deportations, El Salvador; 2025"
    assert calendar["NAME"].params["VALUE"] == "TEXT"
    assert calendar["X-WR-CALNAME"] == "Deportations, El Salvador; 2025"
    assert calendar["DESCRIPTION"] == "line one\nline two"
    assert calendar["X-WR-CALDESC"] == "line one\nline two"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in data


def test_default_name_without_a_stream() -> None:
    timeline = Timeline.from_records(story.records())
    calendar = _calendar(export_bytes(timeline, "ical"))
    assert calendar["NAME"] == "timeline"
    assert calendar["UID"] == calendar_uid(None) != calendar_uid(story.STREAM)


@pytest.mark.parametrize("refresh", ["12 hours", "PT0S", "-PT1H", ""])
def test_bad_refresh_names_the_option(refresh: str) -> None:
    with pytest.raises(ValidationError) as caught:
        export_bytes(story.story_timeline(), "ical", refresh=refresh)
    assert caught.value.path == "options.refresh"


def test_unknown_option_and_bad_policy_are_errors() -> None:
    with pytest.raises(ValidationError, match="colour") as caught:
        export_bytes(story.story_timeline(), "ical", colour="red")
    assert caught.value.path == "options.colour"
    with pytest.raises(ValidationError, match="span, first-day, skip") as caught:
        export_bytes(story.story_timeline(), "ical", fuzzy="blur")
    assert caught.value.path == "options.fuzzy"


def test_fuzzy_policies_on_the_story() -> None:
    def starts(policy: str) -> dict[str, tuple[date, date]]:
        data = export_bytes(story.story_timeline(), "ical", fuzzy=policy)
        return {str(e["X-TIMELINE-ID"]): (e["DTSTART"].dt, e["DTEND"].dt) for e in _events(data)}

    first = starts("first-day")
    assert first[story.FIXED_ID_INVOCATION] == (date(2025, 3, 1), date(2025, 3, 2))
    assert first[story.FIXED_ID_STATEMENT] == (date(2025, 1, 20), date(2025, 1, 21))
    assert first[story.FIXED_ID_MEETING] == (date(2025, 4, 14), date(2025, 4, 15))
    assert set(starts("skip")) == {story.FIXED_ID_MEETING}  # only the exact day is left


@pytest.mark.parametrize(
    ("text", "span", "first_day"),
    [
        ("2025-04-14", (date(2025, 4, 14), date(2025, 4, 15)), (date(2025, 4, 14), date(2025, 4, 15))),
        ("2025-04-14~", (date(2025, 4, 14), date(2025, 4, 15)), (date(2025, 4, 14), date(2025, 4, 15))),
        ("2025-03", (date(2025, 3, 1), date(2025, 4, 1)), (date(2025, 3, 1), date(2025, 3, 2))),
        ("2024", (date(2024, 1, 1), date(2025, 1, 1)), (date(2024, 1, 1), date(2024, 1, 2))),
        ("2024-02", (date(2024, 2, 1), date(2024, 3, 1)), (date(2024, 2, 1), date(2024, 2, 2))),
        ("2025-03-01/2025-03-05", (date(2025, 3, 1), date(2025, 3, 6)), (date(2025, 3, 1), date(2025, 3, 6))),
        ("2025-03/2025-04-14", (date(2025, 3, 1), date(2025, 4, 15)), (date(2025, 3, 1), date(2025, 3, 2))),
        ("../2025-04-14", (date(2025, 4, 14), date(2025, 4, 15)), (date(2025, 4, 14), date(2025, 4, 15))),
        ("../2025-04", (date(2025, 4, 1), date(2025, 4, 2)), (date(2025, 4, 1), date(2025, 4, 2))),
        ("2025-03/..", (date(2025, 3, 1), date(2025, 3, 2)), (date(2025, 3, 1), date(2025, 3, 2))),
    ],
)
def test_placement_of_dates(text: str, span: tuple[date, date], first_day: tuple[date, date]) -> None:
    when = When.parse(text)
    assert place(when, "span") == span
    assert place(when, "first-day") == first_day
    coarse = when.is_interval and (when.earliest is None or when.latest is None)
    coarse = coarse or span != first_day
    assert (place(when, "skip") is None) == coarse


def test_placement_of_date_times_is_utc() -> None:
    assert place(When.parse("2025-04-14T15:30:00-04:00"), "skip") == (
        datetime(2025, 4, 14, 19, 30, tzinfo=UTC),
        None,
    )
    assert place(When.parse("2025-04-14T15:30:00-04:00/2025-04-14T17:00:00-04:00"), "span") == (
        datetime(2025, 4, 14, 19, 30, tzinfo=UTC),
        datetime(2025, 4, 14, 21, 0, tzinfo=UTC),
    )
    # A date-time interval and a date: whole days, in the date-time's own calendar day.
    assert place(When.parse("2025-04-14T23:30:00-04:00/2025-04-16"), "span") == (
        date(2025, 4, 14),
        date(2025, 4, 17),
    )


def test_timed_event_in_the_feed() -> None:
    event = _meeting(when="2025-04-14T15:30:00-04:00")
    (vevent,) = _events(export_bytes(timeline_of([event]), "ical"))
    assert vevent["DTSTART"].dt == datetime(2025, 4, 14, 19, 30, tzinfo=UTC)
    assert "DTEND" not in vevent
    assert b"DTSTART:20250414T193000Z\r\n" in export_bytes(timeline_of([event]), "ical")


def _closed_to_the_day(when: When) -> bool:
    sides = when.text.split("/")
    return ".." not in sides and min(When.parse(side).precision for side in sides) >= Precision.DAY


@given(whens(), st.sampled_from(["span", "first-day", "skip"]))
@settings(max_examples=150)
def test_placement_invariants(when: When, policy: str) -> None:
    placed = place(when, policy)
    exact = _closed_to_the_day(when)
    assert (placed is None) == (policy == "skip" and not exact)
    assert is_exact(when) == (exact and not when.approximate and not when.uncertain)
    if placed is None:
        return
    start, end = placed
    if isinstance(start, datetime):
        assert when.precision is Precision.TIME
        assert start.tzinfo is UTC
        assert end is None or (isinstance(end, datetime) and end > start)
        return
    assert isinstance(end, date)
    assert not isinstance(end, datetime)
    last = end - timedelta(days=1)
    if exact or (policy == "span" and when.earliest is not None and when.latest is not None):
        assert (start, last) == (when.earliest, when.latest)
    else:
        assert start == last  # one day: the first one, or the known end of an open interval
        assert when.earliest is None or start == when.earliest
        assert when.latest is None or start <= when.latest


def test_text_cleaning_and_escaping() -> None:
    assert clean("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    assert clean("a\x00b\x1fc\x7fd") == "a\ufffdb\ufffdc\ufffdd"
    assert escape("a\\N, b; c\nd") == "a\\\\N\\, b\\; c\\nd"
    # icalendar's own escaping would turn a backslash and N into a line break
    assert Text("a\\Nb\r\n").to_ical() == b"a\\\\Nb\\n"
    assert typed_text("x,y").to_ical() == b"x\\,y"
    assert typed_text("x,y").params["VALUE"] == "TEXT"


def test_an_unchanged_store_gives_identical_bytes() -> None:
    store = open_store("memory:")
    store.append(story.STREAM, [e.event for e in story.records()])
    first = export_bytes(Timeline.from_store(store, stream=story.STREAM), "ical")
    again = export_bytes(Timeline.from_store(store, stream=story.STREAM), "ical")
    assert first == again
    assert b"DTSTAMP:" in first


def test_a_correction_keeps_the_uid_and_raises_sequence_and_dtstamp() -> None:
    before = _events(export_bytes(timeline_of([_meeting()]), "ical"))
    after = _events(export_bytes(timeline_of([_meeting(), correct("m1", {"title": "A new title"})]), "ical"))
    assert len(before) == len(after) == 1
    assert before[0]["UID"] == after[0]["UID"] == event_uid("m1")
    assert (before[0]["SEQUENCE"], after[0]["SEQUENCE"]) == (0, 1)
    assert after[0]["DTSTAMP"].dt > before[0]["DTSTAMP"].dt
    assert after[0]["LAST-MODIFIED"].dt == after[0]["DTSTAMP"].dt
    assert after[0]["SUMMARY"] == "A new title"
    assert "a better word" in str(after[0]["DESCRIPTION"])


def test_a_retraction_removes_the_event() -> None:
    other = Statement(id="s1", when=When.parse("2025-03"), by="Nayib Bukele", text="says something")
    data = export_bytes(timeline_of([_meeting(), other, retract("m1")]), "ical")
    assert [str(e["X-TIMELINE-ID"]) for e in _events(data)] == ["s1"]
    assert event_uid("m1").encode() not in data
    shown = timeline_of([_meeting(), other, retract("m1")], include_retracted=True)
    assert len(shown) == 2  # the timeline shows it, marked retracted; the feed still leaves it out
    assert export_bytes(shown, "ical").count(b"BEGIN:VEVENT") == 1


def test_the_uid_depends_on_the_id_only() -> None:
    a = _events(export_bytes(timeline_of([_meeting(title="one")]), "ical"))[0]
    b = _events(export_bytes(timeline_of([_meeting(title="two")], stream="other"), "ical"))[0]
    c = _events(export_bytes(timeline_of([_meeting("m2", title="one")]), "ical"))[0]
    assert a["UID"] == b["UID"] != c["UID"]


def test_sources_and_tags_in_the_event() -> None:
    from timeline.values import Source

    event = _meeting(
        tags=("a,b", "c;d"),
        description="What happened.",
        sources=(
            Source(
                url="https://example.org/r",
                title="Report",
                publisher="Wire",
                published=When.parse("2025-04-15"),
                quote="they met",
            ),
        ),
    )
    (vevent,) = _events(export_bytes(timeline_of([event]), "ical"))
    assert [str(c) for p in vevent["CATEGORIES"] for c in p.cats] == ["a,b", "c;d"]
    assert b"CATEGORIES:a\\,b\r\nCATEGORIES:c\\;d\r\n" in export_bytes(timeline_of([event]), "ical")
    assert str(vevent["DESCRIPTION"]) == (
        "14 April 2025\n\nWhat happened.\n\nSources:\n- Report, Wire, 15 April 2025: https://example.org/r\n"
        '  "they met"'
    )
