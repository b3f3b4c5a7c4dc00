"""Dates for test data: the EDTF text of single dates and every shape of `When`."""

from __future__ import annotations

from datetime import date

from hypothesis import assume
from hypothesis import strategies as st

from timeline.when import When

_QUALIFIERS = ("", "", "~", "?", "%")
_OFFSETS = ("Z", "+05:30", "-04:00", "+14:00", "-12:00", "+00:01")


@st.composite
def single_dates(
    draw: st.DrawFn, *, times: bool = True, first: date = date(1000, 1, 1), last: date = date(9998, 12, 31)
) -> str:
    """The EDTF text of one date between `first` and `last`: a year, month or day (maybe qualified), or a
    date-time with an offset (unless `times` is false)."""
    day = draw(st.dates(min_value=first, max_value=last))
    kind = draw(st.sampled_from(("year", "month", "day", "time") if times else ("year", "month", "day")))
    if kind == "time":
        clock = draw(st.times()).replace(microsecond=0)
        return f"{day.isoformat()}T{clock.isoformat()}{draw(st.sampled_from(_OFFSETS))}"
    forms = {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}", "day": day.isoformat()}
    return forms[kind] + draw(st.sampled_from(_QUALIFIERS))


@st.composite
def whens(draw: st.DrawFn, *, first: date = date(1000, 1, 1), last: date = date(9998, 12, 31)) -> When:
    """Any `When` the library accepts between `first` and `last`: single dates and date-times, closed
    intervals and open-ended ones."""
    dates = single_dates(first=first, last=last)
    shape = draw(st.sampled_from(("single", "single", "interval", "open-start", "open-end")))
    a = draw(dates)
    if shape == "single":
        return When.parse(a)
    if shape == "open-start":
        return When.parse(f"../{a}")
    if shape == "open-end":
        return When.parse(f"{a}/..")
    b = draw(dates)
    for text in (f"{a}/{b}", f"{b}/{a}"):
        try:
            return When.parse(text)
        except ValueError:
            continue
    assume(False)
    raise AssertionError("unreachable")
