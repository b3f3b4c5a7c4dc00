"""The `ics` package's side of the iCalendar comparison (issue 11): the same VEVENTs, serialised by `ics`.

`ics` is a benchmark-only dependency (the ``bench`` extra). Its values are computed beforehand with our
rules (`ics_values`, untimed), so `ics_export` times its serialisation alone against our whole export.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import ics

from timeline.exporters import ical
from timeline.exporters._ical_dates import place

if TYPE_CHECKING:
    from timeline.projections import Timeline


def ics_values(timeline: Timeline) -> list[dict[str, Any]]:
    """What the ics package needs for each VEVENT we write, computed beforehand with our rules."""
    values = []
    for entry in timeline:
        placed = place(entry.event.when, "span")
        vevent = ical.build_event(entry, "span")
        if placed is None or vevent is None:
            continue
        start, end = placed
        values.append(
            {
                "uid": ical.event_uid(entry.id),
                "name": str(vevent["SUMMARY"]),
                "description": str(vevent["DESCRIPTION"]),
                "begin": start,
                "end": end,
                "all_day": not isinstance(start, datetime),
                "location": entry.event.place,
                "categories": list(entry.event.tags),
                "created": entry.first_recorded,
                "last_modified": entry.last_changed,
            }
        )
    return values


def ics_export(values: list[dict[str, Any]]) -> str:
    """A calendar of `values` built and serialised by the ics package."""
    calendar = ics.Calendar()
    for value in values:
        event = ics.Event(
            name=value["name"],
            begin=value["begin"],
            uid=value["uid"],
            description=value["description"],
            location=value["location"],
            categories=value["categories"],
            created=value["created"],
            last_modified=value["last_modified"],
        )
        if value["all_day"]:
            event.make_all_day()
        calendar.events.add(event)
    return str(calendar.serialize())
