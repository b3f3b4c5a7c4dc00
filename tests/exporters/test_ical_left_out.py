"""The feed's left-out count is read from each distinct date's text where the text settles it."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.exporters._ical_dates import expressible, surely_expressible
from timeline.exporters._ical_feed import _left_out
from timeline.projections import Timeline
from timeline.store import MemoryStore
from timeline.testing import whens
from timeline.when import When

TEXTS = ["2025-04-14", "../2025", "1000/8999-24", "19XX", "2024-01-05T17:12:00-08:00", "1990-03~/.."]
OUTSIDE = ["-0044-03-15", "Y170000002", "9999-24", "0000", "0999-XX", "../9999", "0000/2025"]


@given(whens())
def test_a_text_said_to_be_expressible_is(when: When) -> None:
    if surely_expressible(when.text):
        assert expressible(when)
        assert when.in_python_range()


@given(st.text(max_size=12))
def test_any_text_is_judged_without_an_error(text: str) -> None:
    surely_expressible(text)  # garbage is never "surely" anything that matters: callers parse what it refuses


@pytest.mark.parametrize("text", TEXTS)
def test_the_common_forms_are_settled_by_their_text(text: str) -> None:
    assert surely_expressible(text)
    assert expressible(When.parse(text))


@pytest.mark.parametrize("text", OUTSIDE)
def test_years_near_or_past_the_ends_go_to_the_parser(text: str) -> None:
    assert not surely_expressible(text)


def _meetings(whens: list[str]) -> list[Any]:
    from timeline.codec import from_json

    return [
        from_json({"type": "meeting", "id": f"m{i}", "when": when, "participants": ["A"]})
        for i, when in enumerate(whens)
    ]


def _decoded(chunk: Any) -> bool:
    return bool(getattr(chunk, "decoded", True))  # a snapshot block decoded, or a chunk made


def test_a_restored_timeline_names_its_unusual_dates_from_its_index() -> None:
    """What an iCalendar export checks of every entry comes from the snapshot's index: the blocks without
    such a date are not decoded (a re-export through the render cache then reads a few blocks only)."""
    whens = ["2025-03"] * 30
    whens[7], whens[22] = "-0044-03-15", "9999-24"
    store = MemoryStore()
    store.append("s", _meetings(whens))
    with mock.patch("timeline.projections._sorted.CHUNK", 5):
        rebuilt = Timeline.from_store(store)
        checkpoint = rebuilt.checkpoint()
    restored = Timeline.from_checkpoint(checkpoint)
    assert [e.id for e in restored.unusually_dated()] == [e.id for e in rebuilt.unusually_dated()]
    assert sorted(e.id for e in rebuilt.unusually_dated()) == ["m22", "m7"]
    assert sum(map(_decoded, restored._sorted._chunks)) == 2  # their two blocks
    assert _left_out(restored) == _left_out(rebuilt) == ["m7", "m22"]  # -44 first, 9999 last
    usual = MemoryStore()
    usual.append("s", _meetings(["2025-03"] * 30))
    with mock.patch("timeline.projections._sorted.CHUNK", 5):
        plain = Timeline.from_checkpoint(Timeline.from_store(usual).checkpoint())
    assert _left_out(plain) == []
    assert not any(map(_decoded, plain._sorted._chunks))  # no block decoded
