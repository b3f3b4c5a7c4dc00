"""Tests of `timeline.when`: examples, errors, and properties checked against the `edtf` package."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import edtf  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from timeline.when import Precision, When

D = date
Y, M, DAY, T = Precision.YEAR, Precision.MONTH, Precision.DAY, Precision.TIME

# text, earliest, latest, precision, human
EXAMPLES: list[tuple[str, date | None, date | None, Precision, str]] = [
    ("2025-04-14", D(2025, 4, 14), D(2025, 4, 14), DAY, "14 April 2025"),
    ("2025-03", D(2025, 3, 1), D(2025, 3, 31), M, "March 2025"),
    ("2025", D(2025, 1, 1), D(2025, 12, 31), Y, "2025"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), M, "February 2024"),
    ("2025-02", D(2025, 2, 1), D(2025, 2, 28), M, "February 2025"),
    ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), DAY, "29 February 2024"),
    ("2000-02-29", D(2000, 2, 29), D(2000, 2, 29), DAY, "29 February 2000"),
    ("0001", D(1, 1, 1), D(1, 12, 31), Y, "1"),
    ("9999-12-31", D(9999, 12, 31), D(9999, 12, 31), DAY, "31 December 9999"),
    ("2025-01~", D(2025, 1, 1), D(2025, 1, 31), M, "about January 2025"),
    ("2025-03?", D(2025, 3, 1), D(2025, 3, 31), M, "possibly March 2025"),
    ("2025-03%", D(2025, 3, 1), D(2025, 3, 31), M, "possibly about March 2025"),
    ("2025?", D(2025, 1, 1), D(2025, 12, 31), Y, "possibly 2025"),
    ("2025-04-14%", D(2025, 4, 14), D(2025, 4, 14), DAY, "possibly about 14 April 2025"),
    ("2025-04-14T15:30:00-04:00", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 19:30 UTC"),
    # The bounds are the local date as written, even when the UTC date is another day (as edtf does).
    ("2025-04-14T23:30:00-04:00", D(2025, 4, 14), D(2025, 4, 14), T, "15 April 2025, 03:30 UTC"),
    ("2025-04-14T15:30:00Z", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 15:30 UTC"),
    ("2025-04-14T15:30:05+05:30", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 10:00:05 UTC"),
    ("../2025-04-14", None, D(2025, 4, 14), DAY, "before 14 April 2025"),
    ("2025-04-14/..", D(2025, 4, 14), None, DAY, "after 14 April 2025"),
    ("../2025~", None, D(2025, 12, 31), Y, "before about 2025"),
    (
        "2025-01-20/2025-02~",
        D(2025, 1, 20),
        D(2025, 2, 28),
        DAY,
        "between 20 January 2025 and about February 2025",
    ),
    ("2025-03-01/2025-03", D(2025, 3, 1), D(2025, 3, 31), DAY, "between 1 March 2025 and March 2025"),
    ("2024?/2025-06", D(2024, 1, 1), D(2025, 6, 30), Y, "between possibly 2024 and June 2025"),
    (
        "2025-04-14T09:00:00Z/2025-04-14T17:00:00Z",
        D(2025, 4, 14),
        D(2025, 4, 14),
        T,
        "between 14 April 2025, 09:00 UTC and 14 April 2025, 17:00 UTC",
    ),
]


@pytest.mark.parametrize(("text", "earliest", "latest", "precision", "human"), EXAMPLES)
def test_examples(
    text: str, earliest: date | None, latest: date | None, precision: Precision, human: str
) -> None:
    w = When.parse(text)
    assert str(w) == text
    assert (w.earliest, w.latest, w.precision) == (earliest, latest, precision)
    assert w.human() == human
    assert When.parse(str(w)) == w


# text, approximate, uncertain, is_interval
FLAGS = [
    ("2025-03", False, False, False),
    ("2025-03~", True, False, False),
    ("2025-03?", False, True, False),
    ("2025-03%", True, True, False),
    ("2025-04-14T15:30:00Z", False, False, False),
    ("2025~/2026?", True, True, True),
    ("2025/2026~", True, False, True),
    ("../2025?", False, True, True),
    ("2025%/..", True, True, True),
    ("2025/2026", False, False, True),
]


@pytest.mark.parametrize(("text", "approximate", "uncertain", "is_interval"), FLAGS)
def test_flags(text: str, approximate: bool, uncertain: bool, is_interval: bool) -> None:
    w = When.parse(text)
    assert (w.approximate, w.uncertain, w.is_interval) == (approximate, uncertain, is_interval)


ERRORS = [
    ("2025-13", "month 13 does not exist"),
    ("2025-00", "month 00 does not exist"),
    ("2025-02-30", "day 30 does not exist in February 2025"),
    ("2025-02-29", "day 29 does not exist in February 2025"),
    ("1900-02-29", "day 29 does not exist in February 1900"),
    ("2025-04-00", "day 00 does not exist"),
    ("2025-04-14/2025-01-01", "the start 2025-04-14 is after the end 2025-01-01"),
    ("2025-05/2025-04", "the start 2025-05 is after the end 2025-04"),
    ("2025-04-14T15:00:00Z/2025-04-14T14:00:00Z", "is after the end"),
    ("March", "expected YYYY"),
    ("", "it is empty"),
    ("2025-3", "4 digits"),
    ("2025-03-1", "4 digits"),
    ("25", "4 digits"),
    ("20250", "4 digits"),
    ("0000", "year 0000"),
    ("-2025", "expected YYYY"),
    ("2025-04-14T15:30", "seconds"),
    ("2025-04-14T15:30:00", "needs an offset"),
    ("2025-04-14T15:30:00.5Z", "expected YYYY"),
    ("2025-04-14T15:30:00Z~", "qualifier (~) is not allowed on a date-time"),
    ("2025-04-14T24:00:00Z", "time 24:00:00 does not exist"),
    ("2025-04-14T15:30:60Z", "time 15:30:60 does not exist"),
    ("2025-04-14T15:30:00-00:00", "-00:00"),
    ("2025-04-14T15:30:00+14:30", "out of range"),
    ("2025-04-14T15:30:00+0530", "expected YYYY"),
    ("0001-01-01T00:00:00+05:00", "outside years 0001 to 9999 in UTC"),
    ("9999-12-31T23:00:00-05:00", "outside years 0001 to 9999 in UTC"),
    ("2025-04-14 ", "whitespace"),
    (" 2025", "whitespace"),
    ("2025\n", "whitespace"),
    ("../..", "at least one closed end"),
    ("..", "only allowed as one side of an interval"),
    ("2025/", "each side"),
    ("/2025", "each side"),
    ("2025/2026/2027", "exactly one '/'"),
    ("2025~~", "expected YYYY"),
    ("~2025", "expected YYYY"),
    ("2025-04-14t15:30:00Z", "expected YYYY"),
    ("\uff12\uff10\uff12\uff15", "expected YYYY"),  # fullwidth digits are not ASCII digits
]


@pytest.mark.parametrize(("text", "reason"), ERRORS)
def test_errors_quote_the_input_and_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="is not a valid EDTF date") as info:
        When.parse(text)
    message = str(info.value)
    assert message.startswith(repr(text))
    assert reason in message


def test_non_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a string"):
        When.parse(2025)  # type: ignore[arg-type]


def test_plus_zero_offset_is_written_z() -> None:
    w = When.parse("2025-04-14T15:30:00+00:00")
    assert str(w) == "2025-04-14T15:30:00Z"
    assert w == When.parse("2025-04-14T15:30:00Z")


def test_instant() -> None:
    w = When.parse("2025-04-14T15:30:00-04:00")
    assert w.instant == datetime(2025, 4, 14, 15, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert w.instant is not None
    assert w.instant.utcoffset() == timedelta(hours=-4)
    assert When.parse("2025-04-14T15:30:00Z").instant == datetime(2025, 4, 14, 15, 30, tzinfo=UTC)
    assert When.parse("2025-04-14").instant is None
    assert When.parse("2025-04-14T15:30:00Z/..").instant is None


def test_equality_hash_repr() -> None:
    a, b = When.parse("2025-03"), When.parse("2025-03~")
    assert a == When.parse("2025-03")
    assert a != b
    assert hash(a) == hash(When.parse("2025-03"))
    assert len({a, b, When.parse("2025-03")}) == 2
    assert repr(a) == "When.parse('2025-03')"
    text: object = "2025-03"
    assert a != text
    with pytest.raises(TypeError):
        _ = a < "2025-04"  # type: ignore[operator]


def test_sort_order_examples() -> None:
    expected = [
        "2025",
        "2025-02-28",
        "2025-03-01T10:00:00Z",
        "2025-03-01T09:00:00-05:00",  # 14:00 UTC
        "../2025-03-01",
        "2025-03-01",
        "2025-03-01/..",
        "2025-03",
        "2025-03-02",
    ]
    values = [When.parse(s) for s in reversed(expected)]
    assert [str(w) for w in sorted(values)] == expected
    w = When.parse("2025-03-01T09:00:00-05:00")
    assert w.sort_key == (date(2025, 3, 1), -4, datetime(2025, 3, 1, 14, tzinfo=UTC), w.text)
    assert When.parse("../2025-03").sort_key[0] == date(2025, 3, 31)


# ------------------------------------------------------------- generated values, with their expected bounds


@dataclass(frozen=True)
class Gen:
    """A generated EDTF text and what it must parse to, computed here without `timeline.when`."""

    text: str
    earliest: date | None
    latest: date | None
    utc: datetime | None = None  # the instant of a single date-time, in UTC
    has_time: bool = False


def _month_end(year: int, month: int) -> date:
    """The last day of a month without calendar.monthrange: the day before the next month's first."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


