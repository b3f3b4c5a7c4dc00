"""EDTF `When` values to TimelineJS date objects: integer parts, unknown parts left out.

TimelineJS knows only exact dates, so what it cannot say is carried in ``display_date``:
qualifiers (``~``, ``?``, ``%``), open ends (``../B``, ``A/..``) and date-times (whose parts are given in UTC,
which TimelineJS would otherwise show without saying so).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from timeline import Precision, When

DateObject = dict[str, Any]


def _needs_words(when: When) -> bool:
    """True when the integer parts alone would say more (or less) than the EDTF value does."""
    return when.approximate or when.uncertain or when.precision is Precision.TIME


def date_object(when: When) -> DateObject:
    """The TimelineJS date object of a single (non-interval) `When`: integer parts down to its precision."""
    if when.instant is not None:
        at = when.instant.astimezone(UTC)
        return {
            "year": at.year,
            "month": at.month,
            "day": at.day,
            "hour": at.hour,
            "minute": at.minute,
            "second": at.second,
        }
    day = when.earliest
    if day is None:  # only intervals have open bounds; callers pass single dates
        raise ValueError(f"{when.text!r} has no start day")
    parts: DateObject = {"year": day.year}
    if when.precision >= Precision.MONTH:
        parts["month"] = day.month
    if when.precision >= Precision.DAY:
        parts["day"] = day.day
    return parts


def _worded(when: When) -> DateObject:
    parts = date_object(when)
    if _needs_words(when):
        parts["display_date"] = when.human()
    return parts


def slide_dates(when: When) -> dict[str, Any]:
    """``start_date``, optional ``end_date`` and optional slide-level ``display_date`` for `when`.

    * a single date: its parts; ``display_date`` when it is approximate, uncertain or a date-time;
    * ``A/B``: both ends (the end is left out when its parts equal the start's, as TimelineJS itself would);
      a slide ``display_date`` ("between ... and ...") when either end is fuzzy;
    * ``../B`` and ``A/..``: TimelineJS needs a start, so the slide sits at the known end, with no
      ``end_date``, and ``display_date`` says "before B" or "after A" on the slide and on the date.
    """
    if not when.is_interval:
        return {"start_date": _worded(when)}
    first, _, last = when.text.partition("/")
    if first == ".." or last == "..":
        known = When.parse(last if first == ".." else first)
        start = date_object(known)
        start["display_date"] = when.human()
        return {"start_date": start, "display_date": when.human()}
    start_when, end_when = When.parse(first), When.parse(last)
    out: dict[str, Any] = {"start_date": _worded(start_when)}
    end = _worded(end_when)
    if end != out["start_date"]:
        out["end_date"] = end
    if _needs_words(start_when) or _needs_words(end_when):
        out["display_date"] = when.human()
    return out
