"""Markdown: where dates are filed (issue 10): local days, open ends at their known side, far years."""

from __future__ import annotations

from tests.exporters.helpers import export_bytes
from tests.exporters.test_markdown import check_document
from timeline.events import Meeting
from timeline.testing import timeline_of
from timeline.when import When


def _meeting(event_id: str, when: str) -> Meeting:
    return Meeting(id=event_id, when=When.parse(when), participants=("A",), title=event_id)


def _layout(events: list[Meeting]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each table with the heading above it (## year or ### month) and its (date, title) rows."""
    md = export_bytes(timeline_of(events), "markdown").decode()
    check_document(md)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    heading = ""
    for line in md.splitlines():
        if line.startswith(("## ", "### ")):
            heading = line.split(" ", 1)[1]
        elif line.startswith("| ") and not line.startswith(("| Date |", "| --- |")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            if not out or out[-1][0] != heading:
                out.append((heading, []))
            out[-1][1].append((cells[0], cells[1]))
    return out


def test_a_local_evening_is_filed_under_its_own_day_and_month() -> None:
    events = [
        _meeting("evening", "2024-01-31T17:12:00-08:00"),  # 1 February 01:12 in UTC
        _meeting("jan-31", "2024-01-31"),
        _meeting("feb-1", "2024-02-01"),
    ]
    assert _layout(events) == [
        (
            "January 2024",
            [("31 January 2024, 17:12 UTC\u221208:00", "evening"), ("31 January 2024", "jan-31")],
        ),
        ("February 2024", [("1 February 2024", "feb-1")]),
    ]


def test_an_open_end_sits_with_its_known_side() -> None:
    events = [_meeting("may-14", "2024-05-14"), _meeting("by-may", "../2024-05"), _meeting("may", "2024-05")]
    assert _layout(events) == [
        ("May 2024", [("by May 2024", "by-may"), ("May 2024", "may"), ("14 May 2024", "may-14")]),
    ]


def test_seasons_unspecified_digits_and_far_years() -> None:
    events = [
        _meeting("spring", "2024-21"),
        _meeting("decade", "201X"),
        _meeting("caesar", "-0044-03-15"),
        _meeting("far", "Y170000002"),
        _meeting("march", "2024-03-XX"),
    ]
    assert _layout(events) == [
        ("March 45 BCE", [("15 March 45 BCE", "caesar")]),
        ("2010", [("the 2010s", "decade")]),
        ("March 2024", [("March 2024 (day unspecified)", "march"), ("spring 2024", "spring")]),
        ("170,000,002", [("170,000,002", "far")]),
    ]
