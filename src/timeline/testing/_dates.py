"""Dates for test data: EDTF text and `When` values over the whole range the library accepts (issue 9).

Every form of EDTF level 1 (seasons, unspecified digits, year 0 and negative years, ``Y`` years up to
`timeline.when.MAX_YEAR`, unknown and open ends, date-times with offsets), and the edges on purpose:
9999-12-31, ``9999``, ``9999-12``, ``0001-01-01``, ``Y999999999``. So an exporter's property test meets every
date a store accepts (the generators used to stop at 9998-12-31, which hid an OverflowError). Give `first`
and `last` to keep to plain dates (years, months, days, date-times) between two days instead.
"""

from __future__ import annotations

from datetime import date

from hypothesis import assume
from hypothesis import strategies as st

from timeline._days import month_end
from timeline.when import MAX_YEAR, When

_QUALIFIERS = ("", "~", "?", "%")
_OFFSETS = ("Z", "+05:30", "-04:00", "+14:00", "-12:00", "+00:01", "-08:00")
_EDGES = (
    "9999-12-31",
    "9999-12",
    "9999",
    "9999-24",
    "9999-12-31T23:59:59Z",
    "9999-12-31T09:59:59-14:00",
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "0001-01-01T14:00:00+14:00",
    "0000",
    "0000-02-29",
    "-9999-01-01",
    f"Y{MAX_YEAR}",
    f"Y-{MAX_YEAR}",
    "Y10000",
    "20XX",
    "1XXX",
)


def _year(value: int) -> str:
    return f"-{-value:04d}" if value < 0 else f"{value:04d}"


@st.composite
def _plain_dates(draw: st.DrawFn, *, times: bool, first: date, last: date) -> str:
    day = draw(st.dates(min_value=first, max_value=last))
    kind = draw(st.sampled_from(("year", "month", "day", "time") if times else ("year", "month", "day")))
    if kind == "time":
        clock = draw(st.times()).replace(microsecond=0)
        return f"{day.isoformat()}T{clock.isoformat()}{draw(st.sampled_from(_OFFSETS))}"
    forms = {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}", "day": day.isoformat()}
    return forms[kind] + draw(st.sampled_from(_QUALIFIERS))


def single_dates(
    *, times: bool = True, first: date | None = None, last: date | None = None
) -> st.SearchStrategy[str]:
    """The EDTF text of one date: any accepted form over the whole range, or with `first` / `last` a plain
    year, month, day (maybe qualified) or date-time between those days; a date-time only with `times`."""
    if first is None and last is None:
        return _any_dates(times=times)
    return _plain_dates(times=times, first=first or date(1, 1, 2), last=last or date(9999, 12, 30))


@st.composite
def _any_dates(draw: st.DrawFn, *, times: bool = True) -> str:
    kinds = ["year", "month", "day", "season", "unspecified", "long", "edge"]
    if times:
        kinds.append("time")
    kind = draw(st.sampled_from(kinds))
    q = draw(st.sampled_from(_QUALIFIERS))
    year = draw(st.integers(-9999, 9999))
    if kind == "edge":
        edge = draw(st.sampled_from(_EDGES))
        return "9999-12-31" if "T" in edge and not times else edge
    if kind == "year":
        return _year(year) + q
    month = draw(st.integers(1, 12))
    if kind == "month":
        return f"{_year(year)}-{month:02d}{q}"
    if kind == "day":
        day = draw(st.integers(1, month_end(year, month)))
        return f"{_year(year)}-{month:02d}-{day:02d}{q}"
    if kind == "season":
        return f"{_year(year)}-{draw(st.sampled_from((21, 22, 23, 24)))}"
    if kind == "unspecified":
        digits = f"{abs(year):04d}"
        form = draw(st.sampled_from(("X", "XX", "XXX", "-XX", "-XX-XX", "-MM-XX")))
        if form.startswith("X"):
            return f"{'-' if year < 0 else ''}{digits[: -len(form)]}{form}{q}"
        if form == "-MM-XX":
            return f"{digits}-{month:02d}-XX{q}"
        return f"{digits}{form}{q}"
    if kind == "long":
        return f"Y{draw(st.integers(10_000, MAX_YEAR)) * draw(st.sampled_from((1, -1)))}"
    at = draw(st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 30)))
    clock = draw(st.times()).replace(microsecond=0)
    return f"{at.isoformat()}T{clock.isoformat()}{draw(st.sampled_from(_OFFSETS))}"


@st.composite
def whens(draw: st.DrawFn, *, first: date | None = None, last: date | None = None) -> When:
    """Any `When` the library accepts: single dates, closed intervals, open and unknown ends, over the whole
    range (or between `first` and `last`, see `single_dates`)."""
    dates = single_dates(first=first, last=last)
    shape = draw(st.sampled_from(("single", "single", "interval", "open-start", "open-end", "unknown")))
    a = draw(dates)
    if shape == "single":
        return When.parse(a)
    if shape == "open-start":
        return When.parse(f"../{a}")
    if shape == "open-end":
        return When.parse(f"{a}/..")
    if shape == "unknown":
        return When.parse(draw(st.sampled_from((f"/{a}", f"{a}/"))))
    b = draw(dates)
    for text in (f"{a}/{b}", f"{b}/{a}"):
        try:
            return When.parse(text)
        except ValueError:
            continue
    assume(False)
    raise AssertionError("unreachable")
