"""EDTF `When` values to TimelineJS date objects: integer parts, unknown parts left out.

TimelineJS knows only exact dates, so what it cannot say is carried in ``display_date``: qualifiers (``~``,
``?``, ``%``), seasons, unspecified digits (``201X``), years before 1 (TimelineJS takes negative years, but
says them its own way), open and unknown ends, and date-times. A date-time's parts are its local wall time
in its own offset (the day and hour its people lived, which is also where `timeline` places it) and its
``display_date`` names the offset ("5 January 2024, 17:12 UTC-08:00", with the minus sign U+2212). Every
year `When` accepts (±999,999,999) is an exact JSON number and a TimelineJS (big) date, so no event is left
out.
"""

from __future__ import annotations

from typing import Any

from timeline import Precision, When

DateObject = dict[str, Any]


def _needs_words(when: When) -> bool:
    """True when the integer parts alone would say more (or less) than the EDTF value does."""
    first = when.first
    return (
        when.approximate
        or when.uncertain
        or when.precision in (Precision.TIME, Precision.SEASON)
        or "X" in when.text
        or (first is not None and first.year < 1)
    )


def date_object(when: When) -> DateObject:
    """The TimelineJS date object of a single (non-interval) `When`: integer parts down to its precision."""
    if when.instant is not None:
        at = when.instant  # its local wall time: see the module docstring
        return {
            "year": at.year,
            "month": at.month,
            "day": at.day,
            "hour": at.hour,
            "minute": at.minute,
            "second": at.second,
        }
    day = when.first
    if day is None or when.is_interval:  # callers pass single dates
        raise ValueError(f"{when.text!r} is not a single date")
    parts: DateObject = {"year": day.year}
    if when.precision >= Precision.SEASON:
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

    * a single date: its parts; ``display_date`` when the parts alone would mislead (see `_needs_words`);
    * ``A/B``: both ends (the end is left out when its parts equal the start's, as TimelineJS itself would);
      a slide ``display_date`` ("between ... and ...") when either end is fuzzy;
    * an open or unknown end (``../B``, ``A/..``, ``/B``, ``A/``): placed as its known side, the rule of
      `timeline.when`, with no ``end_date``; ``display_date`` says "by B", "from A on"... on the slide and
      on the date.
    """
    if not when.is_interval:
        return {"start_date": _worded(when)}
    start_when, end_when = when.sides
    if start_when is None or end_when is None:
        start = date_object(when.placed)
        start["display_date"] = when.human()
        return {"start_date": start, "display_date": when.human()}
    out: dict[str, Any] = {"start_date": _worded(start_when)}
    end = _worded(end_when)
    if end != out["start_date"]:
        out["end_date"] = end
    if _needs_words(start_when) or _needs_words(end_when):
        out["display_date"] = when.human()
    return out
