"""The EDTF grammar `timeline.when` accepts (levels 0 and 1), parsed into neutral pieces.

Kept apart from `When` so that `when.py` holds the value and its rules, this module the syntax. Every error
is a ValueError quoting the whole input and saying what is wrong; level 2 features are refused as such.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

from timeline._days import MONTHS, Day, Precision, month_end

#: The largest year (in magnitude) accepted: nine digits, ``Y999999999``. Chosen once for every format (JSON
#: numbers stay exact, TimelineJS's big dates reach it); see `timeline.when` for what each exporter does.
MAX_YEAR = 999_999_999

NO_INSTANT = datetime.min.replace(tzinfo=UTC)
"""The UTC "instant" of a value without a time: before any time of its day."""

_SINGLE = re.compile(
    r"(-)?([0-9]{4}|[0-9]{3}X|[0-9]{2}XX|[0-9]XXX)"
    r"(?:-([0-9]{2}|XX)(?:-([0-9]{2}|XX)"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?([~?%])?"
)
# The patterns off the common path (long years, offsets, errors) as text: `re` compiles each on first use
# (and keeps it), so reading a store's dates pays for `_SINGLE` alone.
_LONG_YEAR = r"Y(-?)([0-9]+)([~?%])?"
# The offsets the EDTF grammar (and the `edtf` package) allows, besides Z: ±00:01..±13:59 and ±14:00.
_OFFSET = r"[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00"
_DIGITS = r"-?[0-9]+(?:-[0-9]+){0,2}[~?%]?"
_LEVEL2 = (
    (r"[\[\]{},^]", "a set, a list or a group"),
    (r"Y-?[0-9]+[ES]|[0-9]S[0-9]", "an exponent or significant digits"),
    (r"^[~?%]|[~?%](?!$)", "a qualifier on part of a date"),
    (r"^-?[0-9X]{4}(?:-[0-9X]{2}){0,2}[~?%]?$", "unspecified digits other than at the right end"),
)
#: The seasons of EDTF level 1 (northern hemisphere, meteorological): (first month, last month, name).
SEASONS = {21: (3, 5, "spring"), 22: (6, 8, "summer"), 23: (9, 11, "autumn"), 24: (12, 2, "winter")}
_FORMS = (
    "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-21..24 (a season) or YYYY-MM-DDThh:mm:ss with Z or ±hh:mm, "
    "with X for unspecified digits at the right (201X, 2024-XX), -YYYY before year 0, Y followed by more "
    "than four digits, a qualifier ~ ? or % at the end; or an interval A/B, ../B, A/.., /B or A/"
)


class Single(NamedTuple):
    """One date (no '/'): its canonical text, bounds, precision and instant."""

    text: str
    first: Day
    last: Day
    precision: Precision
    instant: datetime | None
    utc: datetime
    """The instant in UTC, or `NO_INSTANT` for a date."""


class Side(NamedTuple):
    """One side of an interval: a date, or None with `open` (``..``) or unknown (empty) said by `open`."""

    date: Single | None
    open: bool


def error(text: str, why: str) -> ValueError:
    """The ValueError for `text`: it quotes the input and says why."""
    return ValueError(f"{text!r} is not a valid EDTF date: {why}")


def level2(text: str, what: str) -> ValueError:
    """The ValueError for a level 2 feature."""
    return error(text, f"{what} is EDTF level 2, which is not supported (timeline accepts levels 0 and 1)")


def parse_interval(text: str) -> tuple[str, Side, Side]:
    """Parse ``A/B``; each side is a date, ``..`` (open) or empty (unknown). Returns the canonical text."""
    start, _, end = text.partition("/")
    if "/" in end:
        raise error(text, "an interval has exactly one '/'")
    a = _side(start, text)
    b = _side(end, text)
    if a.date is None and b.date is None:
        if a.open and b.open:
            raise error(text, "an interval needs at least one closed end ('../..' says nothing)")
        raise error(text, "an interval needs a date on at least one side of '/'")
    if a.date is not None and b.date is not None:
        first, last = a.date, b.date
        if first.first > last.last or (
            first.instant is not None and last.instant is not None and first.utc > last.utc
        ):
            raise error(text, f"the start {first.text} is after the end {last.text}")
    canon = f"{_side_text(a)}/{_side_text(b)}"
    return canon, a, b


def _side(part: str, whole: str) -> Side:
    if part == "..":
        return Side(None, open=True)
    if part == "":
        return Side(None, open=False)
    return Side(parse_single(part, whole), open=False)


def _side_text(side: Side) -> str:
    if side.date is not None:
        return side.date.text
    return ".." if side.open else ""


def parse_single(part: str, whole: str) -> Single:
    """Parse one date (no '/'); errors quote `whole`."""
    if part.startswith("Y"):
        return _long_year(part, whole)
    m = _SINGLE.fullmatch(part)
    if m is None:
        raise _diagnose(part, whole)
    neg, ys, ms, ds, hh, mi, ss, off, q = m.groups()
    if neg and ys == "0000":
        raise error(whole, "-0000 is not a year (write 0000, the year 1 BCE)")
    lo_year, hi_year = int(ys.replace("X", "0")), int(ys.replace("X", "9"))
    if neg:
        lo_year, hi_year = -hi_year, -lo_year
    if ms is None:
        return Single(part, Day(lo_year, 1, 1), Day(hi_year, 12, 31), Precision.YEAR, None, NO_INSTANT)
    if "X" in ys:
        raise level2(whole, "a month after unspecified year digits")
    year = lo_year
    if ms == "XX":
        if ds not in (None, "XX"):
            raise level2(whole, "a day after an unspecified month")
        return Single(part, Day(year, 1, 1), Day(year, 12, 31), Precision.YEAR, None, NO_INSTANT)
    month = int(ms)
    if month in SEASONS:
        return _season(part, whole, year, month, ds, q)
    if 25 <= month <= 41:
        raise level2(whole, f"the sub-year grouping {ms}")
    if not 1 <= month <= 12:
        raise error(whole, f"month {ms} does not exist")
    end = month_end(year, month)
    if ds is None or ds == "XX":
        if hh is not None:
            raise error(whole, "a date-time cannot have unspecified digits")
        return Single(part, Day(year, month, 1), Day(year, month, end), Precision.MONTH, None, NO_INSTANT)
    day = int(ds)
    if not 1 <= day <= end:
        raise error(whole, f"day {ds} does not exist in {MONTHS[month - 1]} {year}")
    first = Day(year, month, day)
    if hh is None:
        return Single(part, first, first, Precision.DAY, None, NO_INSTANT)
    if neg or year == 0:
        raise error(whole, "a date-time needs a year from 0001 to 9999")
    instant, utc = _time(whole, first, hh, mi, ss, off, q)
    canon = part[:-6] + "Z" if off == "+00:00" else part
    return Single(canon, first, first, Precision.TIME, instant, utc)


def _long_year(part: str, whole: str) -> Single:
    m = re.fullmatch(_LONG_YEAR, part)
    if m is None:
        if re.search(_LEVEL2[1][0], part):
            raise level2(whole, _LEVEL2[1][1])
        raise error(whole, "a Y year is Y followed by digits only (Y170000002, Y-170000002)")
    neg, digits, q = m.groups()
    if len(digits) <= 4:
        raise error(whole, "a Y year has more than four digits (write shorter years as YYYY)")
    if digits.startswith("0"):
        raise error(whole, "a Y year has no leading zeros")
    if q is not None:
        raise error(whole, f"a qualifier ({q}) on a Y year is not supported")
    year = -int(digits) if neg else int(digits)
    if abs(year) > MAX_YEAR:
        raise error(whole, f"years beyond ±{MAX_YEAR:,} are not supported")
    return Single(part, Day(year, 1, 1), Day(year, 12, 31), Precision.YEAR, None, NO_INSTANT)


def _season(part: str, whole: str, year: int, code: int, ds: str | None, q: str | None) -> Single:
    if ds is not None:
        raise error(whole, f"a season ({year}-{code}) has no day")
    if q is not None:
        raise level2(whole, "a qualified season")
    first_month, last_month, _ = SEASONS[code]
    last_year = year + 1 if last_month < first_month else year  # winter runs into the next year
    if abs(last_year) > MAX_YEAR:
        raise error(whole, f"years beyond ±{MAX_YEAR:,} are not supported")
    first = Day(year, first_month, 1)
    last = Day(last_year, last_month, month_end(last_year, last_month))
    return Single(part, first, last, Precision.SEASON, None, NO_INSTANT)


def _time(
    whole: str, day: Day, hh: str, mi: str, ss: str | None, off: str | None, q: str | None
) -> tuple[datetime, datetime]:
    """Check the time part of a date-time; return the aware datetime and the same instant in UTC."""
    if ss is None:
        raise error(whole, "a time needs seconds (hh:mm:ss)")
    if off is None:
        raise error(whole, "a date-time needs an offset (Z or ±hh:mm): without one it is ambiguous")
    if q is not None:
        raise error(whole, f"a qualifier ({q}) is not allowed on a date-time")
    hour, minute, second = int(hh), int(mi), int(ss)
    if hour > 23 or minute > 59 or second > 59:
        raise error(whole, f"time {hh}:{mi}:{ss} does not exist")
    if off in ("Z", "+00:00"):
        tz = UTC
    elif off == "-00:00":
        raise error(whole, "offset -00:00 is not allowed: write Z for UTC")
    elif re.fullmatch(_OFFSET, off):
        sign = -1 if off[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    else:
        raise error(whole, f"offset {off} is out of range (-14:00 to +14:00)")
    instant = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
    try:
        return instant, instant.astimezone(UTC)
    except OverflowError:
        raise error(whole, "it falls outside years 0001 to 9999 in UTC") from None


def _diagnose(part: str, whole: str) -> ValueError:
    """Say why `part` matched no accepted form."""
    if not part:
        return error(whole, "it is empty")
    if part != part.strip():
        return error(whole, "leading or trailing whitespace is not allowed")
    if part == "..":
        return error(whole, "'..' (an open end) is only allowed as one side of an interval")
    if re.fullmatch(_DIGITS, part):
        return error(whole, "the year needs 4 digits, the month and the day 2 (YYYY-MM-DD)")
    if part.isascii():
        for pattern, what in _LEVEL2:
            if re.search(pattern, part):
                return level2(whole, what)
    return error(whole, _FORMS)
