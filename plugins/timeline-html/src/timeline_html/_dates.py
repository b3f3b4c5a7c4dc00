"""Dates in the page: the human wording of a `When` with ``<time datetime>`` on each known bound."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from timeline.when import MONTHS, When
from timeline_html._text import escape

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = ["day_words", "machine", "recorded", "when_html"]


def machine(part: str) -> str:
    """One EDTF date (no ``/``) as an HTML datetime value: ``2025-03~`` gives ``2025-03`` (no qualifier)."""
    return part.rstrip("~?%")


def _time(words: str, part: str) -> str:
    return f'<time datetime="{machine(part)}">{escape(words)}</time>'


def when_html(when: When) -> str:
    """`when.human()` as HTML, each closed bound in its own ``<time>``; the text content is unchanged."""
    human = when.human()
    if not when.is_interval:
        return _time(human, when.text)
    start, _, end = when.text.partition("/")
    if start == "..":
        pieces = [("before ", None), (When.parse(end).human(), end)]
    elif end == "..":
        pieces = [("after ", None), (When.parse(start).human(), start)]
    else:
        pieces = [("between ", None), (When.parse(start).human(), start), (" and ", None)]
        pieces.append((When.parse(end).human(), end))
    if "".join(words for words, _ in pieces) != human:
        # The library words intervals differently now: keep its wording whole, on the known bound.
        return _time(human, start if start != ".." else end)
    return "".join(escape(words) if part is None else _time(words, part) for words, part in pieces)


def day_words(day: date) -> str:
    """E.g. ``2 May 2025`` (English month names, whatever the locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def recorded(moment: datetime) -> str:
    """A store timestamp (aware) as ``<time datetime="…Z">2 May 2025</time>``, in UTC, to the second."""
    utc = moment.astimezone(UTC)
    return f'<time datetime="{utc:%Y-%m-%dT%H:%M:%S}Z">{day_words(utc.date())}</time>'
