"""Selections by tag, type and actor: the rules of `timeline.projections.selection`, and a property test
against a naive filter of what the user would have written (the corrections merged by hand)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.codec import to_json
from timeline.errors import ValidationError
from timeline.projections import SelectedTimeline, Selection, Timeline
from timeline.store import MemoryStore

from ._helpers import ev
from .strategies import NAMES, Log, logs

TYPES = ("payment", "meeting", "transfer", "statement", "invocation", "happening")
TAGS = ("one", "two", "three", "placeholder corrected title")


def _store(log: Log) -> MemoryStore:
    store = MemoryStore()
    for stream, events in log.batches:
        store.append(stream, list(events))
    return store


def _spelled(value: str) -> st.SearchStrategy[str]:
    """`value` as a user might type it: any case, doubled spaces, spaces around."""
    return st.sampled_from(
        (value, value.upper(), value.title(), f"  {value} ", value.replace(" ", "  "), value.swapcase())
    )


def _naive(data: dict[str, Any], tags: set[str], types: set[str], actors: set[str]) -> bool:
    """The selection's meaning, from the event's JSON, written without the library's helpers."""
    names = [data.get(key) for key in ("by", "against", "payer", "payee")]
    names += list(data.get("participants", [])) + list(data.get("actors", []))
    known = {" ".join(n.split()).lower() for n in names if n}
    return (
        (not tags or any(" ".join(t.split()).lower() in tags for t in data.get("tags", [])))
        and (not types or data["type"] in types)
        and (not actors or bool(known & actors))
    )


@given(
    log=logs(),
    tags=st.lists(st.sampled_from(TAGS).flatmap(_spelled), max_size=2),
    types=st.lists(st.sampled_from(TYPES).flatmap(_spelled), max_size=2),
    actors=st.lists(st.sampled_from(NAMES).flatmap(_spelled), max_size=2),
    retracted=st.booleans(),
)
def test_a_selection_keeps_what_a_naive_filter_of_the_effective_events_keeps(
    log: Log, tags: list[str], types: list[str], actors: list[str], retracted: bool
) -> None:
    timeline = Timeline.from_store(_store(log), include_retracted=retracted)
    selection = Selection(tags=tags, types=types, actors=actors)
    chosen = selection.apply(timeline)
    wanted = (
        {" ".join(t.split()).lower() for t in tags},
        {t.strip().lower() for t in types},
        {" ".join(a.split()).lower() for a in actors},
    )
    expected = [e.id for e in timeline.entries if _naive(to_json(log.expected_event(e.id)), *wanted)]
    assert [e.id for e in chosen.entries] == expected
    assert [e.id for e in chosen] == expected
    assert len(chosen) == len(expected)
    assert all(chosen.get(i) is timeline.get(i) for i in expected)
    assert chosen.position == timeline.position
    assert chosen.last_changed == timeline.last_changed
    if not (tags or types or actors):
        assert chosen is timeline


def _meeting(event_id: str, *, tags: list[str], participants: list[str]) -> dict[str, Any]:
    return {
        "type": "meeting",
        "id": event_id,
        "when": "2025-04-14",
        "participants": participants,
        "tags": tags,
    }


def test_the_rules_by_example() -> None:
    store = MemoryStore()
    store.append(
        "s",
        [
            ev(_meeting("m-1", tags=["Deportation"], participants=["Nayib Bukele", "Donald Trump"])),
            ev(_meeting("m-2", tags=["prisons"], participants=["Karoline Leavitt"])),
            ev(
                {
                    "type": "payment",
                    "id": "p-1",
                    "when": "2025-03",
                    "payer": "United States",
                    "payee": "El Salvador",
                    "amount": {"value": "6000000", "currency": "USD"},
                    "tags": ["deportation"],
                }
            ),
        ],
    )
    timeline = Timeline.from_store(store)

    def ids(**kwargs: Any) -> list[str]:
        return [e.id for e in Selection(**kwargs).apply(timeline)]

    assert ids(tags=["DEPORTATION"]) == ["p-1", "m-1"]  # case aside
    assert ids(tags=["deportation", "prisons"]) == ["p-1", "m-1", "m-2"]  # one filter's values: OR
    assert ids(tags=["deportation"], types=["meeting"]) == ["m-1"]  # different filters: AND
    assert ids(actors=["nayib   bukele"]) == ["m-1"]  # spacing aside
    assert ids(actors=["Bukele"]) == []  # whole names, not parts
    assert ids(actors=["El Salvador"]) == ["p-1"]  # a role field (the payee) counts
    assert ids(types=["Payment"]) == ["p-1"]
    # A correction's tags are the ones that count.
    store.append(
        "s",
        [ev({"type": "correction", "id": "c", "target": "m-2", "changes": {"tags": ["x"]}, "reason": "r"})],
    )
    timeline.catch_up(store)
    assert ids(tags=["prisons"]) == []
    assert ids(tags=["X"]) == ["m-2"]


def test_equal_selections_are_equal() -> None:
    assert Selection(tags=["A", " a ", "b"]) == Selection(tags=("b", "a"))
    assert hash(Selection(actors=["X  Y"])) == hash(Selection(actors=["x y"]))
    assert not Selection()
    assert Selection(types=["payment"])
    assert Selection().scope == ""
    assert Selection(tags=["b", "a"]).scope == "tags=a&tags=b"


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"types": ["paymnet"]}, "type: 'paymnet' is not a known event type (known: "),
        ({"types": ["correction"]}, "'correction' is not a known event type"),  # not an occurrence
        ({"tags": ["  "]}, "tag: '  ' is empty"),
        ({"actors": [3]}, "actor: expected text, got int"),
    ],
)
def test_bad_values_are_named(kwargs: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Selection(**kwargs)
    assert says in str(caught.value)


def test_a_selected_timeline_is_read_only() -> None:
    store = MemoryStore()
    store.append("s", [ev(_meeting("m-1", tags=["a"], participants=["X"]))])
    chosen = Selection(tags=["a"]).apply(Timeline.from_store(store))
    assert isinstance(chosen, SelectedTimeline)
    for refused in (lambda: chosen.catch_up(store), lambda: chosen.fold([]), lambda: chosen.checkpoint()):
        with pytest.raises(TypeError, match="select again"):
            refused()
    assert chosen.between("2025-04") == list(chosen.entries)
    assert "selection=" in repr(chosen)
