"""Dates in the page: the human wording of a `When` with ``<time datetime>`` on each known bound."""

from __future__ import annotations

import functools
import re
from datetime import UTC
from typing import TYPE_CHECKING

from timeline import When
from timeline_html._text import escape

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = ["MONTHS", "datetime_value", "day_words", "recorded", "when_html"]

#: English month names, January first (the page's own words are English, whatever the process locale).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What HTML accepts in <time datetime> (a year, a month, a date, a global date and time) among EDTF texts.
_HTML_DATETIME = re.compile(
    r"(?!0000)[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2}))?)?)?"
)


def datetime_value(part: str) -> str | None:
    """One EDTF date (no ``/``) as an HTML datetime value (``2025-03~`` gives ``2025-03``), or None if HTML
    has no such value (a season, unspecified digits, a year before 1)."""
    text = part.rstrip("~?%")
    return text if _HTML_DATETIME.fullmatch(text) else None


def _time(words: str, part: str) -> str:
    value = datetime_value(part)
    if value is None:
        return f'<span class="bound">{escape(words)}</span>'
    return f'<time datetime="{value}">{escape(words)}</time>'


@functools.lru_cache(maxsize=4096)  # a timeline repeats its dates; When is immutable and hashed by its text
def when_html(when: When) -> str:
    """`when.human()` as HTML, each known bound in its own ``<time>``; the text content is `when.human()`."""
    human = when.human()
    if not when.is_interval:
        return _time(human, when.text)
    out, at = [], 0
    for part in when.text.split("/"):
        if part in ("..", ""):
            continue
        words = When.parse(part).human()
        found = human.find(words, at)
        if found < 0:  # worded in some other way: the whole wording on the first known bound
            known = next(p for p in when.text.split("/") if p not in ("..", ""))
            return _time(human, known)
        out += [escape(human[at:found]), _time(words, part)]
        at = found + len(words)
    out.append(escape(human[at:]))
    return "".join(out)


def day_words(day: date) -> str:
    """E.g. ``2 May 2025`` (English month names, whatever the locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def recorded(moment: datetime) -> str:
    """A store timestamp (aware) as ``<time datetime="…Z">2 May 2025</time>``, in UTC, to the second."""
    utc = moment.astimezone(UTC)
    return f'<time datetime="{utc:%Y-%m-%dT%H:%M:%S}Z">{day_words(utc.date())}</time>'
