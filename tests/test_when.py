"""Tests of `timeline.when` by example: bounds, flags, errors, equality and order. The properties, checked
against the `edtf` package, are in test_when_properties.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from timeline.when import Day, Precision, When

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
    # Outside years 1..9999 `earliest` and `latest` are None; `first` and `last` say it (test_far_years).
    ("0000", None, None, Y, "1 BCE"),
    ("-0044-03-15", None, None, DAY, "15 March 45 BCE"),
    ("Y170000002", None, None, Y, "170,000,002"),
    ("Y-170000002", None, None, Y, "170,000,003 BCE"),
    ("9999-12-31", D(9999, 12, 31), D(9999, 12, 31), DAY, "31 December 9999"),
    ("2025-01~", D(2025, 1, 1), D(2025, 1, 31), M, "about January 2025"),
    ("2025-03?", D(2025, 3, 1), D(2025, 3, 31), M, "possibly March 2025"),
    ("2025-03%", D(2025, 3, 1), D(2025, 3, 31), M, "possibly about March 2025"),
    ("2025?", D(2025, 1, 1), D(2025, 12, 31), Y, "possibly 2025"),
    ("2025-04-14%", D(2025, 4, 14), D(2025, 4, 14), DAY, "possibly about 14 April 2025"),
    # A date-time is said in its own offset, on the day its people lived it (issue 10).
    ("2025-04-14T15:30:00-04:00", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 15:30 UTC\u221204:00"),
    ("2024-01-05T17:12:00-08:00", D(2024, 1, 5), D(2024, 1, 5), T, "5 January 2024, 17:12 UTC\u221208:00"),
    # The bounds are the local date as written, even when the UTC date is another day (as edtf does).
    ("2025-04-14T23:30:00-04:00", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 23:30 UTC\u221204:00"),
    ("2025-04-14T15:30:00Z", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 15:30 UTC"),
    ("2025-04-14T15:30:05+05:30", D(2025, 4, 14), D(2025, 4, 14), T, "14 April 2025, 15:30:05 UTC+05:30"),
    # An open end includes its known side: "by", "from ... on" (issue 10), never "before" / "after".
    ("../2025-04-14", None, D(2025, 4, 14), DAY, "by 14 April 2025"),
    ("2025-04-14/..", D(2025, 4, 14), None, DAY, "from 14 April 2025 on"),
    ("../2025~", None, D(2025, 12, 31), Y, "by about 2025"),
    ("../2024-05", None, D(2024, 5, 31), M, "by May 2024"),
    # EDTF level 1: unknown ends, seasons, unspecified digits.
    ("/2024-06", None, D(2024, 6, 30), M, "until June 2024 (start unknown)"),
    ("2024-01/", D(2024, 1, 1), None, M, "from January 2024 (end unknown)"),
    ("2024-21", D(2024, 3, 1), D(2024, 5, 31), Precision.SEASON, "spring 2024"),
    ("2024-22", D(2024, 6, 1), D(2024, 8, 31), Precision.SEASON, "summer 2024"),
    ("2024-23", D(2024, 9, 1), D(2024, 11, 30), Precision.SEASON, "autumn 2024"),
    ("2024-24", D(2024, 12, 1), D(2025, 2, 28), Precision.SEASON, "winter 2024"),
    ("2023-24", D(2023, 12, 1), D(2024, 2, 29), Precision.SEASON, "winter 2023"),
    ("201X", D(2010, 1, 1), D(2019, 12, 31), Y, "the 2010s"),
    ("20XX", D(2000, 1, 1), D(2099, 12, 31), Y, "the years 2000 to 2099"),
    ("2024-XX", D(2024, 1, 1), D(2024, 12, 31), Y, "2024 (month unspecified)"),
    ("2024-01-XX", D(2024, 1, 1), D(2024, 1, 31), M, "January 2024 (day unspecified)"),
    ("2024-XX-XX?", D(2024, 1, 1), D(2024, 12, 31), Y, "possibly 2024 (month and day unspecified)"),
    ("201X~", D(2010, 1, 1), D(2019, 12, 31), Y, "about the 2010s"),
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
    if earliest is not None:
        assert w.first == Day.of(earliest)
    if latest is not None:
        assert w.last == Day.of(latest)


FAR = [
    ("0000", Day(0, 1, 1), Day(0, 12, 31), "0000-01-01"),
    ("-0044-03-15", Day(-44, 3, 15), Day(-44, 3, 15), "-0044-03-15"),
    ("-0004-02", Day(-4, 2, 1), Day(-4, 2, 29), "-0004-02-01"),  # astronomical -4 (5 BCE) is a leap year
    ("-201X", Day(-2019, 1, 1), Day(-2010, 12, 31), "-2019-01-01"),
    ("Y170000002", Day(170000002, 1, 1), Day(170000002, 12, 31), "+170000002-01-01"),
    ("Y-170000002/..", Day(-170000002, 1, 1), None, "-170000002-01-01"),
    ("9999-24", Day(9999, 12, 1), Day(10000, 2, 29), "9999-12-01"),
]


@pytest.mark.parametrize(("text", "first", "last", "iso"), FAR)
def test_far_years_have_day_bounds(text: str, first: Day, last: Day | None, iso: str) -> None:
    w = When.parse(text)
    assert (w.first, w.last) == (first, last)
    assert first.isoformat() == iso
    assert not w.in_python_range()
    assert w.earliest is None or 1 <= first.year <= 9999
    assert str(When.parse(str(w))) == text


def test_local_day_is_the_anchor() -> None:
    """An evening in Portland is filed under its own day and ordered with that day's dates (issue 10)."""
    evening = When.parse("2024-01-05T17:12:00-08:00")  # 6 January, 01:12 in UTC
    assert evening.anchor == Day(2024, 1, 5)
    day, next_day = When.parse("2024-01-05"), When.parse("2024-01-06")
    assert When.parse("2024-01-04") < evening < day < next_day


