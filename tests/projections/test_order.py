"""The bulk sort of a Timeline's entries (`_order.in_order`) is the sort by `entry_key`, whatever form each
entry's event is kept in: typed, stored with its `When`, or stored with its `when` text (as restored)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from timeline.codec import dumps
from timeline.events import Statement
from timeline.projections._order import entry_key, in_order
from timeline.projections.entry import Entry, new_entry

from ..strategies import whens

MOMENT = datetime(2025, 4, 15, tzinfo=UTC)


def _entry(position: int, when: Any, form: int) -> Entry:
    event = Statement(id=f"e{position}", when=when, by="A", text="t")
    held: Any = event
    if form:  # stored: (type tag, schema version, JSON text, When or its text)
        held = (event.TYPE, event.SCHEMA_VERSION, dumps(event), when if form == 1 else when.text)
    entry: Entry = new_entry(event.id, "s", held, held, position, 1, MOMENT, MOMENT, (), False)
    return entry


@given(
    st.lists(st.tuples(st.sampled_from(range(6)), st.integers(0, 2)), max_size=60),
    st.lists(whens(), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
)
def test_in_order_is_the_sort_by_entry_key(
    picks: list[tuple[int, int]], values: list[Any], shuffler: Any
) -> None:
    # Few distinct `when`s, so that many entries share one and their positions decide.
    positions = shuffler.sample(range(1, 10_000), len(picks))
    entries = [
        _entry(position, values[pick % len(values)], form)
        for position, (pick, form) in zip(positions, picks, strict=True)
    ]
    assert in_order(entries) == sorted(entries, key=entry_key)
    assert [e.position for e in in_order(entries)] == [e.position for e in sorted(entries, key=entry_key)]
