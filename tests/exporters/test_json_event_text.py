"""The JSON exporter's generated event text is, byte for byte, the stdlib's encoding of `to_json(event)`."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.codec import to_json
from timeline.events import Correction, Event, Happening, Meeting, Retraction
from timeline.exporters._json_text import event_text, reference_text
from timeline.testing import occurrences
from timeline.values import Source
from timeline.when import When


def _reference(event: Event) -> tuple[str, str, str]:
    data = to_json(event)
    return reference_text(data["type"]), reference_text(data), reference_text(data.get("sources", []))


def _generated(event: Event) -> tuple[str, str, str]:
    function = event_text(type(event))
    assert function is not None
    return function(event)


@settings(max_examples=300)
@given(occurrences())
def test_every_occurrence_is_written_as_the_stdlib_writes_its_json(event: Event) -> None:
    assert _generated(event) == _reference(event)


free_form = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["title", "when", "x"]), free_form, min_size=1), st.text(min_size=1))
def test_corrections_and_retractions_too(changes: dict[str, Any], reason: str) -> None:
    correction = Correction(id="c", target="t", changes=changes, reason=reason)
    assert _generated(correction) == _reference(correction)
    retraction = Retraction(id="r", target="t", reason=reason)
    assert _generated(retraction) == _reference(retraction)


def test_a_happening_and_its_sources() -> None:
    happening = Happening(
        id="h",
        when=When.parse("2025-03~"),
        title='A "quoted" title\n\u2028',
        sources=(Source(url="https://e.org"), Source(title="T", published=When.parse("2025"))),
    )
    assert _generated(happening) == _reference(happening)
    assert _generated(happening)[2].startswith('[{"url": "https://e.org"}')


@pytest.mark.parametrize("value", [1, 1.5, True, None, ["a"]])
def test_a_value_of_another_type_is_refused_or_written_as_the_stdlib_writes_it(value: Any) -> None:
    meeting = Meeting(id="m", when=When.parse("2025"), participants=("A",))
    odd = attrs.evolve(meeting)
    object.__setattr__(odd, "title", value)  # past the validators: what a plugin's bug could leave
    try:
        got = _generated(odd)
    except TypeError:
        return  # the exporter then writes the reference text
    assert got == _reference(odd)
