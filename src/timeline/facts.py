"""What an event's typed fields say, worded as a reader says it: one place for every human-readable output.

`facts(event)` gives lines such as "United States pays El Salvador about $6,000,000 for detention of
deportees", "Karoline Leavitt: the fee is …", "about 250 alleged gang members moved from United States to
CECOT", "Participants: Donald Trump and Nayib Bukele", "Donald Trump invokes the Alien Enemies Act of 1798
against Tren de Aragua". Markdown rows, the iCalendar DESCRIPTION, TimelineJS slides and ``timeline show
--details`` all use it, so the payment's amount or the statement's words are never lost behind a title.

Nothing is repeated: an event without a title has its summary (the same facts) as its headline, so it gets
no lines; with a title, a line the title already contains is left out. A plugin's event type gives its own
lines with a ``facts()`` method returning a sequence of strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from timeline.events import Event, Invocation, Meeting, Payment, Statement, Transfer

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from decimal import Decimal

    from timeline.values import Money, Quantity, Source

__all__ = ["amount_words", "count_words", "facts", "quote_words"]

#: Currencies a reader names by their sign; every other amount is followed by its ISO 4217 code.
_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def amount_words(money: Money) -> str:
    """'about $6,000,000', '€1,250.50', '-$20', '3,000 MXN'."""
    about = "about " if money.approximate else ""
    value: Decimal = money.value
    sign = _SIGNS.get(money.currency)
    if sign is None:
        return f"{about}{value:,} {money.currency}"
    minus = "-" if value < 0 else ""
    return f"{about}{minus}{sign}{abs(value):,}"


def count_words(count: Quantity) -> str:
    """'about 250', '1,200'."""
    return f"about {count.value:,}" if count.approximate else f"{count.value:,}"


def quote_words(source: Source) -> str | None:
    """The source's quote as a reader sees it: '“…”', or None without a quote."""
    return None if not source.quote else f"\u201c{source.quote}\u201d"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _payment(event: Payment) -> list[tuple[str, str]]:
    purpose = f" for {event.purpose}" if event.purpose else ""
    amount = amount_words(event.amount)
    return [(f"{event.payer} pays {event.payee} {amount}{purpose}", amount)]


def _statement(event: Statement) -> list[tuple[str, str]]:
    return [(f"{event.by}: {event.text}", event.text)]


def _transfer(event: Transfer) -> list[tuple[str, str]]:
    count = f"{count_words(event.count)} " if event.count else ""
    by = f", by {event.by}" if event.by else ""
    line = f"{count}{event.subjects} moved from {event.origin} to {event.destination}{by}"
    return [(line, line)]


def _meeting(event: Meeting) -> list[tuple[str, str]]:
    line = f"Participants: {_names(event.participants)}"
    return [(line, _names(event.participants))]


def _invocation(event: Invocation) -> list[tuple[str, str]]:
    against = f" against {event.against}" if event.against else ""
    line = f"{event.by} invokes {event.instrument}{against}"
    return [(line, event.instrument)]


# Each gives (line, core): the line is left out when the title already contains its core.
_BY_TYPE: dict[type[Any], Callable[[Any], list[tuple[str, str]]]] = {
    Payment: _payment,
    Statement: _statement,
    Transfer: _transfer,
    Meeting: _meeting,
    Invocation: _invocation,
}


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def facts(event: Event) -> tuple[str, ...]:
    """The lines that say what `event`'s typed fields say, without what its title already says."""
    if not event.title:
        return ()
    own = getattr(event, "facts", None)
    if callable(own):
        pairs = [(line, line) for line in own()]
    else:
        words = next((_BY_TYPE[cls] for cls in type(event).__mro__ if cls in _BY_TYPE), None)
        pairs = [] if words is None else words(event)
    title = _normal(event.title)
    return tuple(line for line, core in pairs if _normal(core) not in title)
