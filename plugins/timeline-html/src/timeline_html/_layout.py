"""The body of the timeline: a section per year, in it a section per month, each with its list of entries.

An entry goes where its date is anchored, as in the Markdown export: its first possible day, or for an open
start ("before 14 April 2025") its known end. Entries known only to the year come first under their year,
as "Sometime in 2025". Headings: ``h2`` year, ``h3`` month, ``h4`` entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from timeline import Precision
from timeline_html._dates import MONTHS
from timeline_html._entry import entry_html

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from timeline import Entry
    from timeline_html._track import Scale

__all__ = ["years"]


def _time(value: str, words: str, year: int) -> str:
    """``<time>`` for years HTML can say (1 on), else the words alone."""
    return f'<time datetime="{value}">{words}</time>' if year >= 1 else words


def _month(year: int, month: int | None, items: list[str]) -> str:
    key = f"m-{year:04d}-{month or 0:02d}"
    if month is None:
        heading = "Sometime in " + _time(f"{year:04d}", str(year), year)
    else:
        heading = _time(f"{year:04d}-{month:02d}", f"{MONTHS[month - 1]} {year}", year)
    return (
        f'<section class="month" aria-labelledby="{key}"><h3 id="{key}">{heading}</h3>'
        f'<ol class="entries">{"".join(items)}</ol></section>\n'
    )


def _year(year: int, loose: list[str], months: dict[int, list[str]]) -> str:
    key = f"y-{year:04d}"
    parts = [f'<section class="year" aria-labelledby="{key}">']
    parts.append(f'<h2 id="{key}">{_time(f"{year:04d}", str(year), year)}</h2>\n')
    if loose:
        parts.append(_month(year, None, loose))
    parts += [_month(year, month, items) for month, items in months.items()]
    parts.append("</section>\n")
    return "".join(parts)


def years(entries: Iterable[Entry], scale: Scale | None) -> Iterator[str]:
    """The year sections, one at a time, for `entries` in chronological order."""
    year: int | None = None
    loose: list[str] = []
    months: dict[int, list[str]] = {}
    for entry in entries:
        when = entry.event.when
        anchor = when.sort_key[0]
        if anchor.year != year:
            if year is not None:
                yield _year(year, loose, months)
            year, loose, months = anchor.year, [], {}
        item = entry_html(entry, scale, 4)
        if when.precision is Precision.YEAR:
            loose.append(item)
        else:
            months.setdefault(anchor.month, []).append(item)
    if year is not None:
        yield _year(year, loose, months)
