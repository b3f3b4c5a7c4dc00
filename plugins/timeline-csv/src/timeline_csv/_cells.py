"""One timeline entry as one row of text cells, and the guard against spreadsheet formula injection."""

from __future__ import annotations

import re
from datetime import UTC
from typing import TYPE_CHECKING

import attrs

from timeline import Money, Quantity

if TYPE_CHECKING:
    from timeline import Entry, Event

#: The header row, in column order.
COLUMNS: tuple[str, ...] = (
    "id",
    "type",
    "date",
    "earliest",
    "latest",
    "precision",
    "human_date",
    "title",
    "description",
    "place",
    "actors",
    "amount",
    "currency",
    "amount_approximate",
    "count",
    "count_approximate",
    "sources",
    "revision",
    "last_changed",
)

#: Lists (actors, sources) are joined with a line break: one item per line inside the cell. A URL never
#: holds one and a name hardly ever does, while commas and semicolons are common in both.
LIST_SEPARATOR = "\n"

# What makes Excel, LibreOffice Calc and Google Sheets read a cell as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "+1.5", "2E+3") is no formula, and quoting it would turn it into text.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def guard(cell: str) -> str:
    """`cell` prefixed with ``'`` if a spreadsheet would run it as a formula, else unchanged."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _figures(event: Event) -> tuple[Money | None, Quantity | None]:
    """The first amount of money and the first count among the event's fields (any event type)."""
    money: Money | None = None
    count: Quantity | None = None
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if money is None and isinstance(value, Money):
            money = value
        elif count is None and isinstance(value, Quantity):
            count = value
    return money, count


def cells(entry: Entry) -> list[str]:
    """The row of `entry`, one text cell per name in `COLUMNS` (unguarded)."""
    event = entry.event
    when = event.when
    money, count = _figures(event)
    return [
        entry.id,
        event.TYPE,
        str(when),
        when.earliest.isoformat() if when.earliest else "",
        when.latest.isoformat() if when.latest else "",
        when.precision.name.lower(),
        when.human(),
        event.headline(),
        event.description or "",
        event.place or "",
        LIST_SEPARATOR.join(event.involved()),
        f"{money.value:f}" if money else "",
        money.currency if money else "",
        _flag(money.approximate) if money else "",
        str(count.value) if count else "",
        _flag(count.approximate) if count else "",
        LIST_SEPARATOR.join(source.url for source in event.sources if source.url),
        str(entry.revision),
        entry.last_changed.astimezone(UTC).isoformat(),
    ]
