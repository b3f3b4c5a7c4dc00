"""The iCalendar exporter (RFC 5545, built with the icalendar package): a feed calendar apps subscribe to.

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

This module is the plugin: the exporter and its hook, which load no icalendar (loading the plugins, as every
``timeline export`` does, costs no iCalendar machinery). The feed itself is written by
`timeline.exporters._ical_feed`, imported by the first iCalendar export; its public names (`build_event`,
`build_calendar`, `event_properties`, `event_bytes`, `event_uid`, `UnexpressibleDateWarning`) are
available here too, imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import attrs

from timeline._lazy_names import lazy_names
from timeline.exporters._ical_dates import POLICIES
from timeline.exporters.base import check_options, choice_option
from timeline.exporters.pieces import RENDER_EACH
from timeline.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.exporters._ical_feed import (
        UnexpressibleDateWarning,
        build_calendar,
        build_event,
        event_bytes,
        event_properties,
        event_uid,
    )
    from timeline.exporters.base import Exporter
    from timeline.exporters.pieces import Pieces
    from timeline.projections import Timeline

__all__ = [
    "ICalExporter",
    "UnexpressibleDateWarning",
    "build_calendar",
    "build_event",
    "event_bytes",
    "event_properties",
    "event_uid",
    "timeline_register_exporters",
]

#: The feed's names, from `timeline.exporters._ical_feed` on first use.
_LAZY = dict.fromkeys(
    (
        "UnexpressibleDateWarning",
        "build_calendar",
        "build_event",
        "event_bytes",
        "event_properties",
        "event_uid",
    ),
    "timeline.exporters._ical_feed",
)

_OPTIONS = MappingProxyType(
    {
        "name": "calendar name (NAME, X-WR-CALNAME); default: the stream name, or 'timeline'",
        "description": "calendar description (DESCRIPTION, X-WR-CALDESC); default: none",
        "refresh": "how often clients should fetch the feed, an ISO 8601 duration; default: PT12H",
        "fuzzy": (
            "dates coarser than a day: month (default: all-day over the range when it is at most 31 days, "
            "else its first day), span (over the whole range), first-day, or skip"
        ),
    }
)


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
        return f"ical/2 fuzzy={choice_option(options, 'fuzzy', POLICIES)}"

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """`export`, each VEVENT taken from `pieces` (see `timeline.exporters.pieces`)."""
        check_options(self, options)
        from timeline.exporters._ical_feed import write_feed  # here: icalendar only for an iCalendar export

        write_feed(timeline, out, options, pieces)


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Provide the ``ical`` format."""
    register(ICalExporter())


if not TYPE_CHECKING:  # mypy sees the imports above; at run time the names arrive on first use
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)
