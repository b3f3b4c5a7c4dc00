"""TimelineJS slides show what the typed fields say (issue 10), as `timeline.facts` words it."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from timeline_timelinejs import to_timelinejs

from timeline import Invocation, Meeting, Money, Occurrence, Payment, Quantity, Statement, Transfer, When
from timeline.testing import timeline_of

WHEN = When.parse("2025-04-14")
TYPED: list[tuple[Occurrence, str]] = [
    (
        Payment(
            id="pay",
            when=WHEN,
            title="The fee",
            payer="United States",
            payee="El Salvador",
            amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
        ),
        "United States pays El Salvador about $6,000,000",
    ),
    (
        Statement(id="say", when=WHEN, title="On the fee", by="Karoline Leavitt", text="it is $6 million"),
        "Karoline Leavitt: it is $6 million",
    ),
    (
        Transfer(
            id="move",
            when=WHEN,
            title="Flights land",
            subjects="people",
            count=Quantity(value=250, approximate=True),
            origin="United States",
            destination="CECOT",
        ),
        "about 250 people moved from United States to CECOT",
    ),
    (
        Meeting(id="meet", when=WHEN, title="A visit", participants=("Donald Trump", "Nayib Bukele")),
        "Participants: Donald Trump and Nayib Bukele",
    ),
    (
        Invocation(id="act", when=WHEN, title="A 1798 law", by="Donald Trump", instrument="the Act"),
        "Donald Trump invokes the Act",
    ),
]


@pytest.mark.parametrize(("event", "line"), TYPED, ids=[event.TYPE for event, _ in TYPED])
def test_slide_text_shows_the_facts(event: Occurrence, line: str) -> None:
    (slide,) = to_timelinejs(timeline_of([event]))["events"]
    assert slide["text"]["text"].startswith(f"<p>{html.escape(line, quote=True)}</p>")
