"""The `when` of an event: an EDTF value with an earliest day, a latest day and a precision (design.md §2).

Accepted (EDTF level 0 plus a few level-1 pieces, nothing else):

* a year ``2025``, a month ``2025-03``, a day ``2025-04-14`` (years 0001 to 9999);
* a date-time with an offset ``2025-04-14T15:30:00-04:00`` or ``...Z`` (seconds required, no fractions;
  offsets from -14:00 to +14:00 as the EDTF grammar allows them; ``+00:00`` is accepted and written ``Z``);
* a qualifier suffix on a date (not on a date-time): ``~`` approximate, ``?`` uncertain, ``%`` both;
* intervals ``A/B`` of two of the above, and open ends ``../B`` and ``A/..``.

Bounds are EDTF's *strict* bounds: qualifiers do not widen them, and a date-time's bounds are its calendar
date as written (in its own offset).
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone

import attrs

__all__ = ["MONTHS", "Precision", "When"]


class Precision(enum.IntEnum):
    """How fine a date is; finer is larger (YEAR < MONTH < DAY < TIME)."""

    YEAR = 1
    MONTH = 2
    DAY = 3
    TIME = 4


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
_YEAR, _MONTH, _DAY, _TIME = Precision.YEAR, Precision.MONTH, Precision.DAY, Precision.TIME
_NO_INSTANT = datetime.min.replace(tzinfo=UTC)
_DATE = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?([~?%])?"
)
# The offsets the EDTF grammar (and the `edtf` package) allows, besides Z: ±00:01..±13:59 and ±14:00.
_OFFSET = re.compile(r"[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00")
_DIGITS = re.compile(r"[0-9]+(?:-[0-9]+){0,2}[~?%]?")
_FORMS = (
    "expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with Z or ±hh:mm, a date optionally "
    "followed by ~, ? or %, or an interval A/B, ../B or A/.."
)


@attrs.frozen(kw_only=True, repr=False)
class When:
    """A parsed EDTF value; build it with `When.parse`. Equal (and hashed) by its canonical text.

    Ordered by `sort_key`, a total order consistent with equality.
    """

    text: str
    """The canonical EDTF text (what `str()` returns)."""
    earliest: date | None = attrs.field(eq=False)
    """The first day it could be; None for an open start (``../B``)."""
    latest: date | None = attrs.field(eq=False)
    """The last day it could be, inclusive; None for an open end (``A/..``)."""
    precision: Precision = attrs.field(eq=False)
    """The precision of the start (of the end, if the start is open)."""
    instant: datetime | None = attrs.field(eq=False)
    """For a single date-time: the aware datetime in its own offset; otherwise None."""
    sort_key: tuple[date, int, datetime, str] = attrs.field(eq=False)
    """``(anchor, -precision, instant, text)``: the total order of `When` values.

    ``anchor`` is `earliest` (`latest` for an open start), so the earliest day comes first; on the same day a
    finer precision comes first; then the UTC instant of the anchoring date-time (`datetime.min` in UTC for
    dates: before any time of that day); the text breaks the remaining ties, so distinct values never tie.
    """

    # Derived from the canonical text rather than stored: each stored field costs parse time.
    @property
    def approximate(self) -> bool:
        """True if any part is qualified ``~`` (approximate) or ``%`` (both)."""
        return "~" in self.text or "%" in self.text

    @property
    def uncertain(self) -> bool:
        """True if any part is qualified ``?`` (uncertain) or ``%`` (both)."""
        return "?" in self.text or "%" in self.text

    @property
    def is_interval(self) -> bool:
        """True for ``A/B``, ``../B`` and ``A/..``."""
        return "/" in self.text

    @staticmethod
    def parse(text: str) -> When:
        """Parse EDTF text; raise ValueError quoting `text` and saying what is wrong. Cached."""
        if not isinstance(text, str):
            raise TypeError(f"{text!r} is not a string: an EDTF date is text such as '2025-03'")
        return _parse(text)

    def human(self) -> str:
        """The value as people say it, in English: '14 April 2025', 'about March 2025', 'before 2025'..."""
        if not self.is_interval:
            return _human_single(self)
        start, _, end = self.text.partition("/")
        if start == "..":
            return f"before {_parse(end).human()}"
        if end == "..":
            return f"after {_parse(start).human()}"
        return f"between {_parse(start).human()} and {_parse(end).human()}"

    def __str__(self) -> str:
        """The canonical EDTF text."""
        return self.text

    def __repr__(self) -> str:
        """A repr that evaluates back to an equal value."""
        return f"When.parse({self.text!r})"

    def __lt__(self, other: object) -> bool:
        """Order by `sort_key`."""
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: object) -> bool:
        """Order by `sort_key`."""
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: object) -> bool:
        """Order by `sort_key`."""
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: object) -> bool:
        """Order by `sort_key`."""
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key >= other.sort_key


def _error(text: str, why: str) -> ValueError:
    return ValueError(f"{text!r} is not a valid EDTF date: {why}")


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> When:
    if "/" not in text:
        return _single(text, text)[0]
    start, _, end = text.partition("/")
    if "/" in end:
        raise _error(text, "an interval has exactly one '/'")
    if not start or not end:
        raise _error(text, "an interval needs a date on each side of '/' (write '..' for an open end)")
    if start == ".." and end == "..":
        raise _error(text, "an interval needs at least one closed end ('../..' says nothing)")
    a = None if start == ".." else _single(start, text)
    b = None if end == ".." else _single(end, text)
    if a is not None and b is not None:
        if a[1] > b[2]:
            raise _error(text, f"the start {a[0].text} is after the end {b[0].text}")
        if a[0].instant is not None and b[0].instant is not None and a[0].sort_key[2] > b[0].sort_key[2]:
            raise _error(text, f"the start {a[0].text} is after the end {b[0].text}")
    side = a if a is not None else b
    assert side is not None  # ../.. was refused above
    first = side[0]
    canon = f"{a[0].text if a else '..'}/{b[0].text if b else '..'}"
    earliest = a[1] if a else None
    latest = b[2] if b else None
    anchor = a[1] if a else side[2]  # the earliest day, or for an open start the latest
    return When(
        text=canon,
        earliest=earliest,
        latest=latest,
        precision=first.precision,
        instant=None,
        sort_key=(anchor, first.sort_key[1], first.sort_key[2], canon),
    )


def _single(part: str, whole: str) -> tuple[When, date, date]:
    """Parse one date (no '/'); errors quote `whole`. Returns the value and its (earliest, latest)."""
    m = _DATE.fullmatch(part)
    if m is None:
        raise _error(whole, _diagnose(part))
    ys, ms, ds, hh, mi, ss, off, q = m.groups()
    year = int(ys)
    if year == 0:
        raise _error(whole, "year 0000 is not supported (years run from 0001 to 9999)")
    instant = None
    utc = _NO_INSTANT
    canon = part
    if ms is None:
        precision, finer_first = _YEAR, -1
        lo, hi = date(year, 1, 1), date(year, 12, 31)
    else:
        month = int(ms)
        if not 1 <= month <= 12:
            raise _error(whole, f"month {ms} does not exist")
        if ds is None:
            precision, finer_first = _MONTH, -2
            lo, hi = date(year, month, 1), date(year, month, _month_end(year, month))
        else:
            try:
                lo = hi = date(year, month, int(ds))
            except ValueError:
                raise _error(whole, f"day {ds} does not exist in {MONTHS[month - 1]} {year}") from None
            precision, finer_first = _DAY, -3
            if hh is not None:
                instant, utc = _time(whole, lo, hh, mi, ss, off, q)
                precision, finer_first = _TIME, -4
                if off == "+00:00":
                    canon = part[:-6] + "Z"
    value = When(
        text=canon,
        earliest=lo,
        latest=hi,
        precision=precision,
        instant=instant,
        sort_key=(lo, finer_first, utc, canon),
    )
    return value, lo, hi


@functools.lru_cache(maxsize=1024)
def _month_end(year: int, month: int) -> int:
    """The last day of the month (cached: calendar.monthrange also computes a weekday, 3x slower here)."""
    return calendar.monthrange(year, month)[1]


def _time(
    whole: str, day: date, hh: str, mi: str, ss: str | None, off: str | None, q: str | None
) -> tuple[datetime, datetime]:
    """Check the time part of a date-time; return the aware datetime and the same instant in UTC."""
    if ss is None:
        raise _error(whole, "a time needs seconds (hh:mm:ss)")
    if off is None:
        raise _error(whole, "a date-time needs an offset (Z or ±hh:mm): without one it is ambiguous")
    if q is not None:
        raise _error(whole, f"a qualifier ({q}) is not allowed on a date-time")
    hour, minute, second = int(hh), int(mi), int(ss)
    if hour > 23 or minute > 59 or second > 59:
        raise _error(whole, f"time {hh}:{mi}:{ss} does not exist")
    if off in ("Z", "+00:00"):
        tz = UTC
    elif off == "-00:00":
        raise _error(whole, "offset -00:00 is not allowed: write Z for UTC")
    elif _OFFSET.fullmatch(off):
        sign = -1 if off[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    else:
        raise _error(whole, f"offset {off} is out of range (-14:00 to +14:00)")
    instant = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
    try:
        return instant, instant.astimezone(UTC)
    except OverflowError:
        raise _error(whole, "it falls outside years 0001 to 9999 in UTC") from None


def _diagnose(part: str) -> str:
    """Say why `part` matched no accepted form."""
    if not part:
        return "it is empty"
    if part != part.strip():
        return "leading or trailing whitespace is not allowed"
    if part == "..":
        return "'..' (an open end) is only allowed as one side of an interval"
    if _DIGITS.fullmatch(part):
        return "the year needs 4 digits, the month and the day 2 (YYYY-MM-DD)"
    return _FORMS


def _day(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _human_single(w: When) -> str:
    d = w.sort_key[0]
    if w.precision is Precision.TIME:
        utc = w.sort_key[2]
        clock = f"{utc:%H:%M:%S}" if utc.second else f"{utc:%H:%M}"
        said = f"{_day(utc.date())}, {clock} UTC"
    elif w.precision is Precision.DAY:
        said = _day(d)
    elif w.precision is Precision.MONTH:
        said = f"{MONTHS[d.month - 1]} {d.year}"
    else:
        said = str(d.year)
    if w.approximate and w.uncertain:
        return f"possibly about {said}"
    if w.approximate:
        return f"about {said}"
    if w.uncertain:
        return f"possibly {said}"
    return said
