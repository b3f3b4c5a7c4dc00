"""Hypothesis strategies for the projection tests: valid logs of occurrences, corrections and retractions.

Values come from small pools on purpose, so that dates tie (ordering), names repeat (actors) and payments
share payer, payee and currency (ledger lines). A generated `Log` also carries its own simple model of what
each occurrence should become, written independently of the projection code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from timeline import testing
from timeline.codec import from_json, to_json
from timeline.events import (
    Correction,
    Event,
    Occurrence,
    Payment,
    Retraction,
    Transfer,
)
from timeline.values import Money
from timeline.when import When

WHEN_TEXTS = (
    "2025",
    "2025~",
    "2025-03",
    "2025-03?",
    "2025-03-01",
    "2025-03-15",
    "2025-03-15T09:30:00Z",
    "2025-03-15T09:30:00-04:00",
    "2025-04-14",
    "2025-01-20/2025-02~",
    "2025-03/2025-04-14",
    "../2025-04-14",
    "2025-03-15/..",
    "2024-12",
)
NAMES = ("Donald Trump", "Nayib Bukele", "United States", "El Salvador", "Karoline Leavitt", "CECOT")
CURRENCIES = ("USD", "EUR")
STREAMS = ("a", "b")

whens = st.sampled_from(WHEN_TEXTS).map(When.parse)
names = st.sampled_from(NAMES)
texts = st.sampled_from(("one", "two", "three", "placeholder corrected title"))
maybe_texts = st.none() | texts
amounts = st.builds(
    Money,
    value=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e15"), places=2),
    currency=st.sampled_from(CURRENCIES),
    approximate=st.booleans(),
)


#: Occurrences of every type drawn from the small pools (ids are replaced when a log is drawn).
occurrences: st.SearchStrategy[Occurrence] = testing.occurrences(
    ids=st.just("placeholder"),
    text=texts,
    names=names,
    whens=whens,
    amounts=amounts,
)


def changes_for(event: Occurrence) -> st.SearchStrategy[dict[str, Any]]:
    """Valid `changes` for a correction of `event`: whole top-level fields, as JSON values."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "title": texts,
        "when": st.sampled_from(WHEN_TEXTS),
        "place": maybe_texts,
        "tags": st.lists(texts, max_size=2),
    }
    if isinstance(event, Payment):
        fields["amount"] = amounts.map(to_json_money)
    if isinstance(event, Transfer):
        fields["count"] = st.none() | st.integers(0, 10_000)
    return st.fixed_dictionaries({}, optional=fields).filter(bool)


def to_json_money(money: Money) -> dict[str, Any]:
    """Money as JSON, as a user would write it in a correction."""
    out: dict[str, Any] = {"value": str(money.value), "currency": money.currency}
    if money.approximate:
        out["approximate"] = True
    return out


@attrs.frozen(kw_only=True)
class Log:
    """Batches to append, in order, each ``(stream, events)``, and the model of each occurrence's fate."""

    batches: tuple[tuple[str, tuple[Event, ...]], ...]
    originals: dict[str, Occurrence]
    """Occurrence id -> the occurrence as first written."""
    corrections: dict[str, list[dict[str, Any]]]
    """Occurrence id -> the `changes` of its corrections, in the order they are appended."""
    retracted: frozenset[str]

    def expected_event(self, event_id: str) -> Event:
        """What a user would have written had they known all the corrections: one JSON object, merged."""
        data = to_json(self.originals[event_id])
        for changes in self.corrections[event_id]:
            data.update(changes)
        return from_json(data)

    def events(self) -> list[Event]:
        """Every event of every batch, in append order."""
        return [event for _, events in self.batches for event in events]


@st.composite
def logs(draw: st.DrawFn, *, max_batches: int = 6, max_batch: int = 5) -> Log:
    """A valid log: batches of occurrences, corrections and retractions, each amendment on a live target."""
    batches = []
    originals: dict[str, Occurrence] = {}
    current: dict[str, Occurrence] = {}
    stream_of: dict[str, str] = {}
    corrections: dict[str, list[dict[str, Any]]] = {}
    retracted: set[str] = set()
    counter = 0
    for _ in range(draw(st.integers(1, max_batches))):
        stream = draw(st.sampled_from(STREAMS))
        events: list[Event] = []
        for _ in range(draw(st.integers(1, max_batch))):
            live = sorted(i for i, s in stream_of.items() if s == stream and i not in retracted)
            kind = draw(st.sampled_from(("occurrence", "occurrence", "correction", "retraction")))
            counter += 1
            if kind == "occurrence" or not live:
                event = attrs.evolve(draw(occurrences), id=f"occ-{counter}")
                originals[event.id] = current[event.id] = event
                stream_of[event.id] = stream
                corrections[event.id] = []
                events.append(event)
            elif kind == "correction":
                target = draw(st.sampled_from(live))
                changes = draw(changes_for(current[target]))
                merged = {**to_json(current[target]), **changes}
                corrected = from_json(merged)
                assert isinstance(corrected, Occurrence)
                current[target] = corrected
                corrections[target].append(changes)
                events.append(
                    Correction(
                        id=f"fix-{counter}", target=target, changes=changes, reason=f"reason {counter}"
                    )
                )
            else:
                target = draw(st.sampled_from(live))
                retracted.add(target)
                events.append(Retraction(id=f"drop-{counter}", target=target, reason=f"reason {counter}"))
        batches.append((stream, tuple(events)))
    return Log(
        batches=tuple(batches), originals=originals, corrections=corrections, retracted=frozenset(retracted)
    )