QUALIFIERS = st.sampled_from(["", "", "~", "?", "%"])
LEAP_DAYS = st.integers(1, 9999).filter(lambda y: y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))
DAYS = st.one_of(st.dates(min_value=date(1, 1, 1)), LEAP_DAYS.map(lambda y: date(y, 2, 29)))


@st.composite
def offsets(draw: st.DrawFn) -> tuple[str, timedelta]:
    if draw(st.booleans()):
        return "Z", timedelta(0)
    sign = draw(st.sampled_from([-1, 1]))
    hours, minutes = draw(st.sampled_from([(14, 0)]) | st.tuples(st.integers(0, 13), st.integers(0, 59)))
    if hours == minutes == 0:
        return "Z", timedelta(0)
    text = f"{'-' if sign < 0 else '+'}{hours:02d}:{minutes:02d}"
    return text, sign * timedelta(hours=hours, minutes=minutes)


@st.composite
def singles(draw: st.DrawFn) -> Gen:
    kind = draw(st.sampled_from(["year", "month", "day", "time"]))
    if kind == "year":
        y = draw(st.integers(1, 9999))
        return Gen(f"{y:04d}{draw(QUALIFIERS)}", date(y, 1, 1), date(y, 12, 31))
    if kind == "month":
        y, m = draw(st.integers(1, 9999)), draw(st.integers(1, 12))
        return Gen(f"{y:04d}-{m:02d}{draw(QUALIFIERS)}", date(y, m, 1), _month_end(y, m))
    if kind == "day":
        d = draw(DAYS)
        return Gen(f"{d.year:04d}-{d.month:02d}-{d.day:02d}{draw(QUALIFIERS)}", d, d)
    d = draw(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)))  # stays in range in UTC
    t = draw(st.times()).replace(microsecond=0)
    off, delta = draw(offsets())
    text = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{t:%H:%M:%S}{off}"
    return Gen(text, d, d, datetime.combine(d, t, tzinfo=UTC) - delta, has_time=True)


