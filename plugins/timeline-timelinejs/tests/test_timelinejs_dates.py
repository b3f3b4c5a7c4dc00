"""EDTF dates as TimelineJS date objects: integer parts, unknown parts left out, display_date if fuzzy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from timeline_timelinejs._dates import slide_dates
from tljs_support import SETTINGS, whens

from timeline import Precision, When

_PARTS = {
    Precision.YEAR: {"year"},
    Precision.SEASON: {"year", "month"},
    Precision.MONTH: {"year", "month"},
    Precision.DAY: {"year", "month", "day"},
    Precision.TIME: {"year", "month", "day", "hour", "minute", "second"},
}

EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("2025", {"start_date": {"year": 2025}}),
    ("2025-03", {"start_date": {"year": 2025, "month": 3}}),
    ("2025-04-14", {"start_date": {"year": 2025, "month": 4, "day": 14}}),
    ("2025-03~", {"start_date": {"year": 2025, "month": 3, "display_date": "about March 2025"}}),
    ("2025?", {"start_date": {"year": 2025, "display_date": "possibly 2025"}}),
    (
        "2025-04-14%",
        {"start_date": {"year": 2025, "month": 4, "day": 14, "display_date": "possibly about 14 April 2025"}},
    ),
    (
        "2025-04-14T15:30:00-04:00",
        {
            "start_date": {
                "year": 2025,
                "month": 4,
                "day": 14,
                "hour": 15,
                "minute": 30,
                "second": 0,
                "display_date": "14 April 2025, 15:30 UTC\u221204:00",
            }
        },
    ),
    (
        "2025-12-31T23:30:05-04:00",  # local parts: the UTC ones would fall on the next day and year
        {
            "start_date": {
                "year": 2025,
                "month": 12,
                "day": 31,
                "hour": 23,
                "minute": 30,
                "second": 5,
                "display_date": "31 December 2025, 23:30:05 UTC\u221204:00",
            }
        },
    ),
    ("2025-03/2025-04", {"start_date": {"year": 2025, "month": 3}, "end_date": {"year": 2025, "month": 4}}),
    ("2025-03/2025-03", {"start_date": {"year": 2025, "month": 3}}),
    (
        "2025-01-20/2025-02~",
        {
            "start_date": {"year": 2025, "month": 1, "day": 20},
            "end_date": {"year": 2025, "month": 2, "display_date": "about February 2025"},
            "display_date": "between 20 January 2025 and about February 2025",
        },
    ),
    (
        "../2025-04-14",
        {
            "start_date": {"year": 2025, "month": 4, "day": 14, "display_date": "by 14 April 2025"},
            "display_date": "by 14 April 2025",
        },
    ),
    (
        "2025-03/..",
        {
            "start_date": {"year": 2025, "month": 3, "display_date": "from March 2025 on"},
            "display_date": "from March 2025 on",
        },
    ),
    (
        "/2024-06",
        {
            "start_date": {"year": 2024, "month": 6, "display_date": "until June 2024 (start unknown)"},
            "display_date": "until June 2024 (start unknown)",
        },
    ),
    ("2024-21", {"start_date": {"year": 2024, "month": 3, "display_date": "spring 2024"}}),
    ("201X", {"start_date": {"year": 2010, "display_date": "the 2010s"}}),
    (
        "2024-01-XX",
        {"start_date": {"year": 2024, "month": 1, "display_date": "January 2024 (day unspecified)"}},
    ),
    # TimelineJS takes negative and big years: the event stays, its words say the year.
    ("-0044-03-15", {"start_date": {"year": -44, "month": 3, "day": 15, "display_date": "15 March 45 BCE"}}),
    ("Y170000002", {"start_date": {"year": 170000002}}),
]


@pytest.mark.parametrize(("edtf", "expected"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_examples(edtf: str, expected: dict[str, Any]) -> None:
    assert slide_dates(When.parse(edtf)) == expected


def _check_parts(parts: dict[str, Any], when: When) -> None:
    """`parts` are ints for exactly the known parts of the single date `when`, and name its start."""
    numbers = {key: value for key, value in parts.items() if key != "display_date"}
    assert all(type(value) is int for value in numbers.values()), parts
    assert set(numbers) == _PARTS[when.precision]
    if when.instant is not None:
        assert datetime(**numbers, tzinfo=when.instant.tzinfo) == when.instant  # local wall time
    else:
        assert (numbers["year"], numbers.get("month", 1), numbers.get("day", 1)) == when.first


def _is_fuzzy(when: When) -> bool:
    first = when.first
    assert first is not None
    return (
        when.approximate
        or when.uncertain
        or when.precision in (Precision.TIME, Precision.SEASON)
        or "X" in when.text
        or first.year < 1
    )


@SETTINGS
@given(whens())
def test_parts_are_integers_down_to_the_precision_and_fuzzy_dates_are_worded(when: When) -> None:
    out = slide_dates(when)
    assert set(out) <= {"start_date", "end_date", "display_date"}
    start_text, _, end_text = when.text.partition("/")
    if not when.is_interval:
        _check_parts(out["start_date"], when)
        assert set(out) == {"start_date"}
        assert out["start_date"].get("display_date") == (when.human() if _is_fuzzy(when) else None)
        return
    if None in when.sides:
        # TimelineJS needs a start: the slide sits at the known end, and says "by"/"from ... on" in words.
        known = when.placed
        _check_parts(out["start_date"], known)
        assert "end_date" not in out
        assert out["display_date"] == out["start_date"]["display_date"] == when.human()
        return
    start, end = When.parse(start_text), When.parse(end_text)
    _check_parts(out["start_date"], start)
    if "end_date" in out:
        _check_parts(out["end_date"], end)
        assert out["end_date"] != out["start_date"]
    else:  # left out only when it would say the same as the start (TimelineJS drops such an end itself)
        _check_parts(out["start_date"], end)
    for part, obj in ((start, out["start_date"]), (end, out.get("end_date"))):
        if obj is not None:
            assert obj.get("display_date") == (part.human() if _is_fuzzy(part) else None)
    fuzzy = _is_fuzzy(start) or _is_fuzzy(end)
    assert out.get("display_date") == (when.human() if fuzzy else None)
