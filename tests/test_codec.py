"""The codec: round trips for every event type, stable JSON, errors that name the field path, upcasting."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import pytest
from hypothesis import given

from timeline import (
    Correction,
    Event,
    Money,
    Occurrence,
    Payment,
    Retraction,
    ValidationError,
    When,
    from_json,
    open_store,
    to_json,
)
from timeline.codec import decode, dumps, register_upcaster
from timeline.events import EVENT_TYPES, register_event_type
from timeline.jsonl import BatchError, read_events
from timeline.testing import plain_occurrences

if TYPE_CHECKING:
    from collections.abc import Iterator

PAYMENT = {
    "type": "payment",
    "when": "../2025-04-14",
    "payer": "United States",
    "payee": "El Salvador",
    "amount": {"value": "6000000", "currency": "USD", "approximate": True},
    "purpose": "detention of deportees",
}


@given(plain_occurrences)
def test_round_trip_every_type(event: Event) -> None:
    data = to_json(event)
    assert from_json(data) == event
    # JSON is stable: encoding the decoded event gives the same text, through real JSON text.
    assert dumps(from_json(json.loads(dumps(event)))) == dumps(event)
    assert list(data)[:2] == ["type", "id"]


@given(plain_occurrences)
def test_store_decode_equals_checked_decode(event: Event) -> None:
    data = json.loads(dumps(event))
    assert decode(data["type"], type(event).SCHEMA_VERSION, dict(data)) == from_json(data)


def test_design_examples_parse() -> None:
    payment = from_json(PAYMENT)
    assert isinstance(payment, Payment)
    assert payment.amount == Money(value=Decimal("6000000"), currency="USD", approximate=True)
    assert payment.when == When.parse("../2025-04-14")
    assert payment.involved() == ("United States", "El Salvador")
    correction = from_json({"type": "correction", "target": "x", "changes": {"purpose": "y"}, "reason": "r"})
    assert isinstance(correction, Correction)
    assert isinstance(from_json({"type": "retraction", "target": "x", "reason": "gone"}), Retraction)


def test_given_id_is_kept_and_missing_id_is_generated() -> None:
    assert from_json({**PAYMENT, "id": "pay-1"}).id == "pay-1"
    first, second = from_json(PAYMENT), from_json(PAYMENT)
    assert first.id != second.id
    assert len(first.id) == 36


def test_count_shorthand() -> None:
    transfer = from_json(
        {
            "type": "transfer",
            "when": "2025-03",
            "subjects": "people",
            "origin": "A",
            "destination": "B",
            "count": 250,
        }
    )
    assert to_json(transfer)["count"] == {"value": 250}


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({**PAYMENT, "amount": {"value": "1", "currency": "US$"}}, "payment.amount.currency", "ISO 4217"),
    ({**PAYMENT, "amount": {"value": 6e6, "currency": "USD"}}, "payment.amount.value", "float"),
    ({**PAYMENT, "amount": {"value": "lots", "currency": "USD"}}, "payment.amount.value", "decimal"),
    ({**PAYMENT, "amount": {"value": "NaN", "currency": "USD"}}, "payment.amount.value", "finite"),
    ({**PAYMENT, "when": "2025-13"}, "payment.when", "'2025-13'"),
    ({**PAYMENT, "when": "March"}, "payment.when", "'March'"),
    ({**PAYMENT, "when": 2025}, "payment.when", "EDTF"),
    ({**PAYMENT, "payer": 3}, "payment.payer", "string"),
    ({**PAYMENT, "payer": ""}, "payment.payer", "empty"),
    ({**PAYMENT, "amont": 1}, "payment.amont", "unknown field"),
    ({k: v for k, v in PAYMENT.items() if k != "payee"}, "payment.payee", "missing"),
    ({**PAYMENT, "tags": "x"}, "payment.tags", "list"),
    ({**PAYMENT, "tags": ["a", 1]}, "payment.tags[1]", "string"),
    ({**PAYMENT, "sources": [{"url": "u"}, {"quote": "q"}]}, "payment.sources[1]", "url or a title"),
    (
        {**PAYMENT, "sources": [{"url": "u", "published": "2025-02-30"}]},
        "payment.sources[0].published",
        "2025-02-30",
    ),
    ({**PAYMENT, "id": ""}, "payment.id", "valid id"),
    ({"type": "meeting", "when": "2025", "participants": []}, "meeting.participants", "empty"),
    (
        {
            "type": "transfer",
            "when": "2025",
            "subjects": "s",
            "origin": "o",
            "destination": "d",
            "count": {"value": True},
        },
        "transfer.count.value",
        "whole number",
    ),
    (
        {
            "type": "transfer",
            "when": "2025",
            "subjects": "s",
            "origin": "o",
            "destination": "d",
            "count": {"value": -1},
        },
        "transfer.count.value",
        "at least 0",
    ),
    ({"type": "bogus"}, "type", "unknown event type"),
    ({"when": "2025"}, "type", "missing"),
]


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[p for _, p, _ in BAD])
def test_errors_name_the_field_path(data: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(data)
    assert caught.value.path == path
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_jsonl_reports_every_bad_line_with_its_number() -> None:
    good = json.dumps(PAYMENT)
    lines = [good, "", "{broken", good, json.dumps({**PAYMENT, "amount": {"value": "1", "currency": "US$"}})]
    with pytest.raises(BatchError) as caught:
        read_events(lines)
    assert [str(e) for e in caught.value.errors] == [
        "line 3: invalid JSON: Expecting property name enclosed in double quotes (column 2)",
        "line 5: payment.amount.currency: 'US$' is not an ISO 4217 code",
    ]
    events_, numbers = read_events([good, "", good])
    assert numbers == [1, 3]
    assert len(events_) == 2


@attrs.frozen(kw_only=True)
class Sighting(Occurrence):
    """A test-only event type whose schema changed: version 1 had `observer`, version 2 has `witnesses`."""

    TYPE: ClassVar[str] = "test-sighting"
    SCHEMA_VERSION: ClassVar[int] = 2
    witnesses: tuple[str, ...]


@pytest.fixture
def sighting_type() -> Iterator[None]:
    register_event_type(Sighting)

    @register_upcaster("test-sighting", 1)
    def observer_to_witnesses(data: dict[str, Any]) -> dict[str, Any]:
        data["witnesses"] = [data.pop("observer")]
        return data

    yield
    del EVENT_TYPES["test-sighting"]


@pytest.mark.usefixtures("sighting_type")
def test_stored_version_1_record_is_upcast_on_read(tmp_path: Any) -> None:
    store = open_store(str(tmp_path / "old.db"))
    store.close()
    import sqlite3

    old = {"type": "test-sighting", "id": "s1", "when": "2025-03", "observer": "a reporter"}
    with sqlite3.connect(tmp_path / "old.db") as conn:  # what a version-1 library wrote
        conn.execute(
            "INSERT INTO events (position, stream, version, id, type, schema_version, target,"
            " recorded_at, data) VALUES (1, 's', 1, 's1', 'test-sighting', 1, NULL, 0, ?)",
            (json.dumps(old),),
        )
    with open_store(str(tmp_path / "old.db")) as store:
        (record,) = store.read_all()
    assert record.event == Sighting(id="s1", when=When.parse("2025-03"), witnesses=("a reporter",))


def test_unknown_schema_version_is_an_error() -> None:
    with pytest.raises(ValidationError, match="newer than this library"):
        decode("payment", 7, dict(PAYMENT))
