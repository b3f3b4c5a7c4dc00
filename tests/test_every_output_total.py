"""Anything append accepts, every projection and every registered format handles (issue 9).

The strategies reach every date `When` accepts (EDTF level 1, years ±999,999,999, 9999-12-31 and the other
edges), which is how an OverflowError in the iCalendar feed on 9999-12-31 used to slip through.
"""

from __future__ import annotations

import io
import warnings
from datetime import date

from hypothesis import example, given, settings

from timeline import export, plugins
from timeline._render import render_actors, render_ledger, render_movements, render_timeline
from timeline.events import Meeting, Occurrence
from timeline.exporters.ical import UnexpressibleDateWarning
from timeline.projections import Actors, Ledger, Movements, Window
from timeline.testing import occurrence_lists, timeline_of
from timeline.when import When


def _edge(text: str) -> list[Occurrence]:
    return [Meeting(id=text, when=When.parse(text), participants=("A",), title="edge")]


@given(occurrence_lists)
@example(_edge("9999-12-31"))
@example(_edge("9999"))
@example(_edge("9999-12"))
@example(_edge("Y-999999999/.."))
@example(_edge("9999-24"))
@settings(max_examples=60)
def test_every_format_and_projection_succeeds(events: list[Occurrence]) -> None:
    timeline = timeline_of(events)
    for name, _, _ in plugins.formats():
        out = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnexpressibleDateWarning)
            export(timeline, name, out)
        assert out.getvalue(), name
    text = io.StringIO()
    render_timeline(timeline, text, history=True, details=True)
    render_ledger(Ledger.from_timeline(timeline), text)
    render_movements(Movements.from_timeline(timeline), text)
    render_actors(Actors.from_timeline(timeline), text)
    window = Window.of(date(1, 1, 1), date(9999, 12, 31))
    inside = [entry for entry in timeline.entries if window.overlaps(entry.when)]
    assert all(entry.when.first is None or entry.when.first <= (9999, 12, 31) for entry in inside)


def test_a_window_sees_far_years_as_outside() -> None:
    window = Window.of("2025")
    assert not window.overlaps(When.parse("-0044-03-15"))
    assert not window.overlaps(When.parse("Y170000002"))
    assert window.overlaps(When.parse("Y-170000002/.."))
