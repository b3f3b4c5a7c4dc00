"""The iCalendar feed's own serialisation gives the bytes icalendar's `Component.to_ical()` gives."""

from __future__ import annotations

import io
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline
from icalendar.prop import vDDDTypes

from timeline.events import Correction, Retraction
from timeline.exporters._ical_dates import POLICIES
from timeline.exporters._ical_feed import _EVENT_NAMESPACE
from timeline.exporters._ical_lines import LineWriter, fold
from timeline.exporters.ical import (
    ICalExporter,
    build_calendar,
    build_event,
    event_bytes,
    event_properties,
    event_uid,
)
from timeline.projections import Timeline
from timeline.testing import T0, hostile_text_of, occurrences, recorded_batches

if TYPE_CHECKING:
    from timeline.events import Event

#: Text that folds at every kind of boundary: escapes and carets at a fold, multi-byte characters (2, 3
#: and 4 octets) across one, runs that fill a piece to its last octet, a BOM at a value's start.
_FRAGMENTS = [
    "\\",
    "\\\\",
    "^",
    "\\n",
    "\\N",
    ";",
    ",",
    ":",
    '"',
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\ufeff",
    "é",
    "中文",
    "😀",
    "a" * 73,
    "b" * 74,
    "é" * 37,
    "中" * 25,
    "😀" * 19,
    " ",
]
folding_text = hostile_text_of(_FRAGMENTS, max_size=40)


@given(folding_text)
def test_fold_is_icalendars_foldline(text: str) -> None:
    line = text.replace("\n", " ")
    assert fold(line.encode("utf-8")) == _foldline(line).encode("utf-8")


@pytest.mark.parametrize("special", ["\\", "\\\\", "^", "é", "中", "😀", "\ufeff"])
@pytest.mark.parametrize("before", range(66, 78))
def test_fold_at_every_octet_near_the_limit(before: int, special: str) -> None:
    for line in ("x" * before + special + "y" * 90, "é" * (before // 2) + "x" * (before % 2) + special * 30):
        assert fold(line.encode("utf-8")) == _foldline(line).encode("utf-8"), line


@given(st.text(max_size=40))
def test_event_uid_is_uuid5(event_id: str) -> None:
    assert event_uid(event_id) == str(uuid.uuid5(_EVENT_NAMESPACE, event_id))


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, list[Event]]]:
    """Batches of one stream: occurrences with folding text and every date kind, then corrections (so
    SEQUENCE counts up, titles and dates change) and retractions of some of them; batches share their
    recorded_at, so instants repeat across entries."""
    events: list[Event] = draw(
        st.lists(
            occurrences(text=folding_text, ids=st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
            min_size=1,
            max_size=6,
            unique_by=lambda event: event.id,
        )
    )
    ids = [event.id for event in events]
    for number in range(draw(st.integers(0, 6))):
        target = draw(st.sampled_from(ids))
        change = draw(st.sampled_from(["title", "when", "retract"]))
        if change == "retract":
            events.append(Retraction(id=f"r{number}", target=target, reason=draw(folding_text)))
        else:
            value = draw(folding_text) if change == "title" else str(draw(occurrences()).when)
            events.append(
                Correction(id=f"c{number}", target=target, changes={change: value}, reason=draw(folding_text))
            )
    batches, rest = [], events
    while rest:
        size = draw(st.integers(1, len(rest)))
        batches.append(("s", rest[:size]))
        rest = rest[size:]
    return batches


def _reference(timeline: Timeline, options: dict[str, str]) -> bytes:
    """The feed the plain icalendar way: one Calendar with an Event component per entry, `to_ical()`."""
    calendar = build_calendar(timeline, options)
    for entry in timeline:
        vevent = None if entry.retracted else build_event(entry, options.get("fuzzy", POLICIES[0]))
        if vevent is not None:
            calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def _export(timeline: Timeline, options: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dates outside years 1 to 9999 are left out with a warning
        ICalExporter().export(timeline, out, options)
    return out.getvalue()


@settings(max_examples=80)
@given(
    batches=histories(),
    policy=st.sampled_from(POLICIES),
    retracted=st.booleans(),
    name=st.none() | folding_text,
    description=st.none() | folding_text,
)
def test_the_feed_is_the_bytes_of_icalendars_to_ical(
    batches: list[tuple[str, list[Event]]],
    policy: str,
    retracted: bool,
    name: str | None,
    description: str | None,
) -> None:
    records = recorded_batches(*batches, start=T0, step=timedelta(seconds=1))
    timeline = Timeline.from_records(records, include_retracted=retracted)
    options = {"fuzzy": policy}
    if name is not None:
        options["name"] = name
    if description is not None:
        options["description"] = description
    assert _export(timeline, options) == _reference(timeline, options)


@settings(max_examples=40)
@given(batches=histories(), policy=st.sampled_from(POLICIES))
def test_one_writer_serves_many_events_as_to_ical_would(
    batches: list[tuple[str, list[Event]]], policy: str
) -> None:
    """What a writer remembers from one event never changes another's bytes."""
    writer = LineWriter()
    timeline = Timeline.from_records(recorded_batches(*batches), include_retracted=True)
    for entry in [*timeline, *timeline]:
        properties = event_properties(entry, policy)
        vevent = build_event(entry, policy)
        if properties is None or vevent is None:
            assert properties is None
            assert vevent is None
            continue
        assert event_bytes(properties, writer) == vevent.to_ical()


def test_properties_are_in_icalendars_canonical_order() -> None:
    names = [
        "X-TIMELINE-ID",
        "SUMMARY",
        "DESCRIPTION",
        "DTSTART",
        "DTEND",
        "DURATION",
        "UID",
        "SEQUENCE",
        "DTSTAMP",
        "CATEGORIES",
        "CREATED",
        "LAST-MODIFIED",
        "LOCATION",
        "TRANSP",
        "X-TIMELINE-EDTF",
    ]
    event = icalendar.Event()
    for name in names:
        event[name] = icalendar.vText("x")
    expected = event.sorted_keys()
    # The order event_properties writes them in (DTEND and DURATION never both).
    written = [
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "DURATION",
        "DTSTAMP",
        "UID",
        "SEQUENCE",
        "CATEGORIES",
        "CREATED",
        "DESCRIPTION",
        "LAST-MODIFIED",
        "LOCATION",
        "TRANSP",
        "X-TIMELINE-EDTF",
        "X-TIMELINE-ID",
    ]
    assert expected == written


def test_a_repeated_instant_in_another_zone_is_not_taken_for_the_first() -> None:
    writer = LineWriter()
    utc = datetime(2025, 4, 14, 12, 0, tzinfo=UTC)
    here = utc.astimezone(ZoneInfo("America/New_York"))
    first = writer.repeated("DTSTART", vDDDTypes, utc)
    second = writer.repeated("DTSTART", vDDDTypes, here)
    assert first == b"DTSTART:20250414T120000Z\r\n"
    assert second == _line(vDDDTypes(here), "DTSTART")


def _line(value: Any, name: str) -> bytes:
    event = icalendar.Event()
    event[name] = value
    return bytes(event.to_ical()).split(b"\r\n", 1)[1].rsplit(b"END:VEVENT", 1)[0]
