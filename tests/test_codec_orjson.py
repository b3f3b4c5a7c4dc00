"""Stored JSON is byte for byte what it was before orjson wrote it (the stdlib's compact encoding), over every
event type and the full range of each field, and it decodes back to the same event."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline import _fastcodec
from timeline._iso4217 import CURRENCIES
from timeline.codec import _to_json_cattrs, decode, decoder_for, dumps, to_json
from timeline.events import (
    BUILTIN_EVENT_TYPES,
    EVENT_TYPES,
    Correction,
    Event,
    Happening,
    Retraction,
    Statement,
    Transfer,
)
from timeline.testing import KINDS, hostile_text, ids, occurrences, sources_of, whens
from timeline.values import Money, Quantity
from timeline.when import When

#: Any text but lone surrogates: every code point, the hostile fragments among them.
any_text = hostile_text | st.text(st.characters(codec="utf-8"), min_size=1)
#: Every amount the validation lets through: up to 18 digits before the point and 8 after, either sign.
full_money = st.builds(
    Money,
    value=st.one_of(
        *(
            st.decimals(
                min_value=Decimal("-999999999999999999.99999999"),
                max_value=Decimal("999999999999999999.99999999"),
                places=places,
                allow_nan=False,
                allow_infinity=False,
            )
            for places in (0, 2, 8)
        )
    ),
    currency=st.sampled_from(sorted(CURRENCIES)),
    approximate=st.booleans(),
)
#: Every count: 0 up, past 64 bits (orjson refuses those; the stdlib writes them).
full_counts = st.builds(
    Quantity, value=st.integers(0, 2**64 - 1) | st.integers(0, 10**40), approximate=st.booleans()
)
full_occurrences = st.builds(
    lambda event, count: attrs.evolve(event, count=count) if isinstance(event, Transfer) else event,
    occurrences(text=any_text, amounts=full_money, sources=sources_of(any_text)),
    st.none() | full_counts,
)
happenings = st.builds(
    Happening,
    id=ids,
    when=whens(),
    title=any_text,
    place=st.none() | any_text,
    tags=st.lists(any_text, max_size=3).map(tuple),
)
#: A correction's changes are free-form JSON: floats, big numbers and any keys among them.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False)
    | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
amendments = st.builds(
    Correction,
    id=ids,
    target=ids,
    reason=any_text,
    changes=st.dictionaries(any_text, json_values, min_size=1, max_size=3),
) | st.builds(Retraction, id=ids, target=ids, reason=any_text)
every_event = full_occurrences | happenings | amendments


def stdlib_encoding(event: Event) -> str:
    """How the store wrote an event before orjson: the cattrs dict through json.dumps, compact, UTF-8."""
    return json.dumps(_to_json_cattrs(event), ensure_ascii=False, separators=(",", ":"))


def test_the_strategies_cover_every_built_in_event_type() -> None:
    covered = {EVENT_TYPES[kind] for kind in KINDS} | {Happening, Correction, Retraction}
    assert set(BUILTIN_EVENT_TYPES) <= covered


@given(every_event)
def test_stored_json_is_byte_for_byte_the_stdlib_encoding(event: Event) -> None:
    assert dumps(event).encode() == stdlib_encoding(event).encode()


@given(every_event)
def test_stored_json_decodes_back_to_the_event(event: Event) -> None:
    text = dumps(event)
    assert decode(event.TYPE, event.SCHEMA_VERSION, json.loads(text)) == event
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:  # a number past 64 bits: the store falls back to json.loads
        assert "count" in text or event.TYPE == "correction"
        return
    assert parsed == json.loads(text)
    assert decoder_for(event.TYPE, event.SCHEMA_VERSION)(parsed) == event


@given(full_occurrences | happenings | st.builds(Retraction, id=ids, target=ids, reason=any_text))
def test_orjson_itself_writes_the_stdlib_bytes_for_typed_events(event: Event) -> None:
    # The fast path's claim, checked apart from its fallback: orjson, not the stdlib, wrote these.
    try:
        written = orjson.dumps(to_json(event))
    except orjson.JSONEncodeError:
        assert isinstance(event, Transfer)
        assert event.count is not None
        assert event.count.value >= 2**64
        return
    assert written == stdlib_encoding(event).encode()


@pytest.mark.parametrize("cls", [Statement, Transfer, Happening, Retraction])
def test_typed_events_are_written_by_orjson_and_free_form_ones_by_the_stdlib(cls: type[Event]) -> None:
    dump = _fastcodec.dumper(cls)
    assert dump is not None
    assert "_orjson" in dump.__code__.co_names
    free_form = _fastcodec.dumper(Correction)
    assert free_form is not None
    assert "_orjson" not in free_form.__code__.co_names


def test_a_count_past_64_bits_is_written_as_before() -> None:
    event = Transfer(
        id="t",
        when=When.parse("2025"),
        subjects="s",
        origin="a",
        destination="b",
        count=Quantity(value=10**30),
    )
    assert dumps(event) == stdlib_encoding(event)
    assert '"count":{"value":1000000000000000000000000000000}' in dumps(event)


@pytest.mark.parametrize(
    ("changes", "written"),
    [
        ({"n": 1e16}, '{"n":1e+16}'),
        ({"n": 2**70}, '{"n":1180591620717411303424}'),
        ({"n": -0.0}, '{"n":-0.0}'),
    ],
)
def test_a_corrections_free_form_changes_are_written_as_before(changes: dict[str, Any], written: str) -> None:
    event = Correction(id="c", target="t", changes=changes, reason="r")
    assert dumps(event) == stdlib_encoding(event)
    assert f'"changes":{written}' in dumps(event)


def test_a_lone_surrogate_is_still_written_by_the_stdlib_for_the_store_to_refuse() -> None:
    # orjson refuses it; the stdlib writes it, and the store's check names the field (tests/store).
    event = Statement(id="s", when=When.parse("2025"), by="a", text="broken \ud800")
    assert dumps(event) == stdlib_encoding(event)