def _ordered(a: Gen, b: Gen) -> bool:
    assert a.earliest is not None
    assert b.latest is not None
    if a.earliest > b.latest:
        return False
    return a.utc is None or b.utc is None or a.utc <= b.utc


@st.composite
def intervals(draw: st.DrawFn) -> Gen:
    shape = draw(st.sampled_from(["closed", "closed", "open start", "open end"]))
    a = draw(singles())
    if shape == "open start":
        return Gen(f"../{a.text}", None, a.latest, has_time=a.has_time)
    if shape == "open end":
        return Gen(f"{a.text}/..", a.earliest, None, has_time=a.has_time)
    b = draw(singles())
    if not _ordered(a, b):
        a, b = b, a
    # Rarely two date-times are ordered neither way (local dates one way, instants the other).
    if not _ordered(a, b):
        a = b
    return Gen(f"{a.text}/{b.text}", a.earliest, b.latest, has_time=a.has_time or b.has_time)


VALUES = st.one_of(singles(), intervals())


def _edtf_day(bound: object) -> date | float:
    """edtf's strict bound as a date; an open side is the float -inf or inf (checked in edtf 5.0.2)."""
    if isinstance(bound, float):
        return bound
    assert isinstance(bound, time.struct_time)
    return date(bound.tm_year, bound.tm_mon, bound.tm_mday)


