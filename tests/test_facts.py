"""Typed facts shown in every human-readable output (issue 10): one wording, from `timeline.facts`."""

from __future__ import annotations

import io
from decimal import Decimal

import icalendar
import pytest

from tests.exporters.helpers import export_bytes
from timeline._render import render_timeline
from timeline.events import Invocation, Meeting, Occurrence, Payment, Statement, Transfer
from timeline.facts import amount_words, count_words, facts
from timeline.testing import timeline_of
from timeline.values import Money, Quantity, Source
from timeline.when import When

WHEN = When.parse("2025-04-14")

# Each event type with a title that says less than its fields, and the line a reader should see.
TYPED: list[tuple[Occurrence, str]] = [
    (
        Payment(
            id="pay",
            when=WHEN,
            title="Leavitt puts the detention fee on record",
            payer="United States",
            payee="El Salvador",
            amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
            purpose="detention of deportees",
        ),
        "United States pays El Salvador about $6,000,000 for detention of deportees",
    ),
    (
        Statement(
            id="say",
            when=WHEN,
            title="Leavitt on the fee",
            by="Karoline Leavitt",
            text="the fee is about $6 million for one year",
        ),
        "Karoline Leavitt: the fee is about $6 million for one year",
    ),
    (
        Transfer(
            id="move",
            when=WHEN,
            title="Deportation flights land",
            subjects="people",
            count=Quantity(value=250, approximate=True),
            origin="United States",
            destination="CECOT, El Salvador",
        ),
        "about 250 people moved from United States to CECOT, El Salvador",
    ),
    (
        Meeting(
            id="meet", when=WHEN, title="Oval Office visit", participants=("Donald Trump", "Nayib Bukele")
        ),
        "Participants: Donald Trump and Nayib Bukele",
    ),
    (
        Invocation(
            id="act",
            when=WHEN,
            title="A 1798 law returns",
            by="Donald Trump",
            instrument="the Alien Enemies Act",
            against="Tren de Aragua",
        ),
        "Donald Trump invokes the Alien Enemies Act against Tren de Aragua",
    ),
]
IDS = [event.TYPE for event, _ in TYPED]


@pytest.mark.parametrize(("event", "line"), TYPED, ids=IDS)
def test_facts_word_the_typed_fields(event: Occurrence, line: str) -> None:
    assert facts(event) == (line,)


@pytest.mark.parametrize(("event", "line"), TYPED, ids=IDS)
def test_markdown_row_shows_the_facts(event: Occurrence, line: str) -> None:
    md = export_bytes(timeline_of([event]), "markdown").decode()
    assert event.title is not None
    (row,) = [r for r in md.splitlines() if r.startswith("| ") and event.title in r]
    cells = row.split(" | ")
    assert line.replace("$", "\\$") in cells[2]


@pytest.mark.parametrize(("event", "line"), TYPED, ids=IDS)
def test_ical_description_shows_the_facts(event: Occurrence, line: str) -> None:
    calendar = icalendar.Calendar.from_ical(export_bytes(timeline_of([event]), "ical"))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["DESCRIPTION"]).split("\n\n")[1] == line


@pytest.mark.parametrize(("event", "line"), TYPED, ids=IDS)
def test_show_details_shows_the_facts(event: Occurrence, line: str) -> None:
    out = io.StringIO()
    render_timeline(timeline_of([event]), out, details=True)
    shown = out.getvalue().splitlines()
    assert event.title is not None
    assert event.title in shown[0]
    assert shown[1].strip() == line
    plain = io.StringIO()
    render_timeline(timeline_of([event]), plain)
    assert line not in plain.getvalue()


def test_nothing_the_title_already_says_is_repeated() -> None:
    untitled = Statement(id="s", when=WHEN, by="Karoline Leavitt", text="the fee is set")
    assert facts(untitled) == ()  # its headline is the summary: the same facts
    titled = Statement(
        id="t", when=WHEN, title="Leavitt: the fee is set", by="Karoline Leavitt", text="the fee is set"
    )
    assert facts(titled) == ()
    md = export_bytes(timeline_of([untitled]), "markdown").decode()
    assert md.count("the fee is set") == 1


def test_source_quotes_are_shown() -> None:
    source = Source(url="https://example.org/a", title="Report", quote="We will pay")
    event = Meeting(id="m", when=WHEN, title="Talks", participants=("A",), sources=(source,))
    md = export_bytes(timeline_of([event]), "markdown").decode()
    assert "\u201cWe will pay\u201d" in md
    calendar = icalendar.Calendar.from_ical(export_bytes(timeline_of([event]), "ical"))
    (vevent,) = calendar.walk("VEVENT")
    assert "\u201cWe will pay\u201d" in str(vevent["DESCRIPTION"])
    out = io.StringIO()
    render_timeline(timeline_of([event]), out, details=True)
    assert "Source: Report: https://example.org/a \u201cWe will pay\u201d" in out.getvalue()


def test_amounts_and_counts_as_a_reader_says_them() -> None:
    assert (
        amount_words(Money(value=Decimal("6000000"), currency="USD", approximate=True)) == "about $6,000,000"
    )
    assert amount_words(Money(value=Decimal("1250.50"), currency="EUR")) == "€1,250.50"
    assert amount_words(Money(value=Decimal("-20"), currency="GBP")) == "-£20"
    assert amount_words(Money(value=Decimal("3000"), currency="MXN")) == "3,000 MXN"
    assert count_words(Quantity(value=250, approximate=True)) == "about 250"
    assert count_words(Quantity(value=1200)) == "1,200"
