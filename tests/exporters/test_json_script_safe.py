"""JSON meant for a ``<script>`` block (issue 9): ``</``, U+2028 and U+2029 escaped, the value unchanged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from tests.exporters.helpers import export_bytes
from timeline.events import Meeting
from timeline.exporters.json import entry_json
from timeline.testing import hostile_text_of as hostile_text
from timeline.testing import timeline_of
from timeline.when import When

PIECES = ["</script>", "</", "<", "/", "\u2028", "\u2029", "<!--", "\\", '"', "x"]


@pytest.mark.parametrize("lines", ["false", "true"])
@settings(max_examples=60)
@given(text=hostile_text(PIECES, max_size=8))
def test_script_breakers_are_escaped_and_the_value_is_kept(lines: str, text: str) -> None:
    event = Meeting(id=f"m{text}x", when=When.parse("2025-04-14"), participants=(text or "A",), title=text)
    timeline = timeline_of([event], stream="s")
    raw = export_bytes(timeline, "json", lines=lines).decode("utf-8")
    assert "</" not in raw
    assert "\u2028" not in raw
    assert "\u2029" not in raw
    entries = (
        [json.loads(line) for line in raw.split("\n") if line]
        if lines == "true"
        else json.loads(raw)["entries"]
    )
    assert entries == [entry_json(entry) for entry in timeline.entries]
