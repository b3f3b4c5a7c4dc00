"""Events for the store tests: a reproducible mix (the reference story's types, each with a source)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from timeline.events import Event, Invocation, Meeting, Payment, Statement, Transfer
from timeline.values import Money, Quantity, Source
from timeline.when import When

_WHENS = (
    "2025-03",
    "2025-04-14",
    "../2025-04-14",
    "2025-01-20/2025-02~",
    "2025",
    "2025-04-14T15:30:00-04:00",
)


def _source(i: int) -> tuple[Source, ...]:
    return (
        Source(
            url=f"https://news.example/{i}",
            title=f"Report {i}",
            publisher="Example News",
            published=When.parse("2025-04-15"),
        ),
    )


def story_event(i: int, *, prefix: str = "ev") -> Event:
    """The i-th event of a reproducible stream: ids ``{prefix}-{i}``, the five occurrence types in turn."""
    common: dict[str, Any] = {
        "id": f"{prefix}-{i}",
        "sources": _source(i),
        "when": When.parse(_WHENS[i % len(_WHENS)]),
    }
    kind = i % 5
    if kind == 0:
        return Invocation(
            **common, by="Donald Trump", instrument="Alien Enemies Act of 1798", against="Tren de Aragua"
        )
    if kind == 1:
        return Transfer(
            **common,
            subjects="alleged Tren de Aragua members",
            origin="United States",
            destination="CECOT, El Salvador",
            count=Quantity(value=250 + i, approximate=True),
        )
    if kind == 2:
        return Payment(
            **common,
            payer="United States",
            payee="El Salvador",
            amount=Money(value=Decimal("6000000") + i, currency="USD", approximate=True),
            purpose="detention of deportees",
        )
    if kind == 3:
        return Meeting(
            **common,
            participants=("Donald Trump", "Nayib Bukele"),
            place="White House, Washington, DC",
            tags=("diplomacy",),
        )
    return Statement(**common, by="Nayib Bukele", text=f"offers to hold deportees for a fee ({i})")


def story(count: int, *, prefix: str = "ev", start: int = 0) -> list[Event]:
    """`count` events from `story_event`, numbered from `start`."""
    return [story_event(i, prefix=prefix) for i in range(start, start + count)]


def note(event_id: str, text: str = "said so") -> Statement:
    """A small statement with a chosen id and text: equal ids with other text are "other content"."""
    return Statement(id=event_id, when=When.parse("2025-04-14"), by="someone", text=text)
