"""`When` values as people say them, in English ("14 April 2025", "about March 2025", "by May 2024").

The wording follows the bounds: an open end includes its known side, so ``../2024-05`` is "by May 2024"
(May included) and ``2024-05/..`` is "from May 2024 on"; an unknown end (``/2024-06``) says so. A date-time
is said in its own offset ("5 January 2024, 17:12 UTC-08:00", with the minus sign U+2212), the day and time
its people lived.
Years before 1 use astronomical numbering, said as BCE: year 0 is "1 BCE", ``-0044`` is "45 BCE".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline._days import MONTHS, Day, Precision
from timeline._edtf import SEASONS

if TYPE_CHECKING:
    from timeline.when import When

_MINUS = "\u2212"  # the minus sign, as typographers write an offset below UTC


def year_words(year: int) -> str:
    """A year as people write it: '2025', '170,000,002', '45 BCE' (astronomical -44)."""
    if year >= 1:
        return str(year) if year < 10000 else f"{year:,}"
    bce = 1 - year
    return f"{bce if bce < 10000 else f'{bce:,}'} BCE"


def day_words(day: Day) -> str:
    """'14 April 2025'."""
    return f"{day.day} {MONTHS[day.month - 1]} {year_words(day.year)}"


def _offset_words(w: When) -> str:
    assert w.instant is not None
    offset = w.instant.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = _MINUS if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _plain(w: When) -> str:
    """A single value's date without its qualifier."""
    text = w.text.rstrip("~?%")
    first = w.first
    assert first is not None  # a single value has both bounds
    if w.precision is Precision.TIME:
        at = w.instant
        assert at is not None
        clock = f"{at:%H:%M:%S}" if at.second else f"{at:%H:%M}"
        return f"{day_words(first)}, {clock} {_offset_words(w)}"
    if w.precision is Precision.DAY:
        return day_words(first)
    if w.precision is Precision.SEASON:
        return f"{SEASONS[int(text[-2:])][2]} {year_words(first.year)}"
    if w.precision is Precision.MONTH:
        said = f"{MONTHS[first.month - 1]} {year_words(first.year)}"
        return f"{said} (day unspecified)" if text.endswith("XX") else said
    # A year, maybe with unspecified digits (201X), an unspecified month (2024-XX) or both month and day.
    year_part = text.split("-XX", 1)[0]
    if "X" in year_part:
        last = w.last
        assert last is not None
        if year_part.count("X") == 1 and first.year >= 0:
            return f"the {first.year}s"
        return f"the years {year_words(first.year)} to {year_words(last.year)}"
    said = year_words(first.year)
    if text.endswith("-XX-XX"):
        return f"{said} (month and day unspecified)"
    if text.endswith("-XX"):
        return f"{said} (month unspecified)"
    return said


def single_words(w: When) -> str:
    """A single (non-interval) value as people say it, its qualifier included."""
    said = _plain(w)
    approximate, uncertain = w.approximate, w.uncertain
    if approximate and uncertain:
        return f"possibly about {said}"
    if approximate:
        return f"about {said}"
    if uncertain:
        return f"possibly {said}"
    return said


def words(w: When) -> str:
    """Any value as people say it."""
    if not w.is_interval:
        return single_words(w)
    start, _, end = w.text.partition("/")
    a, b = w.sides
    if a is None:
        assert b is not None
        return f"by {b.human()}" if start == ".." else f"until {b.human()} (start unknown)"
    if b is None:
        return f"from {a.human()} on" if end == ".." else f"from {a.human()} (end unknown)"
    return f"between {a.human()} and {b.human()}"
