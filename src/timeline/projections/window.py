"""A window on valid time: "what happened in March 2025" is every entry whose `when` overlaps March 2025."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from timeline.errors import ValidationError
from timeline.when import When

#: What a window bound may be given as: a When, a date, or EDTF text ("2025-03").
Bound = When | date | str


def _days(value: Bound, name: str) -> tuple[date | None, date | None]:
    """The (earliest, latest) days of a bound; None for an open end."""
    if isinstance(value, datetime):  # a datetime is a date: refuse it rather than silently drop the time
        raise ValidationError(f"give a date, a When or EDTF text, not a datetime ({value!r})", path=name)
    if isinstance(value, date):
        return value, value
    if isinstance(value, str):
        try:
            value = When.parse(value)
        except (ValueError, TypeError) as exc:  # When.parse's own errors: said as ours
            raise ValidationError(str(exc), path=name) from None
    if not isinstance(value, When):
        raise ValidationError(f"expected a When, a date or EDTF text, got {type(value).__name__}", path=name)
    return value.earliest, value.latest


@attrs.frozen(kw_only=True)
class Window:
    """The days from `start` to `end`, both inclusive; None is an open end (unbounded)."""

    start: date | None
    end: date | None

    @classmethod
    def of(cls, start: Bound, end: Bound | None = None) -> Window:
        """From the first day `start` can be to the last day `end` can be (to the end of `start` alone).

        ``Window.of("2025-03")`` is March 2025; ``Window.of("2025-03", "2025-04")`` is March and April;
        ``Window.of(date(2025, 4, 14))`` is that day; ``Window.of("2025-03/..")`` is from March on.
        """
        lo, hi = _days(start, "start")
        if end is not None:
            hi = _days(end, "end")[1]
        if lo is not None and hi is not None and lo > hi:
            raise ValidationError(f"the window starts on {lo} after it ends on {hi}", path="end")
        return cls(start=lo, end=hi)

    def overlaps(self, when: When) -> bool:
        """True if some day `when` may be falls in the window (open ends reach without bound)."""
        earliest, latest = when.earliest, when.latest
        if earliest is not None and self.end is not None and earliest > self.end:
            return False
        return not (latest is not None and self.start is not None and latest < self.start)
