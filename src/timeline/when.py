"""The `when` of an event: an EDTF value with a first day, a last day and a precision (EDTF: ISO 8601-2).

Accepted: EDTF levels 0 and 1 (level 2 is refused with a message saying so).

* a year ``2025``, a month ``2025-03``, a day ``2025-04-14``, a season ``2024-21`` … ``2024-24`` (spring,
  summer, autumn, winter; northern and meteorological: spring is March to May, winter 2024 is December 2024
  to February 2025);
* unspecified digits at the right: ``201X``, ``20XX``, ``2024-XX``, ``2024-01-XX``, ``2024-XX-XX``;
* year 0 and negative years, astronomical as ISO 8601 counts them (``0000`` is 1 BCE, ``-0044-03-15`` is
  15 March 45 BCE), and years of more than four digits written ``Y170000002`` / ``Y-170000002``; every year
  from -999,999,999 to 999,999,999 (`MAX_YEAR`), the range accepted once for every format;
* a date-time with an offset ``2025-04-14T15:30:00-04:00`` or ``...Z`` (years 0001 to 9999 in UTC; seconds
  required, no fractions; offsets -14:00 to +14:00; ``+00:00`` is accepted and written ``Z``);
* a qualifier at the end of a date (not a date-time, not a season): ``~`` approximate, ``?`` uncertain,
  ``%`` both;
* intervals ``A/B``, open ends ``../B`` and ``A/..``, unknown ends ``/B`` and ``A/``.

Bounds are EDTF's *strict* bounds, those of the `edtf` package (the tests' oracle) with two deliberate
differences: winter runs to the end of February (edtf cuts it at 31 December), and an unknown end is
unbounded like an open one (edtf guesses ten years). Qualifiers do not widen bounds; a date-time's day is its
calendar date as written, in its own offset.

Bounds as `Day` triples (`first`, `last`) exist for every year; `earliest` and `latest` give them as
`datetime.date` for the common case and are None outside years 1 to 9999 (and for an open end).

**Placement, one rule for every format.** A value is placed (ordered, filed under a day, month and year,
drawn in a calendar) where its `anchor` is: a date at its first day, a date-time at its local date (the day
its people lived it, not the UTC date), a closed interval at its start, and an interval with an open or
unknown end at its known side, exactly where that date alone would be. So ``../2024-05`` ("by May 2024",
May included in its bounds) sits with ``2024-05``: just before it, after the days of 1 May, under
May 2024; ``2024-05/..`` ("from May 2024 on") just after it. On one day a finer precision comes first (a
date-time, then the day, then a month starting that day...), date-times among themselves by their instant.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

import attrs

from timeline._days import MONTHS, Day, Precision
from timeline._edtf import MAX_YEAR, Single, parse_interval, parse_single
from timeline._when_words import words

__all__ = ["MAX_YEAR", "MONTHS", "Day", "Precision", "When", "surely_in_python_range"]


@attrs.frozen(kw_only=True, repr=False)
class When:
    """A parsed EDTF value; build it with `When.parse`. Equal (and hashed) by its canonical text.

    Ordered by `sort_key`, a total order consistent with equality (the placement rule of the module).
    """

    text: str
    """The canonical EDTF text (what `str()` returns)."""
    first: Day | None = attrs.field(eq=False)
    """The first day it could be, in any year; None for an open or unknown start (``../B``, ``/B``)."""
    last: Day | None = attrs.field(eq=False)
    """The last day it could be, inclusive, in any year; None for an open or unknown end."""
    precision: Precision = attrs.field(eq=False)
    """The precision of the start (of the end, if the start is open or unknown)."""
    instant: datetime | None = attrs.field(eq=False)
    """For a single date-time: the aware datetime in its own offset; otherwise None."""
    sort_key: tuple[Day, int, datetime, str] = attrs.field(eq=False)
    """``(anchor, -precision, instant, text)``: the total order of `When` values.

    ``anchor`` is the day it is placed on (see the module); on the same day a finer precision comes first;
    then the UTC instant of the anchoring date-time (`datetime.min` in UTC for dates: before any time of that
    day); the text breaks the remaining ties, so distinct values never tie (``../B`` < ``B`` < ``B/..``).
    """

    # Derived rather than stored: each stored field costs parse time.
    @property
    def earliest(self) -> date | None:
        """`first` as a date; None for an open or unknown start, or a first day outside years 1 to 9999."""
        return None if self.first is None else self.first.to_date()

    @property
    def latest(self) -> date | None:
        """`last` as a date; None for an open or unknown end, or a last day outside years 1 to 9999."""
        return None if self.last is None else self.last.to_date()

    @property
    def anchor(self) -> Day:
        """The local day it is placed on: filed under, ordered by (see the module's placement rule)."""
        return self.sort_key[0]

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
        """True for ``A/B``, ``../B``, ``A/..``, ``/B`` and ``A/``."""
        return "/" in self.text

    @property
    def sides(self) -> tuple[When | None, When | None]:
        """(start, end): the value itself twice for a single date; None for an open or unknown end."""
        if "/" not in self.text:
            return self, self
        start, _, end = self.text.partition("/")
        return (_side(start), _side(end))

    @property
    def placed(self) -> When:
        """What it is placed as: itself, or for an open or unknown end its known side."""
        start, end = self.sides
        if start is not None and end is not None:
            return self
        known = start if start is not None else end
        assert known is not None  # an interval has at least one known end
        return known

    def in_python_range(self) -> bool:
        """True if every bound it has falls in years 1 to 9999 (what `datetime.date` and iCalendar span)."""
        return all(1 <= day.year <= 9999 for day in (self.first, self.last) if day is not None)

    @staticmethod
    def parse(text: str) -> When:
        """Parse EDTF text; raise ValueError quoting `text` and saying what is wrong. Cached."""
        if not isinstance(text, str):
            raise TypeError(f"{text!r} is not a string: an EDTF date is text such as '2025-03'")
        return _parse(text)

    def human(self) -> str:
        """The value as people say it, in English: '14 April 2025', 'about March 2025', 'by May 2024'..."""
        said = _said.get(self.text)
        if said is None:
            # Worded from this value, not from its text parsed again (a value past the parse cache's reach
            # would be parsed twice: most of the cost of a date an export sees once).
            if len(_said) >= _SAID_MOST:
                _said.clear()
            said = _said[self.text] = words(self)
        return said

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


def _side(text: str) -> When | None:
    return None if text in ("", "..") else _parse(text)


def _from_single(single: Single) -> When:
    return When(
        text=single.text,
        first=single.first,
        last=single.last,
        precision=single.precision,
        instant=single.instant,
        sort_key=(single.first, -single.precision, single.utc, single.text),
    )


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> When:
    if "/" not in text:
        return _from_single(parse_single(text, text))
    canon, a, b = parse_interval(text)
    placed = a.date if a.date is not None else b.date  # the start, or the only known side
    assert placed is not None  # parse_interval refuses an interval without a date
    return When(
        text=canon,
        first=None if a.date is None else a.date.first,
        last=None if b.date is None else b.date.last,
        precision=placed.precision,
        instant=None,
        sort_key=(placed.first, -placed.precision, placed.utc, canon),
    )


#: EDTF text -> its words, for the values worded lately (cleared when full: a cache, never the truth).
_said: dict[str, str] = {}
_SAID_MOST = 4096


_SAFE_FIRST = frozenset("12345678")
_YEAR_DIGITS = frozenset("0123456789X")


def surely_in_python_range(text: str) -> bool:
    """True when an EDTF `text` alone shows that its value is `When.in_python_range` (and so is the value it
    is placed as): each side it dates starts with a four-digit year from 1000 to 8999 (unspecified digits
    included; seasons and offsets stay within a year of it), so no parse is needed. False says nothing:
    parse the text and ask. Any text may be given (garbage is False)."""
    dated = False
    for side in text.split("/"):
        if side in ("", ".."):
            continue
        if len(side) < 4 or side[0] not in _SAFE_FIRST or not _YEAR_DIGITS.issuperset(side[1:4]):
            return False
        if len(side) > 4 and side[4] in _YEAR_DIGITS:  # a longer year (not EDTF): let the parser say
            return False
        dated = True
    return dated
