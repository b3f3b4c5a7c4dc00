"""The iCalendar feed (RFC 5545, built with the icalendar package) that `timeline.exporters.ical` exports.

Kept apart from the exporter and its hook (`timeline.exporters.ical`) so that loading the plugins, as every
``timeline export`` does whatever its format, does not import icalendar: only an iCalendar export does.

Stable across exports: each event's UID comes from the event id, DTSTAMP and LAST-MODIFIED are when the
entry last changed (never "now"), and SEQUENCE counts its corrections; so an unchanged log gives identical
bytes, and a client updates an event in place when it is corrected. The calendar itself has no UID (RFC 7986
allows one, few clients need it, and a client that names items by the first UID in the file would fold the
whole feed into one event). Retracted entries leave the feed. Dates: see `timeline.exporters._ical_dates`
(all-day VALUE=DATE with an exclusive DTEND, date-times exact in UTC, a policy for dates coarser than a day;
events dated outside years 1 to 9999 are left out, with an `UnexpressibleDateWarning` giving their count).
The human date ("about January 2025", "5 January 2024, 17:12 UTC-08:00" with the minus sign U+2212) opens
the DESCRIPTION and, when the placement alone would mislead, ends the SUMMARY; then come the typed facts
(`timeline.facts`). The EDTF text is in X-TIMELINE-EDTF and the event id in X-TIMELINE-ID. The SUMMARY is
one line (line breaks become spaces: some clients drop an event otherwise); the tags go in one CATEGORIES
property.

The calendar is written piece by piece: its opening lines, then each event as it is built, then its end.
The calendar's own lines are icalendar's `Calendar` serialised by icalendar. Each VEVENT is written from its
properties' icalendar values (`event_properties`) without building an `Event` component: the values'
``to_ical()`` joined into content lines by `timeline.exporters._ical_lines`, which gives the bytes of
`build_event(...).to_ical()` several times faster (icalendar's folding walks each character).
"""

from __future__ import annotations

import hashlib
import re
import uuid
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import icalendar
from icalendar.parser import Contentlines
from icalendar.prop import vDDDTypes, vDuration, vInt

from timeline.errors import ValidationError
from timeline.exporters._ical_dates import POLICIES, expressible, is_exact, place
from timeline.exporters._ical_lines import LineWriter
from timeline.exporters._ical_text import Text, categories, text_ical, typed_text
from timeline.exporters.base import choice_option
from timeline.exporters.pieces import write_chunks
from timeline.facts import facts, quote_words

if TYPE_CHECKING:
    from timeline.exporters.pieces import Pieces
    from timeline.projections import Entry, Timeline
    from timeline.values import Source
    from timeline.when import When

__all__ = [
    "PRODID",
    "UnexpressibleDateWarning",
    "build_calendar",
    "build_event",
    "event_bytes",
    "event_properties",
    "event_uid",
    "one_line",
    "write_feed",
]

PRODID = "-//timeline//timeline//EN"
"""The PRODID of every feed; without the library's version, so an upgrade alone changes no byte."""

# A fixed namespace: the same event id always gives the same UID, in every process.
_EVENT_NAMESPACE = uuid.UUID("b1f8e7c2-4d3a-5e69-8b0f-2a6c9d4e7f13")
_EVENT_NAMESPACE_BYTES = _EVENT_NAMESPACE.bytes


def _serialise(lines: Contentlines) -> bytes:
    """icalendar's own serialisation (CRLF, folding) of content lines; typed, since icalendar's is not."""
    return cast("Callable[[], bytes]", lines.to_ical)()


def _parse_duration(text: str) -> object:
    return cast("Callable[[str], object]", vDuration.from_ical)(text)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UnexpressibleDateWarning(UserWarning):
    """Some events were left out of a feed: their dates fall outside years 1 to 9999 (iCalendar's range)."""


def one_line(text: str) -> str:
    """`text` with each line break (CR LF, CR, LF) as a space: a SUMMARY is one line."""
    return _LINE_BREAK.sub(" ", text)


