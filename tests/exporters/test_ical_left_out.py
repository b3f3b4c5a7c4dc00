"""The feed's left-out count is read from each distinct date's text where the text settles it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.exporters._ical_dates import expressible, surely_expressible
from timeline.testing import whens
from timeline.when import When

TEXTS = ["2025-04-14", "../2025", "1000/8999-24", "19XX", "2024-01-05T17:12:00-08:00", "1990-03~/.."]
OUTSIDE = ["-0044-03-15", "Y170000002", "9999-24", "0000", "0999-XX", "../9999", "0000/2025"]


@given(whens())
def test_a_text_said_to_be_expressible_is(when: When) -> None:
    if surely_expressible(when.text):
        assert expressible(when)


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
