"""The iCalendar exporter (RFC 5545, built with the icalendar package): a feed calendar apps subscribe to.

Stable across exports: the calendar's UID comes from the stream name, each event's UID from the event id,
DTSTAMP and LAST-MODIFIED are when the entry last changed (never "now"), and SEQUENCE counts its corrections;
so an unchanged log gives identical bytes, and a client updates an event in place when it is corrected.
Retracted entries leave the feed. Dates: see `timeline.exporters._ical_dates` (all-day VALUE=DATE with an
exclusive DTEND, date-times in UTC, a policy for dates coarser than a day). The human date ("about January
2025") opens the DESCRIPTION and, when the placement alone would mislead, ends the SUMMARY; the EDTF text is
in X-TIMELINE-EDTF and the event id in X-TIMELINE-ID.

The calendar is written piece by piece: its opening lines, then each event as it is built, then its end.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO, cast

import attrs
import icalendar
from icalendar.parser import Contentlines
from icalendar.prop import vDDDTypes, vDuration, vInt

from timeline.errors import ValidationError
from timeline.exporters._ical_dates import POLICIES, is_exact, place
from timeline.exporters._ical_text import Text, categories, typed_text
from timeline.exporters.base import Exporter, check_options, choice_option
from timeline.exporters.pieces import RENDER_EACH, write_chunks
from timeline.hookspecs import hookimpl

if TYPE_CHECKING:
    from timeline.exporters.pieces import Pieces
    from timeline.projections import Entry, Timeline
    from timeline.values import Source
    from timeline.when import When

__all__ = [
    "ICalExporter",
    "build_calendar",
    "build_event",
    "calendar_uid",
    "event_uid",
    "timeline_register_exporters",
]

PRODID = "-//timeline//timeline//EN"
"""The PRODID of every feed; without the library's version, so an upgrade alone changes no byte."""

# Fixed namespaces: the same stream name or event id always gives the same UID, in every process.
_CALENDAR_NAMESPACE = uuid.UUID("6f0f2a5e-8c1b-5c7e-9a57-3d0c3f6f1a01")
_EVENT_NAMESPACE = uuid.UUID("b1f8e7c2-4d3a-5e69-8b0f-2a6c9d4e7f13")

_OPTIONS = MappingProxyType(
    {
        "name": "calendar name (NAME, X-WR-CALNAME); default: the stream name, or 'timeline'",
        "description": "calendar description (DESCRIPTION, X-WR-CALDESC); default: none",
        "refresh": "how often clients should fetch the feed, an ISO 8601 duration; default: PT12H",
        "fuzzy": "dates coarser than a day: span (all-day over the whole range, default), first-day, or skip",
    }
)


def _serialise(lines: Contentlines) -> bytes:
    """icalendar's own serialisation (CRLF, folding) of content lines; typed, since icalendar's is not."""
    return cast("Callable[[], bytes]", lines.to_ical)()


def _parse_duration(text: str) -> object:
    return cast("Callable[[str], object]", vDuration.from_ical)(text)


def calendar_uid(stream: str | None) -> str:
    """The calendar's UID: fixed for a stream (and for the feed of all streams)."""
    return str(uuid.uuid5(_CALENDAR_NAMESPACE, "" if stream is None else f"stream:{stream}"))