def event_uid(event_id: str) -> str:
    """An event's UID: derived from its id only, so corrections keep it and no title leaks into it.

    It is ``str(uuid.uuid5(namespace, event_id))``, computed without building a `uuid.UUID`.
    """
    digest = bytearray(hashlib.sha1(_EVENT_NAMESPACE_BYTES + event_id.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


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
    quote = quote_words(source)
    if quote:
        line += f"\n  {quote}"
    return line


def _description(entry: Entry, human: str) -> str:
    event = entry.event
    blocks = [human]
    said = facts(event)
    if said:
        blocks.append("\n".join(said))
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


Kind = Callable[[Any], Any]
"""An icalendar value type (or a function making one) applied to a raw value."""

Property = tuple[str, Kind, Any]
"""(name, kind, raw value): one property of a VEVENT, ``kind(raw)`` its icalendar value."""


def _keyword(value: str) -> Text:
    """A constant TEXT value (TRANSP's): the same line in every event, serialised once per export."""
    return Text(value)


#: Kinds whose values recur across the entries of a feed: their lines are serialised once per value.
_REPEATING: frozenset[Kind] = frozenset({vDDDTypes, vInt, vDuration, _keyword})
#: TEXT kinds, with the same parameters for every value: written from `text_ical` without a `Text` object
#: (whose construction costs more than its escaping).
_TEXTS: frozenset[Kind] = frozenset({Text, typed_text})


def event_properties(entry: Entry, policy: str) -> list[Property] | None:
    """The properties of one entry's VEVENT in icalendar's canonical order (its `Event.sorted_keys`: SUMMARY,
    DTSTART, DTEND, DURATION, DTSTAMP, UID, SEQUENCE, then by name), or None when the fuzzy-date policy
    leaves it out or iCalendar cannot express its date (see `timeline.exporters._ical_dates.expressible`)."""
    event = entry.event
    when: When = event.when
    if not expressible(when):
        return None
    placed = place(when, policy)
    if placed is None:
        return None
    start, end = placed
    human = when.human()
    headline = event.headline()
    changed = entry.last_changed.astimezone(UTC)
    # Typed values, never icalendar's inference (`add()`), whose TEXT escaping is the flawed one (see
    # _ical_text).
    properties: list[Property] = [
        ("SUMMARY", Text, one_line(headline if is_exact(when) else f"{headline} ({human})")),
        ("DTSTART", vDDDTypes, start),
    ]
    if isinstance(end, timedelta):  # the last day iCalendar has: no next day for DTEND
        properties.append(("DURATION", vDuration, end))
    elif end is not None:
        properties.append(("DTEND", vDDDTypes, end))
    properties += [
        ("DTSTAMP", vDDDTypes, changed),
        ("UID", Text, event_uid(entry.id)),
        ("SEQUENCE", vInt, entry.revision - 1),
    ]
    if event.tags:
        properties.append(("CATEGORIES", categories, event.tags))
    properties += [
        ("CREATED", vDDDTypes, entry.first_recorded.astimezone(UTC)),
        ("DESCRIPTION", Text, _description(entry, human)),
        ("LAST-MODIFIED", vDDDTypes, changed),
    ]
    if event.place:
        properties.append(("LOCATION", Text, event.place))
    properties += [
        ("TRANSP", _keyword, "TRANSPARENT"),
        ("X-TIMELINE-EDTF", typed_text, str(when)),
        ("X-TIMELINE-ID", typed_text, entry.id),
    ]
    return properties


def build_event(entry: Entry, policy: str) -> icalendar.Event | None:
    """The VEVENT of one entry as an icalendar component, or None (see `event_properties`); the feed
    writes the same bytes without building it (see `event_bytes`)."""
    properties = event_properties(entry, policy)
    if properties is None:
        return None
    vevent = icalendar.Event()
    for name, kind, raw in properties:
        vevent[name] = kind(raw)
    return vevent


_BEGIN_VEVENT, _END_VEVENT = (line + b"\r\n" for line in icalendar.Event().to_ical().splitlines())


def event_bytes(properties: list[Property], writer: LineWriter) -> bytes:
    """The VEVENT of `properties` serialised: the bytes of ``build_event(...).to_ical()``, line by line
    from each value's ``to_ical()`` (see `timeline.exporters._ical_lines`)."""
    lines = [_BEGIN_VEVENT]
    for name, kind, raw in properties:
        if kind in _REPEATING:
            lines.append(writer.repeated(name, kind, raw))
            continue
        if kind in _TEXTS:
            lines.append(writer.text(name, kind, text_ical(raw)))
            continue
        value = kind(raw)
        if isinstance(value, list):  # CATEGORIES as several properties (see `categories`)
            lines += [writer.line(name, item) for item in value]
        else:
            lines.append(writer.line(name, value))
    lines.append(_END_VEVENT)
    return b"".join(lines)


def build_calendar(timeline: Timeline, options: Mapping[str, str]) -> icalendar.Calendar:
    """The VCALENDAR with its properties and no events (`export` streams those)."""
    name = options.get("name") or timeline.stream or "timeline"
    refresh = _refresh(options)
    calendar = icalendar.Calendar()
    calendar["VERSION"] = Text("2.0")
    calendar["PRODID"] = Text(PRODID)
    calendar["CALSCALE"] = Text("GREGORIAN")
    calendar["METHOD"] = Text("PUBLISH")
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

    writer = LineWriter()  # one per export: what it remembers depends on nothing but the values

    def piece(entry: Entry) -> tuple[bytes, int]:
        # A retracted entry leaves the feed even from a Timeline that shows retractions: a client then
        # drops the event it had.
        properties = None if entry.retracted else event_properties(entry, policy)
        if properties is None:
            return b"", 0
        return event_bytes(properties, writer), 0

    return piece


def write_feed(timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces) -> None:
    """The feed of `timeline` (options checked already), each VEVENT taken from `pieces`: what
    `ICalExporter.export_pieces` writes."""
    policy = choice_option(options, "fuzzy", POLICIES)
    lines = build_calendar(timeline, options).content_lines()
    # The calendar's own lines, serialised by icalendar, around the events: its last two items are
    # END:VCALENDAR and the empty end marker.
    out.write(_serialise(Contentlines(lines[:-2])))
    left_out = _left_out(timeline)
    write_chunks(out, (chunk for _, chunk in pieces.runs(timeline, _renderer(policy))))
    out.write(_serialise(Contentlines(lines[-2:])))
    if left_out:
        warnings.warn(
            f"ical: {len(left_out)} event(s) left out, dated outside years 1 to 9999, which iCalendar "
            f"cannot express (the first: id {left_out[0]!r})",
            UnexpressibleDateWarning,
            stacklevel=3,  # the caller of export_pieces, as when the exporter warned itself
        )


def _left_out(timeline: Timeline) -> list[str]:
    """The ids of the shown entries whose dates iCalendar cannot express (see `expressible`), in order: of
    those whose date's text leaves it open (`Timeline.unusually_dated`, found without reading every entry
    of a restored Timeline), each distinct date parsed once."""
    judged: dict[str, bool] = {}
    left_out = []
    for entry in timeline.unusually_dated():
        text = entry.when.text
        outside = judged.get(text)
        if outside is None:
            outside = judged[text] = not expressible(entry.when)
        if outside and not entry.retracted:
            left_out.append(entry.id)
    return left_out
