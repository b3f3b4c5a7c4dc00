"""The JSON exporter assembles each entry's text from cached pieces: prove it equals encoding `entry_json`."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings

from timeline import export
from timeline.events import Correction, Event, Retraction
from timeline.exporters.json import entry_json
from timeline.testing import occurrence_lists, timeline_of


def _with_amendments(events: list[Event]) -> list[Event]:
    """Add a correction of the first event and a retraction of the last, when there are two or more."""
    if len(events) < 2:
        return events
    fix = Correction(
        id="fix-" + events[0].id[:190],
        target=events[0].id,
        changes={"title": "sources: 0"},
        reason='"sources":0',
    )
    drop = Retraction(id="drop-" + events[-1].id[:190], target=events[-1].id, reason="r")
    return [*events, fix, drop]


@settings(max_examples=60)
@given(occurrence_lists)
def test_exported_entries_equal_entry_json(events: list[Event]) -> None:
    tl = timeline_of(_with_amendments(events))
    for lines in ("false", "true"):
        out = io.BytesIO()
        export(tl, "json", out, lines=lines)
        text = out.getvalue().decode("utf-8")
        if lines == "true":
            got = [json.loads(line) for line in text.split("\n") if line]  # not splitlines: U+2028
        else:
            got = json.loads(text)["entries"]
        assert got == [entry_json(entry) for entry in tl.entries]
