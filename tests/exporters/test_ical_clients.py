"""The iCalendar feed as real clients read it: Mozilla's ical.js, the strict `ical` package, vobject.

Each check asserts the event count (a client may read a broken file as an empty calendar), the UIDs, the
summaries, DTSTART/DTEND and whether the event is all-day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.exporters import helpers
from tests.exporters.helpers import (
    export_bytes,
    parse_icaljs,
    parse_strict,
    parse_vobject,
    vobject_events,
)
from timeline.events import Meeting, Occurrence, Statement
from timeline.exporters._ical_dates import is_exact, place
from timeline.exporters._ical_text import clean
from timeline.exporters.ical import calendar_uid, event_uid
from timeline.testing import hostile_text_of as hostile_text
from timeline.testing import story, timeline_of, whens
from timeline.when import When

Expected = dict[str, tuple[str, date | datetime, date | datetime | None]]  # uid -> summary, start, end

STORY: Expected = {
    event_uid(story.FIXED_ID_STATEMENT): (
        "Nayib Bukele: offers to hold deportees from the US for a fee "
        "(between 20 January 2025 and about February 2025)",
        date(2025, 1, 20),
        date(2025, 3, 1),
    ),
    event_uid(story.FIXED_ID_INVOCATION): (
        "Donald Trump invokes Alien Enemies Act of 1798 against Tren de Aragua (March 2025)",
        date(2025, 3, 1),
        date(2025, 4, 1),
    ),
    event_uid(story.FIXED_ID_TRANSFER): (
        "about 250 alleged Tren de Aragua members moved from United States to CECOT, El Salvador "
        "(March 2025)",
        date(2025, 3, 1),
        date(2025, 4, 1),
    ),
    event_uid(story.FIXED_ID_PAYMENT): (
        "United States pays El Salvador about 6,000,000 USD for detention of deportees "
        "(before 14 April 2025)",
        date(2025, 4, 14),
        date(2025, 4, 15),
    ),
    event_uid(story.FIXED_ID_MEETING): (
        "Donald Trump meets Nayib Bukele",
        date(2025, 4, 14),
        date(2025, 4, 15),
    ),
}
TIMED = Meeting(
    id="timed-1", when=When.parse("2025-04-14T15:30:00-04:00"), participants=("A", "B"), title="At 3:30"
)


def _js_time(value: date | datetime | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return {"text": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "isDate": False, "zone": "UTC"}
    return {"text": value.isoformat(), "isDate": True, "zone": "floating"}


def check_icaljs(data: bytes, expected: Expected, descriptions: dict[str, str] | None = None) -> None:
    """ical.js reads exactly the expected events."""
    parsed = parse_icaljs(data)
    events = parsed["events"]
    assert len(events) == len(expected)
    assert {e["uid"] for e in events} == set(expected)
    for e in events:
        summary, start, end = expected[e["uid"]]
        assert e["summary"] == summary
        assert e["dtstart"] == _js_time(start)
        assert e["dtend"] == _js_time(end)
        assert e["transp"] == "TRANSPARENT"
        if descriptions is not None:
            assert e["description"] == descriptions[e["uid"]]


def check_strict(data: bytes, expected: Expected, descriptions: dict[str, str] | None = None) -> None:
    """The `ical` package reads exactly the expected events."""
    calendar = parse_strict(data)
    assert len(calendar.events) == len(expected)
    assert {e.uid for e in calendar.events} == set(expected)
    for e in calendar.events:
        summary, start, end = expected[e.uid]
        assert e.summary == summary
        assert e.dtstart == start
        assert type(e.dtstart) is type(start)
        if end is not None:
            assert e.dtend == end
            assert type(e.dtend) is type(end)
        else:
            assert e.dtend is None
        if descriptions is not None:
            assert e.description == descriptions[e.uid]


def check_vobject(data: bytes, expected: Expected, descriptions: dict[str, str] | None = None) -> None:
    """vobject, validating, reads exactly the expected events."""
    events = vobject_events(parse_vobject(data))
    assert len(events) == len(expected)
    assert {e.uid.value for e in events} == set(expected)
    for e in events:
        summary, start, end = expected[e.uid.value]
        assert e.summary.value == summary
        assert e.dtstart.value == start
        assert type(e.dtstart.value) is type(start)
        if end is None:
            assert not hasattr(e, "dtend")
        else:
            assert e.dtend.value == end
            assert type(e.dtend.value) is type(end)
        if descriptions is not None:
            assert e.description.value == descriptions[e.uid.value]


def test_story_in_icaljs() -> None:
    data = export_bytes(story.story_timeline(), "ical")
    check_icaljs(data, STORY)
    parsed = parse_icaljs(data)
    assert parsed["version"] == "2.0"
    assert parsed["uid"] == calendar_uid(story.STREAM)
    assert parsed["name"] == parsed["wrCalname"] == story.STREAM
    assert parsed["refreshInterval"] == {"value": "PT12H", "type": "duration"}
    by_uid = {e["uid"]: e for e in parsed["events"]}
    payment = by_uid[event_uid(story.FIXED_ID_PAYMENT)]
    assert payment["sequence"] == 1
    assert payment["dtstamp"] == {"text": "2025-04-21T12:00:00Z", "isDate": False, "zone": "UTC"}
    assert payment["edtf"] == "../2025-04-14"


def test_story_in_the_strict_ical_package() -> None:
    check_strict(export_bytes(story.story_timeline(), "ical"), STORY)


def test_story_in_vobject() -> None:
    check_vobject(export_bytes(story.story_timeline(), "ical"), STORY)


def test_calendar_name_with_special_characters_in_icaljs() -> None:
    data = export_bytes(story.story_timeline(), "ical", name="a, b; c\\ d\ne 😀")
    parsed = parse_icaljs(data)
    assert parsed["name"] == parsed["wrCalname"] == "a, b; c\\ d\ne 😀"


def test_timed_event_in_every_client() -> None:
    data = export_bytes(timeline_of([TIMED]), "ical")
    expected: Expected = {event_uid("timed-1"): ("At 3:30", datetime(2025, 4, 14, 19, 30, tzinfo=UTC), None)}
    check_icaljs(data, expected)
    check_strict(data, expected)
    check_vobject(data, expected)


# -- hostile text, through all three clients -----------------------------------------------------

_PIECES = [
    ",",
    ";",
    "\\",
    "\\N",
    "\\n",
    "\r",
    "\n",
    "\r\n",
    ":",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "END:VCALENDAR",
    "\nBEGIN:VEVENT\nUID:x\nEND:VEVENT\n",
    "😀",
    "中文字",
    " ",
    "\t",
    "\x00",
]
hostile = hostile_text(_PIECES, max_size=25)


@st.composite
def occurrences(draw: st.DrawFn) -> list[Occurrence]:
    """1 to 4 occurrences with hostile titles, descriptions, places and tags, and any date."""
    out: list[Occurrence] = []
    for i in range(draw(st.integers(1, 4))):
        common: dict[str, Any] = {
            "id": f"e{i}",
            "when": draw(whens()),
            "title": draw(hostile),
            "description": draw(st.none() | hostile),
            "place": draw(st.none() | hostile),
            "tags": tuple(draw(st.lists(hostile, max_size=2))),
        }
        if draw(st.booleans()):
            out.append(Meeting(participants=("A",), **common))
        else:
            out.append(Statement(by="B", text=draw(hostile), **common))
    return out


def _expected(events: list[Occurrence]) -> tuple[Expected, dict[str, str]]:
    expected: Expected = {}
    descriptions: dict[str, str] = {}
    for event in events:
        placed = place(event.when, "span")
        assert placed is not None  # span places every date
        human = event.when.human()
        summary = event.headline() if is_exact(event.when) else f"{event.headline()} ({human})"
        uid = event_uid(event.id)
        expected[uid] = (clean(summary), placed[0], placed[1])
        descriptions[uid] = human + (f"\n\n{clean(event.description)}" if event.description else "")
    return expected, descriptions


_NASTY = "a\\Nb \\n, ; \\ \r\nBEGIN:VEVENT\nUID:x\nEND:VEVENT\rEND:VCALENDAR\x00\x1f 😀 中文 \u2028\x85"


@given(occurrences())
@example(
    [
        Meeting(
            id="x",
            when=When.parse("2025-03~"),
            participants=("A",),
            title=_NASTY,
            description=_NASTY,
            place=_NASTY,
            tags=(_NASTY, ","),
        )
    ]
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_hostile_text_survives_every_client(events: list[Occurrence]) -> None:
    data = export_bytes(timeline_of(events), "ical")
    expected, descriptions = _expected(events)
    check_strict(data, expected, descriptions)
    check_vobject(data, expected, descriptions)
    check_icaljs(data, expected, descriptions)
    by_uid = {e["uid"]: e for e in parse_icaljs(data)["events"]}
    for event in events:
        parsed = by_uid[event_uid(event.id)]
        assert parsed["location"] == (None if event.place is None else clean(event.place))
        assert parsed["categories"] == [clean(tag) for tag in event.tags]


def test_a_missing_icaljs_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(helpers, "ROOT", tmp_path)  # a checkout without node_modules
    monkeypatch.delenv("CI", raising=False)
    assert helpers.icaljs_available() is False
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        helpers.icaljs_available()
