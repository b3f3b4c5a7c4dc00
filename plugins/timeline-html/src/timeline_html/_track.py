"""The track under each date: where the event falls on the whole story's span, drawn as what the date is.

A day (or a moment) is a point; a month, a year or an interval is a bar over its span; an open end is a bar
that fades out towards the unknown side; an approximate or uncertain date is drawn dashed and lighter. The
drawing is an inline SVG with positions in percent of its width (so it needs no script and no style
attribute, which the page's Content-Security-Policy would refuse). It is decorative (``aria-hidden``): the
words beside it say the same.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

import attrs

from timeline import Precision

if TYPE_CHECKING:
    from collections.abc import Iterable

    from timeline import When

__all__ = ["GRADIENTS", "Scale"]

#: The two fades, defined once per page; the stylesheet fills open-ended bars with them.
GRADIENTS = (
    '<svg class="defs" aria-hidden="true" focusable="false" width="0" height="0"><defs>'
    '<linearGradient id="fade-end"><stop offset="0" class="solid"/><stop offset="1" class="clear"/>'
    "</linearGradient>"
    '<linearGradient id="fade-start"><stop offset="0" class="clear"/><stop offset="1" class="solid"/>'
    "</linearGradient></defs></svg>"
)
_MIN_WIDTH = 0.6  # percent: a month on a centuries-long scale is still visible


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    # monthrange, not "first of next month minus a day": December 9999 has no next month in datetime.
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@attrs.frozen(kw_only=True)
class Scale:
    """The days from `start` to `end` (inclusive, whole months): the width of every track on the page."""

    start: date
    end: date

    @classmethod
    def covering(cls, whens: Iterable[When]) -> Scale | None:
        """The whole months that hold every known bound of `whens`; None if there is none."""
        known = [day for when in whens for day in (when.earliest, when.latest) if day is not None]
        if not known:
            return None
        return cls(start=_month_start(min(known)), end=_month_end(max(known)))

    def _days(self) -> int:
        return (self.end - self.start).days + 1

    def _at(self, day: date, *, after: bool = False) -> float:
        """The left edge of `day` (its right edge if `after`), in percent."""
        return ((day - self.start).days + (1 if after else 0)) * 100 / self._days()

    def track(self, when: When) -> str:
        """The SVG track of `when`; empty if it has no bound on the calendar of `datetime.date`."""
        if when.earliest is None and when.latest is None:
            return ""
        drawn = " approx" if when.approximate or when.uncertain else ""
        if not when.is_interval and when.precision >= Precision.DAY and when.earliest is not None:
            middle = (self._at(when.earliest) + self._at(when.earliest, after=True)) / 2
            mark = f'<circle class="point{drawn}" cx="{middle:.2f}%" cy="8" r="5"/>'
        else:
            left = 0.0 if when.earliest is None else self._at(when.earliest)
            right = 100.0 if when.latest is None else self._at(when.latest, after=True)
            width = max(right - left, _MIN_WIDTH)
            left = min(left, 100 - width)
            fade = " fade-start" if when.earliest is None else " fade-end" if when.latest is None else ""
            place = f'x="{left:.2f}%" y="4" width="{width:.2f}%" height="8" rx="3"'
            mark = f'<rect class="bar{fade}{drawn}" {place}/>'

        return (
            '<svg class="track" aria-hidden="true" focusable="false" width="100%" height="16">'
            f'<rect class="rail" x="0" y="7" width="100%" height="2"/>{mark}</svg>'
        )
