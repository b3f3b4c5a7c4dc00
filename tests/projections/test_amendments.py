"""Corrections and retractions are validated when appended; a bad one refuses the whole batch (store/base.py).

Every refusal is checked the same way: a ValidationError naming the field path, and nothing appended (the
store's head and the stream's version are unchanged, and the valid event sent in the same batch is absent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from timeline.errors import ValidationError

from ._helpers import ev

if TYPE_CHECKING:
    from timeline.events import Event
    from timeline.store import EventStore

MEETING = {
    "type": "meeting",
    "id": "m1",
    "when": "2025-04-14",
    "participants": ["Donald Trump", "Nayib Bukele"],
}
PAYMENT = {
    "type": "payment",
    "id": "p1",
    "when": "../2025-04-14",
    "payer": "United States",
    "payee": "El Salvador",
    "amount": {"value": "6000000", "currency": "USD", "approximate": True},
}
BYSTANDER = {
    "type": "statement",
    "id": "bystander",
    "when": "2025",
    "by": "someone",
    "text": "valid on its own",
}


def fix(target: str, changes: dict[str, Any], event_id: str = "fix") -> Event:
    return ev({"type": "correction", "id": event_id, "target": target, "changes": changes, "reason": "r"})


def drop(target: str, event_id: str = "drop") -> Event:
    return ev({"type": "retraction", "id": event_id, "target": target, "reason": "r"})


def refused(store: EventStore, stream: str, events: list[Event], path: str, words: str) -> ValidationError:
    """Append must fail with `path` and `words` in the error, leaving the store as it was."""
    head, version = store.head(), store.version(stream)
    with pytest.raises(ValidationError) as caught:
        store.append(stream, [ev(BYSTANDER), *events])
    assert caught.value.path == path
    assert words in str(caught.value)
    assert store.head() == head
    assert store.version(stream) == version
    assert all(r.event.id != "bystander" for r in store.read_all())
    return caught.value


@pytest.fixture
def seeded(store: EventStore) -> EventStore:
    store.append("s", [ev(MEETING), ev(PAYMENT)])
    store.append("other", [ev({**MEETING, "id": "elsewhere"})])
    return store


def test_missing_target(seeded: EventStore) -> None:
    refused(seeded, "s", [fix("nope", {"title": "x"})], "[1].correction.target", "no event with id 'nope'")
    refused(seeded, "s", [drop("nope")], "[1].retraction.target", "no event with id 'nope'")


def test_target_in_another_stream(seeded: EventStore) -> None:
    refused(seeded, "s", [fix("elsewhere", {"title": "x"})], "[1].correction.target", "in stream 'other'")
    refused(seeded, "s", [drop("elsewhere")], "[1].retraction.target", "in stream 'other'")


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"colour": "red"}, "[1].correction.changes.colour", "unknown field"),
        ({"when": 2025}, "[1].correction.changes.when", "expected an EDTF date string"),
        ({"when": "2025-13"}, "[1].correction.changes.when", "month 13 does not exist"),
        ({"participants": "Donald Trump"}, "[1].correction.changes.participants", "expected a list"),
        ({"participants": []}, "[1].correction.changes.participants", "must not be empty"),
        ({"participants": None}, "[1].correction.changes.participants", "expected a list, got null"),
        ({"id": "m2"}, "[1].correction.changes.id", "cannot be corrected"),
        ({"type": "statement"}, "[1].correction.changes.type", "cannot be corrected"),
    ],
)
def test_change_that_makes_the_event_invalid(
    seeded: EventStore, changes: dict[str, Any], path: str, words: str
) -> None:
    refused(seeded, "s", [fix("m1", changes)], path, words)


def test_change_of_a_nested_value_with_the_wrong_type(seeded: EventStore) -> None:
    bad = {"amount": {"value": 6.5, "currency": "USD"}}
    refused(seeded, "s", [fix("p1", bad)], "[1].correction.changes.amount.value", "is a float")
    bad = {"amount": {"value": "1", "currency": "XXY"}}
    refused(seeded, "s", [fix("p1", bad)], "[1].correction.changes.amount.currency", "ISO 4217")


def test_amending_a_retracted_event(seeded: EventStore) -> None:
    seeded.append("s", [drop("m1", "drop-1")])
    refused(seeded, "s", [fix("m1", {"title": "x"})], "[1].correction.target", "is retracted")
    refused(seeded, "s", [drop("m1", "drop-2")], "[1].retraction.target", "is retracted")


def test_amending_an_event_retracted_earlier_in_the_same_batch(seeded: EventStore) -> None:
    refused(
        seeded, "s", [drop("p1", "d1"), fix("p1", {"title": "x"})], "[2].correction.target", "is retracted"
    )
    refused(seeded, "s", [drop("p1", "d1"), drop("p1", "d2")], "[2].retraction.target", "is retracted")


def test_correction_of_a_correction(seeded: EventStore) -> None:
    seeded.append("s", [fix("m1", {"title": "x"}, "fix-1")])
    refused(
        seeded,
        "s",
        [fix("fix-1", {"reason": "y"}, "fix-2")],
        "[1].correction.target",
        "only occurrences can be amended",
    )
    refused(seeded, "s", [drop("fix-1")], "[1].retraction.target", "only occurrences can be amended")


def test_a_later_correction_is_checked_against_the_corrected_event(seeded: EventStore) -> None:
    # The second change alone is valid for the original; the store must check it after the first one.
    seeded.append("s", [fix("p1", {"amount": {"value": "5", "currency": "EUR"}}, "fix-1")])
    seeded.append("s", [fix("p1", {"title": "five euros"}, "fix-2")])
    assert seeded.version("s") == 4


def test_valid_amendments_in_the_same_batch_as_their_target(store: EventStore) -> None:
    recorded = store.append(
        "s", [ev(MEETING), fix("m1", {"title": "x"}), fix("m1", {"place": "y"}, "f2"), drop("m1")]
    )
    assert [r.version for r in recorded] == [1, 2, 3, 4]


def test_a_batch_that_repeats_stored_amendments_and_adds_new_events(store: EventStore) -> None:
    # Re-importing a file that grew: its first lines (a retraction among them) are stored already.
    first = [ev(MEETING), ev(PAYMENT), drop("m1", "d1"), fix("p1", {"title": "x"}, "f1")]
    store.append("s", first)
    grown = [*first, fix("p1", {"place": "y"}, "f2"), ev(BYSTANDER)]
    recorded = store.append("s", grown)
    assert [r.event.id for r in recorded] == ["m1", "p1", "d1", "f1", "f2", "bystander"]
    assert store.head() == 6
    # ... while a new amendment of the retracted event in such a batch is still refused
    with pytest.raises(ValidationError, match="is retracted") as caught:
        store.append("s", [*grown, ev({**BYSTANDER, "id": "new"}), fix("m1", {"title": "z"}, "f3")])
    assert caught.value.path == "[7].correction.target"
    assert store.head() == 6
