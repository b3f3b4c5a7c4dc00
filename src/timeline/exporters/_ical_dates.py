"""Where an EDTF date goes in a calendar: all-day dates, UTC date-times, and the policy for fuzzy dates.

* A day: an all-day event (VALUE=DATE) with the next day as its exclusive DTEND.
* A date-time: DTSTART in UTC and no DTEND (an instant); an interval of two date-times: DTSTART and DTEND.
* A month or a year, or an interval with such an end ("coarse"): by the policy, ``span`` = all-day over
  every day it may cover (March 2025: 20250301 to 20250401), ``first-day`` = its first day only, ``skip`` =
  left out.
* An open end (``../2025-04-14``, ``2025-03/..``): one all-day event on the first day of the known end
  (a date-time end: that instant); ``skip`` leaves it out, since nothing bounds it.
* An interval of days (``2025-03-01/2025-03-05``) is exact: every policy spans it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from timeline.when import Precision, When

POLICIES = ("span", "first-day", "skip")
"""The fuzzy-date policies; the first is the default."""

Start = date | datetime
Placement = tuple[Start, Start | None]
"""(DTSTART, DTEND or None): both dates (all-day, DTEND exclusive) or both UTC date-times."""

_DAY = timedelta(days=1)


def _sides(when: When) -> tuple[When | None, When | None]:
    if not when.is_interval:
        return when, when
    start, _, end = when.text.partition("/")
    return (None if start == ".." else When.parse(start)), (None if end == ".." else When.parse(end))


def _days(first: date, last: date) -> Placement:
    return first, last + _DAY


def _utc(side: When) -> datetime:
    assert side.instant is not None  # only called for Precision.TIME, which always has an instant
    return side.instant.astimezone(UTC)


def is_exact(when: When) -> bool:
    """True if the calendar placement says all there is: closed, unqualified, and to the day or finer."""
    if when.approximate or when.uncertain:
        return False
    start, end = _sides(when)
    return start is not None and end is not None and min(start.precision, end.precision) >= Precision.DAY


def place(when: When, policy: str) -> Placement | None:
    """DTSTART and DTEND for `when` under `policy` (one of `POLICIES`), or None to leave the event out."""
    start, end = _sides(when)
    if start is None or end is None:  # an open end: only the known side says anything
        if policy == "skip":
            return None
        known = start if start is not None else end
        assert known is not None  # When refuses "../.."
        if known.precision is Precision.TIME:
            return _utc(known), None
        assert known.earliest is not None  # a single date always has both bounds
        return _days(known.earliest, known.earliest)
    if start.precision is Precision.TIME and end.precision is Precision.TIME:
        first, last = _utc(start), _utc(end)
        return (first, last) if last > first else (first, None)
    assert when.earliest is not None
    assert when.latest is not None
    if min(start.precision, end.precision) < Precision.DAY:
        if policy == "skip":
            return None
        if policy == "first-day":
            return _days(when.earliest, when.earliest)
    return _days(when.earliest, when.latest)
