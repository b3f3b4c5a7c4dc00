"""The benchmarks' event mix: the reference story's five occurrence types in turn, each with a source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from timeline.events import Event, Invocation, Meeting, Payment, Statement, Transfer
from timeline.values import Money, Quantity, Source
from timeline.when import When

WHENS = [
    "2025-03",
    "2025-04-14",
    "../2025-04-14",
    "2025-01-20/2025-02~",
    "2025",
    "2025-04-14T15:30:00-04:00",
]


def make_event(i: int, prefix: str = "event-") -> Event:
    """The i-th event of the mix: the reference story's five occurrence types in turn, each with a source."""
    common: dict[str, Any] = {
        "id": f"{prefix}{i:07d}",
        "when": When.parse(WHENS[i % len(WHENS)]),
        "sources": (
            Source(
                url=f"https://news.example/{i}",
                title=f"Report {i}",
                publisher="Example News",
                published=When.parse("2025-04-15"),
            ),
        ),
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
            count=Quantity(value=250, approximate=True),
        )
    if kind == 2:
        return Payment(
            **common,
            payer="United States",
            payee="El Salvador",
            amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
            purpose="detention of deportees",
        )
    if kind == 3:
        return Meeting(
            **common, participants=("Donald Trump", "Nayib Bukele"), place="White House, Washington, DC"
        )
    return Statement(**common, by="Nayib Bukele", text="offers to hold deportees from the US for a fee")