@given(VALUES)
@example(Gen("2024-02-29~", date(2024, 2, 29), date(2024, 2, 29)))
@example(Gen("../2025-04-14", None, date(2025, 4, 14)))
@example(Gen("2025-04-14/..", date(2025, 4, 14), None))
def test_round_trip_and_expected_bounds(g: Gen) -> None:
    w = When.parse(g.text)
    assert str(w) == g.text
    assert When.parse(str(w)) == w
    assert (w.earliest, w.latest) == (g.earliest, g.latest)
    assert w.is_interval == ("/" in g.text)
    if g.utc is not None:
        assert w.instant is not None
        assert w.instant == g.utc
        assert w.precision is Precision.TIME


@given(VALUES)
def test_edtf_oracle(g: Gen) -> None:
    # edtf 5.0.2 rejects a date-time inside an interval ("2025-04-14T15:30:00Z/2025-05"), which we accept:
    # those are left out here and covered by the expected bounds of test_round_trip_and_expected_bounds.
    # edtf also rejects the offset "+00:00", which we accept and write "Z" (never generated here).
    if g.has_time and "/" in g.text:
        return
    e = edtf.parse_edtf(g.text)
    assert str(e) == g.text
    w = When.parse(g.text)
    lo, hi = _edtf_day(e.lower_strict()), _edtf_day(e.upper_strict())
    # For an open start edtf gives lower_strict() == -inf, for an open end upper_strict() == inf.
    assert lo == (-math.inf if w.earliest is None else w.earliest)
    assert hi == (math.inf if w.latest is None else w.latest)


@given(st.lists(VALUES, min_size=2, max_size=8), st.data())
def test_sort_is_a_total_order_by_sort_key(gens: list[Gen], data: st.DataObject) -> None:
    values = [When.parse(g.text) for g in gens]
    values.append(When.parse(data.draw(st.sampled_from(gens)).text))  # at least one tie by equality
    for w in values:
        anchor = w.earliest if w.earliest is not None else w.latest
        assert w.sort_key[:2] == (anchor, -w.precision)
        assert w.sort_key[3] == w.text
    for a in values:
        for b in values:
            assert [a < b, a == b, a > b].count(True) == 1
            assert (a < b) == (a.sort_key < b.sort_key)
            assert (a <= b) == (a.sort_key <= b.sort_key)
            assert (a >= b) == (a.sort_key >= b.sort_key)
            assert (a == b) == (a.text == b.text) == (a.sort_key == b.sort_key)
    ordered = sorted(values)
    assert all(x <= y for x, y in itertools.pairwise(ordered))
    assert ordered == sorted(values, key=lambda w: w.sort_key)


@given(VALUES)
def test_human_never_fails(g: Gen) -> None:
    w = When.parse(g.text)
    said = w.human()
    assert said
    assert said == said.strip()
    assert ("about" in said) == w.approximate
    assert ("possibly" in said) == w.uncertain


NEAR_EDTF = st.text(alphabet="0123456789-T:Z+/.~?% ", max_size=30)


@given(st.one_of(st.text(), NEAR_EDTF))
@example("2025-03")
@example("2025-02-29/..")
def test_garbage_parses_or_raises_value_error(text: str) -> None:
    try:
        w = When.parse(text)
    except ValueError as error:
        message = str(error)
    else:
        assert When.parse(str(w)) == w
        assert str(When.parse(str(w))) == str(w)
        assert w.human()
        return
    assert message.startswith(repr(text))
