"""EDTF dates as TimelineJS date objects: integer parts, unknown parts left out, display_date if fuzzy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from timeline_timelinejs._dates import slide_dates
from tljs_support import SETTINGS, whens

from timeline import Precision, When

_PARTS = {
    Precision.YEAR: {"year"},
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
                "hour": 19,
                "minute": 30,
                "second": 0,
                "display_date": "14 April 2025, 19:30 UTC",
            }
        },
    ),
    (
        "2025-12-31T23:30:05-04:00",  # the UTC parts fall on the next day, in the next year
        {
            "start_date": {
                "year": 2026,
                "month": 1,
                "day": 1,
                "hour": 3,
                "minute": 30,
                "second": 5,
                "display_date": "1 January 2026, 03:30:05 UTC",
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
            "start_date": {"year": 2025, "month": 4, "day": 14, "display_date": "before 14 April 2025"},
            "display_date": "before 14 April 2025",
        },
    ),
    (
        "2025-03/..",
        {
            "start_date": {"year": 2025, "month": 3, "display_date": "after March 2025"},
            "display_date": "after March 2025",
        },
    ),
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
        assert datetime(**numbers, tzinfo=UTC) == when.instant
    else:
        assert date(numbers["year"], numbers.get("month", 1), numbers.get("day", 1)) == when.earliest


def _is_fuzzy(when: When) -> bool:
    return when.approximate or when.uncertain or when.precision is Precision.TIME


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
    if ".." in (start_text, end_text):
        # TimelineJS needs a start: the slide sits at the known end, and says "before"/"after" in words.
        known = When.parse(end_text if start_text == ".." else start_text)
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
