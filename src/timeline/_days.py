"""Days of the proleptic Gregorian calendar in any year, and the precisions of EDTF values.

Python's `date` spans years 1 to 9999 only; EDTF level 1 has year 0, negative years (``-0044``) and years of
more than four digits (``Y170000002``). A `Day` is a plain (year, month, day) triple: tuples compare in C, so
sorting by it costs no more than sorting by `date`, and it converts to a `date` where one exists.
"""

from __future__ import annotations

import enum
import functools
from datetime import date
from typing import NamedTuple

__all__ = ["MONTHS", "Day", "Precision", "month_end"]


class Precision(enum.IntEnum):
    """How fine a date is; finer is larger (YEAR < SEASON < MONTH < DAY < TIME)."""

    YEAR = 1
    SEASON = 2
    MONTH = 3
    DAY = 4
    TIME = 5


#: English month names, January first (on purpose: calendar.month_name follows the process locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _is_leap(year: int) -> bool:
    # Python's % is a floor modulo, so the rule holds for year 0 and negative (astronomical) years too.
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@functools.lru_cache(maxsize=4096)
def month_end(year: int, month: int) -> int:
    """The last day of `month` in `year`, for any year (calendar.monthrange needs 1..9999)."""
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Day(NamedTuple):
    """A day in any year (astronomical numbering: year 0 is 1 BCE, -44 is 45 BCE); ordered chronologically."""

    year: int
    month: int
    day: int

    @classmethod
    def of(cls, value: date) -> Day:
        """The Day of a `date`."""
        return cls(value.year, value.month, value.day)

    def to_date(self) -> date | None:
        """This day as a `date`, or None outside years 1 to 9999."""
        if 1 <= self.year <= 9999:
            return date(self.year, self.month, self.day)
        return None

    def isoformat(self) -> str:
        """ISO 8601 text: ``2025-04-14``; ``-0044-03-15`` before year 0; ``+170000002-01-01`` after 9999."""
        if self.year < 0:
            year = f"-{-self.year:04d}"
        elif self.year > 9999:
            year = f"+{self.year}"
        else:
            year = f"{self.year:04d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"