def event_uid(event_id: str) -> str:
    """An event's UID: derived from its id only, so corrections keep it and no title leaks into it."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, event_id))


def _refresh(options: Mapping[str, str]) -> timedelta:
    text = options.get("refresh", "PT12H")
    try:
        value = _parse_duration(text)
    except (ValueError, icalendar.InvalidCalendar):
        value = None
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError(
            f"{text!r} is not a positive ISO 8601 duration such as PT12H or P1D", path="options.refresh"
        )
    return value


def _source_line(source: Source) -> str:
    parts = [part for part in (source.title, source.publisher) if part]
    if source.published is not None:
        parts.append(source.published.human())
    line = "- " + ", ".join(parts) if parts else "-"
    if source.url:
        line = f"{line}: {source.url}" if parts else f"- {source.url}"
    if source.quote:
        line += f'\n  "{source.quote}"'
    return line


def _description(entry: Entry, human: str) -> str:
    event = entry.event
    blocks = [human]
    if event.description:
        blocks.append(event.description)
    if event.sources:
        blocks.append("\n".join(["Sources:", *(_source_line(s) for s in event.sources)]))
    corrections = [c for c in entry.history if c.kind == "correction"]
    if corrections:
        blocks.append(
            "\n".join(f"Corrected {c.recorded_at.astimezone(UTC):%Y-%m-%d}: {c.reason}" for c in corrections)
        )
    return "\n\n".join(blocks)


def build_event(entry: Entry, policy: str) -> icalendar.Event | None:
    """The VEVENT of one entry, or None when the fuzzy-date policy leaves it out."""
    event = entry.event
    when: When = event.when
    placed = place(when, policy)
    if placed is None:
        return None
    start, end = placed
    human = when.human()
    headline = event.headline()
    changed = entry.last_changed.astimezone(UTC)
    vevent = icalendar.Event()
    # Straight assignments of typed values: `add()` would infer each type again, which costs more than
    # building the value, and its TEXT escaping is the flawed one (see _ical_text).
    vevent["UID"] = Text(event_uid(entry.id))
    vevent["DTSTAMP"] = vDDDTypes(changed)
    vevent["LAST-MODIFIED"] = vDDDTypes(changed)
    vevent["CREATED"] = vDDDTypes(entry.first_recorded.astimezone(UTC))
    vevent["SEQUENCE"] = vInt(entry.revision - 1)
    vevent["DTSTART"] = vDDDTypes(start)
    if end is not None:
        vevent["DTEND"] = vDDDTypes(end)
    vevent["SUMMARY"] = Text(headline if is_exact(when) else f"{headline} ({human})")
    vevent["DESCRIPTION"] = Text(_description(entry, human))
    if event.place:
        vevent["LOCATION"] = Text(event.place)
    if event.tags:
        vevent["CATEGORIES"] = categories(event.tags)
    vevent["TRANSP"] = Text("TRANSPARENT")
    vevent["X-TIMELINE-EDTF"] = typed_text(str(when))
    vevent["X-TIMELINE-ID"] = typed_text(entry.id)
    return vevent


def build_calendar(timeline: Timeline, options: Mapping[str, str]) -> icalendar.Calendar:
    """The VCALENDAR with its properties and no events (`export` streams those)."""
    name = options.get("name") or timeline.stream or "timeline"
    refresh = _refresh(options)
    calendar = icalendar.Calendar()
    calendar["VERSION"] = Text("2.0")
    calendar["PRODID"] = Text(PRODID)
    calendar["CALSCALE"] = Text("GREGORIAN")
    calendar["METHOD"] = Text("PUBLISH")
    calendar["UID"] = Text(calendar_uid(timeline.stream))
    calendar["NAME"] = typed_text(name)
    calendar["X-WR-CALNAME"] = typed_text(name)
    description = options.get("description")
    if description:
        calendar["DESCRIPTION"] = Text(description)
        calendar["X-WR-CALDESC"] = typed_text(description)
    # icalendar's refresh_interval setter leaves out VALUE=DURATION, which RFC 7986 requires.
    calendar["REFRESH-INTERVAL"] = vDuration(refresh, params={"VALUE": "DURATION"})
    calendar["X-PUBLISHED-TTL"] = vDuration(refresh)
    return calendar


def _renderer(policy: str) -> Callable[[Entry], tuple[bytes, int]]:
    """An entry's piece: its VEVENT's bytes (a retracted or skipped entry: none)."""

    def piece(entry: Entry) -> tuple[bytes, int]:
        # A retracted entry leaves the feed even from a Timeline that shows retractions: a client then
        # drops the event it had.
        vevent = None if entry.retracted else build_event(entry, policy)
        if vevent is None:
            return b"", 0
        return _serialise(Contentlines(vevent.content_lines()[:-1])), 0  # the last item: the end marker

    return piece


@attrs.frozen(kw_only=True)
class ICalExporter:
    """The ``ical`` format: an iCalendar feed (``text/calendar``)."""

    name: str = "ical"
    media_type: str = "text/calendar"
    extension: str = ".ics"
    description: str = "iCalendar feed (RFC 5545) for calendar apps; all-day events for fuzzy dates"
    options: Mapping[str, str] = _OPTIONS

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the feed to `out`, event by event."""
        self.export_pieces(timeline, out, options, RENDER_EACH)

    def render_scope(self, options: Mapping[str, str]) -> str:
        """A VEVENT depends on the fuzzy-date policy alone among the options (see `CachingExporter`)."""
        check_options(self, options)
        return f"ical/1 fuzzy={choice_option(options, 'fuzzy', POLICIES)}"

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """`export`, each VEVENT taken from `pieces` (see `timeline.exporters.pieces`)."""
        check_options(self, options)
        policy = choice_option(options, "fuzzy", POLICIES)
        lines = build_calendar(timeline, options).content_lines()
        # The calendar's own lines, serialised by icalendar, around the events: its last two items are
        # END:VCALENDAR and the empty end marker.
        out.write(_serialise(Contentlines(lines[:-2])))
        write_chunks(out, (chunk for _, chunk in pieces.runs(timeline, _renderer(policy))))
        out.write(_serialise(Contentlines(lines[-2:])))


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Provide the ``ical`` format."""
    register(ICalExporter())