def test_open_ends_are_placed_at_their_known_side() -> None:
    """One placement rule: ``../2024-05`` sits with ``2024-05`` (before it), not after 14 May (issue 10)."""
    by_may, may, from_may = When.parse("../2024-05"), When.parse("2024-05"), When.parse("2024-05/..")
    assert by_may.placed == may
    assert by_may.anchor == may.anchor == Day(2024, 5, 1)
    assert When.parse("2024-05-01") < by_may < may < from_may < When.parse("2024-05-14")
    assert When.parse("/2024-05").placed == may
    assert When.parse("2024-05/").anchor == Day(2024, 5, 1)


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
    ("-0000", "-0000 is not a year"),
    ("-2025-04-14T10:00:00Z", "a date-time needs a year from 0001 to 9999"),
    ("0000-01-01T10:00:00Z", "a date-time needs a year from 0001 to 9999"),
    ("Y2024", "more than four digits"),
    ("Y012345", "no leading zeros"),
    ("Y1000000000", "years beyond ±999,999,999 are not supported"),
    ("Y-1000000000", "years beyond ±999,999,999 are not supported"),
    ("Y12345~", "qualifier (~) on a Y year"),
    ("2024-01-XXT10:00:00Z", "cannot have unspecified digits"),
    ("2024-21-01", "has no day"),
    ("2024-13", "month 13 does not exist"),
    ("2024-20", "month 20 does not exist"),
    ("2024-42", "month 42 does not exist"),
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
    ("/", "at least one side"),
    ("../", "at least one side"),
    ("/..", "at least one side"),
    ("2025/2026/2027", "exactly one '/'"),
    ("2025~~", "level 2"),
    ("~2025", "level 2"),
    ("2025-04-14t15:30:00Z", "expected YYYY"),
    ("\uff12\uff10\uff12\uff15", "expected YYYY"),  # fullwidth digits are not ASCII digits
]


# EDTF level 2, refused with a message saying so.
LEVEL_2 = [
    "Y17E7",
    "1950S2",
    "2024-25",
    "2024-41",
    "156X-12-25",
    "201X-XX",
    "2024-XX-15",
    "XXXX",
    "2004-06~-11",
    "2004?-06",
    "?2004",
    "[2024,2025]",
    "{2024,2025}",
    "2024-21~",
]


@pytest.mark.parametrize("text", LEVEL_2)
def test_level_2_is_refused_as_such(text: str) -> None:
    with pytest.raises(ValueError, match="EDTF level 2, which is not supported"):
        When.parse(text)


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
        "../2025-03",
        "2025-03",
        "2025-21",
        "2025-03-02",
    ]
    values = [When.parse(s) for s in reversed(expected)]
    assert [str(w) for w in sorted(values)] == expected
    w = When.parse("2025-03-01T09:00:00-05:00")
    assert w.sort_key == (Day(2025, 3, 1), -T, datetime(2025, 3, 1, 14, tzinfo=UTC), w.text)
    assert When.parse("../2025-03").sort_key[0] == Day(2025, 3, 1)
    assert When.parse("-0044") < When.parse("0000") < When.parse("0001") < When.parse("Y12345")
