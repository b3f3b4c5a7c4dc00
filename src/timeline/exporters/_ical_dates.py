"""Where an EDTF date goes in a calendar: all-day dates, UTC date-times, and the policy for fuzzy dates.

* A day: an all-day event (VALUE=DATE) with the next day as its exclusive DTEND.
* A date-time: DTSTART in UTC (exact) and no DTEND (an instant); an interval of two date-times: DTSTART and
  DTEND. The local wording ("5 January 2024, 17:12 UTC-08:00", with the minus sign U+2212) is in the
  human text.
* A season, a month or a year, or an interval with such an end ("coarse"): by the policy,
  ``month`` (the default) = all-day over every day it may cover when that is at most 31 days (March 2025:
  20250301 to 20250401), otherwise its first day only, the range being said in the SUMMARY and DESCRIPTION
  (a subscriber's calendar shows no year-long bar across every day); ``span`` = all-day over every day it
  may cover, however long; ``first-day`` = its first day only; ``skip`` = left out.
* An open or unknown end (``../2025-04-14``, ``2025-03/..``, ``/2024-06``): placed as its known side, the
  one rule of `timeline.when` (``../2024-05`` as ``2024-05``, by the policy); ``skip`` leaves it out,
  since nothing bounds it.
* An interval of days (``2025-03-01/2025-03-05``) is exact: every policy spans it.
* Days iCalendar cannot express (years before 1 or after 9999: ``-0044``, ``Y170000002``, winter 9999):
  the event is left out and counted (see `expressible`; the exporter warns with the count). The last day
  that can be expressed, 9999-12-31, has no next day for DTEND: it gets ``DURATION`` instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from timeline.when import Day, Precision, When, surely_in_python_range

POLICIES = ("month", "span", "first-day", "skip")
"""The fuzzy-date policies; the first is the default."""

#: The longest coarse date the ``month`` policy spans, in days (the longest month).
MONTH_DAYS = 31

Start = date | datetime
Placement = tuple[Start, Start | timedelta | None]
"""(DTSTART, DTEND or DURATION or None): dates (all-day, DTEND exclusive) or UTC date-times."""

_DAY = timedelta(days=1)


def _days(first: Day, last: Day) -> Placement:
    start, end = first.to_date(), last.to_date()
    assert start is not None  # callers check `expressible` first
    assert end is not None
    if end == date.max:  # no 10000-01-01 for DTEND: say how long instead
        return start, end - start + _DAY
    return start, end + _DAY


def _utc(side: When) -> datetime:
    assert side.instant is not None  # only called for Precision.TIME, which always has an instant
    return side.instant.astimezone(UTC)


def expressible(when: When) -> bool:
    """True if iCalendar can carry `when`'s placement: every day it needs falls in years 1 to 9999."""
    return when.placed.in_python_range()


#: True when an EDTF text alone shows that `expressible` holds (see `timeline.when.surely_in_python_range`).
surely_expressible = surely_in_python_range


def is_exact(when: When) -> bool:
    """True if the calendar placement says all there is: closed, unqualified, and to the day or finer."""
    if when.approximate or when.uncertain or "X" in when.text:
        return False
    start, end = when.sides
    return start is not None and end is not None and min(start.precision, end.precision) >= Precision.DAY


def place(when: When, policy: str) -> Placement | None:
    """DTSTART and DTEND for `when` under `policy` (one of `POLICIES`), or None to leave the event out.

    Call it only for a `when` that is `expressible`.
    """
    start, end = when.sides
    if start is None or end is None:  # an open or unknown end: placed as its known side
        if policy == "skip":
            return None
        return place(when.placed, policy)
    if start.precision is Precision.TIME and end.precision is Precision.TIME:
        first, last = _utc(start), _utc(end)
        return (first, last) if last > first else (first, None)
    first_day, last_day = when.first, when.last
    assert first_day is not None  # a closed value has both bounds
    assert last_day is not None
    coarse = min(start.precision, end.precision) < Precision.DAY or "X" in when.text
    if coarse:
        if policy == "skip":
            return None
        if policy == "first-day":
            return _days(first_day, first_day)
        if policy == "month" and _length(first_day, last_day) > MONTH_DAYS:
            return _days(first_day, first_day)
    return _days(first_day, last_day)


def _length(first: Day, last: Day) -> int:
    start, end = first.to_date(), last.to_date()
    assert start is not None
    assert end is not None
    return (end - start).days + 1
