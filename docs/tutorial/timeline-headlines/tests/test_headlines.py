"""Tests of the headlines exporter: what it writes, parsed back, for events full of hostile text."""

from __future__ import annotations

import io

from hypothesis import given
from timeline_headlines import HeadlinesExporter

from timeline import Occurrence
from timeline.testing import occurrence_lists, timeline_of


def headlines(events: list[Occurrence], **options: str) -> list[list[str]]:
    """Export `events` and split what was written into lines of fields."""
    out = io.BytesIO()
    HeadlinesExporter().export(timeline_of(events), out, options)
    return [line.split("\t") for line in out.getvalue().decode().splitlines()]


@given(occurrence_lists)
def test_one_line_of_two_fields_per_event_whatever_the_text(events: list[Occurrence]) -> None:
    rows = headlines(events)
    assert len(rows) == len(events)
    for fields in rows:
        assert len(fields) == 2  # no tab or line break in a headline got through


@given(occurrence_lists)
def test_edtf_dates_round_trip(events: list[Occurrence]) -> None:
    shown = [when for when, _ in headlines(events, edtf="true")]
    assert sorted(shown) == sorted(str(event.when) for event in events)
