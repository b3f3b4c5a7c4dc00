"""`timeline show` and input checks for dates (issues 9 and 10)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from timeline import ValidationError, from_json
from timeline._render import render_timeline
from timeline.cli import main
from timeline.events import Meeting
from timeline.testing import timeline_of
from timeline.when import When


def _meeting(event_id: str, when: str) -> Meeting:
    return Meeting(id=event_id, when=When.parse(when), participants=("A",), title=event_id)


def test_show_says_a_local_time_and_orders_it_by_its_local_day() -> None:
    events = [
        _meeting("next-day", "2024-01-06"),
        _meeting("evening", "2024-01-05T17:12:00-08:00"),  # 6 January 01:12 in UTC
        _meeting("day", "2024-01-05"),
        _meeting("by-may", "../2024-05"),
        _meeting("may-14", "2024-05-14"),
        _meeting("may", "2024-05"),
    ]
    out = io.StringIO()
    render_timeline(timeline_of(events), out)
    lines = [line.split("  ") for line in out.getvalue().splitlines()]
    shown = [(cells[0].strip(), cells[-1].strip()) for cells in lines]
    assert shown == [
        ("5 January 2024, 17:12 UTC\u221208:00", "evening"),
        ("5 January 2024", "day"),
        ("6 January 2024", "next-day"),
        ("by May 2024", "by-may"),
        ("May 2024", "may"),
        ("14 May 2024", "may-14"),
    ]


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("Y1000000000", "years beyond ±999,999,999 are not supported"),
        ("2024-25", "EDTF level 2, which is not supported"),
        ("9999-12-31T23:00:00-05:00", "outside years 0001 to 9999 in UTC"),
    ],
)
def test_input_outside_the_accepted_range_is_refused_naming_the_field(when: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        from_json({"type": "meeting", "when": when, "participants": ["A"]})
    assert caught.value.path == "meeting.when"


@pytest.mark.parametrize("when", ["9999-12-31", "9999", "9999-12", "-0044-03-15", "Y999999999", "2024-21"])
def test_the_whole_accepted_range_is_accepted(when: str) -> None:
    event = from_json({"type": "meeting", "when": when, "participants": ["A"]})
    assert str(event.when) == when  # type: ignore[attr-defined]


def test_the_cli_says_how_many_events_a_feed_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"type": "meeting", "id": "caesar", "when": "-0044-03-15", "participants": ["Caesar"]}\n'
        '{"type": "meeting", "id": "today", "when": "2025-04-14", "participants": ["A"]}\n'
    )
    store = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["--store", store, "append", "s", str(events)]) == 0
    capsys.readouterr()
    assert main(["--store", store, "export", "ical", "--stream", "s"]) == 0
    out, err = capsys.readouterr()
    assert out.count("BEGIN:VEVENT") == 1
    assert err == (
        "timeline: warning: ical: 1 event(s) left out, dated outside years 1 to 9999, which iCalendar "
        "cannot express (the first: id 'caesar')\n"
    )
