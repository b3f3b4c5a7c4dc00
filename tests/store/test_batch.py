"""Preparing a batch: the common path (C-level loops over the whole batch) gives what the careful loop, one
event at a time, gives, and any batch with something wrong is refused naming the same first event at fault."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from timeline.errors import ValidationError
from timeline.events import Retraction, Statement
from timeline.store._batch import _prepare_carefully, prepare_batch
from timeline.testing import plain_occurrences
from timeline.when import When

broken = Statement(id="broken", when=When.parse("2025"), by="a", text="lone \ud800 surrogate")
items = st.one_of(
    plain_occurrences,
    plain_occurrences.map(lambda event: attrs.evolve(event, id="twice")),  # ids that repeat
    st.builds(Retraction, id=st.sampled_from(["r1", "r2"]), target=st.just("x"), reason=st.just("why")),
    st.just(broken),
    st.sampled_from([None, "not an event", 3]),
)


def _outcome(prepare: Any, batch: list[Any]) -> Any:
    try:
        return prepare(batch)
    except ValidationError as exc:
        return ("refused", exc.path, exc.reason)


@given(st.lists(items, max_size=8), st.integers(0, 5))
def test_the_common_path_gives_what_the_careful_loop_gives(batch: list[Any], offset: int) -> None:
    common = _outcome(lambda events: prepare_batch(iter(events), offset), batch)
    assert common == _outcome(lambda events: _prepare_carefully(events, offset), batch)


def test_a_batch_with_two_faults_is_refused_at_the_first() -> None:
    fine = Statement(id="twice", when=When.parse("2025"), by="a", text="t")
    outcome = _outcome(prepare_batch, [fine, broken, fine, None])
    assert outcome == ("refused", "[1].text", "contains a lone surrogate, which is not Unicode text")
