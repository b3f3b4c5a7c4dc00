"""The iCalendar exporter (RFC 5545, built with the icalendar package): a feed calendar apps subscribe to.

This module is the plugin: the exporter, its options and its hook, which load no icalendar (loading the
plugins, as every ``timeline export`` does, costs no iCalendar machinery). What the feed holds and how it is
written (stable UIDs, DTSTAMP and SEQUENCE, dates, the human date, the typed facts) is told and done in
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

#: The feed's names (the public ones but the exporter's own), from `timeline.exporters._ical_feed` when used.
_LAZY = dict.fromkeys(
    [name for name in __all__ if name not in ("ICalExporter", "timeline_register_exporters")],
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
