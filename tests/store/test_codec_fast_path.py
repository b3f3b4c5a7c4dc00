"""The codec's fast paths (timeline._fastcodec), which the store uses, give what the cattrs paths give."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline import _fastcodec, _speed
from timeline.codec import _fast, _to_json_cattrs, decode, decoder_for, dumps, to_json
from timeline.errors import ValidationError
from timeline.events import Correction, Event, Retraction
from timeline.testing import names
from timeline.testing import plain_occurrences as occurrences

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | names,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
amendments = st.builds(
    Correction,
    target=names,
    reason=names,
    changes=st.dictionaries(names, json_values, min_size=1, max_size=3),
) | st.builds(Retraction, target=names, reason=names)
all_events = occurrences | amendments


@given(all_events)
def test_to_json_equals_cattrs_key_for_key_in_order(event: Event) -> None:
    fast = to_json(event)
    assert list(fast.items()) == list(_to_json_cattrs(event).items())
    assert dumps(event) == json.dumps(_to_json_cattrs(event), ensure_ascii=False, separators=(",", ":"))


@given(all_events)
def test_decode_equals_cattrs_and_gives_the_event_back(event: Event) -> None:
    stored = json.loads(dumps(event))
    del stored["type"]
    slow = _fast().structure(dict(stored), type(event))
    fast = decode(event.TYPE, event.SCHEMA_VERSION, dict(stored))
    assert fast == slow == event
    assert type(fast) is type(event)
    assert dumps(fast) == dumps(event)
    # What a store uses on each row: the same, from the dict as stored (with its "type").
    assert decoder_for(event.TYPE, event.SCHEMA_VERSION)(json.loads(dumps(event))) == event


@pytest.mark.parametrize("change", [{"colour": "red"}, {"when": 2025}, {"when": "2025-13"}])
def test_data_the_store_could_not_have_written_goes_the_validating_way(change: dict[str, Any]) -> None:
    # (The fast path trusts the types of what the store wrote; a key or a value it cannot take sends the
    # row down the cattrs path, whose error, said as a ValidationError naming the field, explains it.)
    stored = {"id": "x", "when": "2025", "by": "a", "text": "t"} | change
    with pytest.raises(ValidationError) as info:
        decode("statement", 1, {"type": "statement", **stored})
    assert info.value.path.startswith("statement")  # the fast converter does not track the field path


@attrs.frozen(kw_only=True)
class _Odd(Event):
    """Fields named like the generated code's locals, and one type the fast path does not know."""

    TYPE: ClassVar[str] = "odd-test-type"
    o: str = "x"
    res: tuple[str, ...] = ()
    v: int | None = None


@attrs.frozen(kw_only=True)
class _Unknown(Event):
    TYPE: ClassVar[str] = "unknown-test-type"
    numbers: frozenset[int] = frozenset()


def test_field_names_cannot_collide_with_the_generated_code() -> None:
    event = _Odd(id="e", o="oh", res=("a", "b"), v=3)
    assert list(to_json(event).items()) == list(_to_json_cattrs(event).items())
    stored = to_json(event)
    del stored["type"]
    decoder = _fastcodec.decoder(_Odd)
    assert decoder is not None
    assert decoder(stored) == event


def test_a_field_type_the_fast_path_does_not_know_goes_through_cattrs() -> None:
    assert _fastcodec.encoder(_Unknown) is None
    assert _fastcodec.decoder(_Unknown) is None
    event = _Unknown(id="u", numbers=frozenset({1}))
    assert to_json(event) == _to_json_cattrs(event)


@attrs.frozen(kw_only=True)
class _Slotted:
    o: int
    b: str = "x"


@attrs.frozen(kw_only=True, slots=False)
class _WithDict:
    a: int
    o: tuple[int, ...] = ()


@given(st.integers(), names)
def test_builder_builds_what_the_class_builds(number: int, text: str) -> None:
    assert _speed.builder(_Slotted)(number, text) == _Slotted(o=number, b=text)
    assert _speed.builder(_WithDict)(number, (number,)) == _WithDict(a=number, o=(number,))


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_documents)
def test_the_json_encoder_writes_what_json_dumps_writes(value: Any) -> None:
    assert _speed.json_text()(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
