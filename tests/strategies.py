"""Hypothesis strategies for valid values and events, shared by the codec, store and projection tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from timeline._iso4217 import CURRENCIES
from timeline.events import Event, Invocation, Meeting, Occurrence, Payment, Statement, Transfer
from timeline.values import Money, Quantity, Source
from timeline.when import When

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
qualifier = st.sampled_from(["", "", "~", "?", "%"])


@st.composite
def single_texts(draw: st.DrawFn) -> tuple[str, date]:
    """An EDTF day, month or year with an optional qualifier, and its first day."""
    day = draw(days)
    form = draw(st.sampled_from(["day", "month", "year"]))
    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[form]
    first = {"day": day, "month": day.replace(day=1), "year": day.replace(month=1, day=1)}[form]
    return text + draw(qualifier), first


@st.composite
def whens(draw: st.DrawFn) -> When:
    """Any `When` the codec must carry: single dates, date-times, closed and open intervals."""
    kind = draw(st.sampled_from(["single", "single", "datetime", "interval", "open-start", "open-end"]))
    if kind == "single":
        return When.parse(draw(single_texts())[0])
    if kind == "datetime":
        day = draw(days)
        return When.parse(
            f"{day.isoformat()}T{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:00Z"
        )
    a, a_first = draw(single_texts())
    if kind == "open-start":
        return When.parse(f"../{a}")
    if kind == "open-end":
        return When.parse(f"{a}/..")
    b, _ = draw(
        single_texts().filter(lambda pair: pair[1] > a_first + timedelta(days=366))  # not replace(): 29 Feb
    )
    return When.parse(f"{a}/{b}")


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)
maybe_text = st.none() | names
decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=2
)
money = st.builds(
    Money, value=decimals, currency=st.sampled_from(sorted(CURRENCIES)), approximate=st.booleans()
)
quantities = st.builds(Quantity, value=st.integers(0, 10**9), approximate=st.booleans())
sources = st.builds(
    Source,
    url=st.just("https://example.org/report"),
    title=maybe_text,
    publisher=maybe_text,
    published=st.none() | whens(),
    quote=maybe_text,
)
event_ids = st.uuids().map(str) | st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True)


def _common() -> dict[str, Any]:
    return {
        "id": event_ids,
        "title": maybe_text,
        "description": maybe_text,
        "place": maybe_text,
        "tags": st.lists(names, max_size=3).map(tuple),
        "sources": st.lists(sources, max_size=2).map(tuple),
        "actors": st.lists(names, max_size=3).map(tuple),
        "when": whens(),
    }


invocations = st.builds(Invocation, by=names, instrument=names, against=maybe_text, **_common())
transfers = st.builds(
    Transfer,
    subjects=names,
    origin=names,
    destination=names,
    count=st.none() | quantities,
    by=maybe_text,
    **_common(),
)
payments = st.builds(Payment, payer=names, payee=names, amount=money, purpose=maybe_text, **_common())
meetings = st.builds(Meeting, participants=st.lists(names, min_size=1, max_size=4).map(tuple), **_common())
statements = st.builds(Statement, by=names, text=names, **_common())

occurrences: st.SearchStrategy[Occurrence] = st.one_of(invocations, transfers, payments, meetings, statements)


def events() -> st.SearchStrategy[Event]:
    """Any valid occurrence (corrections and retractions need a target: build them in the test)."""
    return occurrences
