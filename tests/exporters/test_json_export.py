"""The JSON exporter: valid against its published schema, deterministic, lossless for the events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exporters.helpers import export_bytes
from timeline.codec import from_json, to_json
from timeline.errors import ValidationError
from timeline.events import Meeting, Occurrence
from timeline.exporters.json import SCHEMA_VERSION, entry_json, schema
from timeline.projections import Timeline
from timeline.testing import correct, retract, story, timeline_of
from timeline.testing import plain_occurrences as occurrences
from timeline.when import When

ENTRY_KEYS = [
    "id",
    "stream",
    "type",
    "when",
    "earliest",
    "latest",
    "precision",
    "approximate",
    "uncertain",
    "human",
    "title",
    "revision",
    "first_recorded",
    "last_changed",
    "retracted",
    "history",
    "sources",
    "event",
]


def _validator(part: str | None = None) -> jsonschema.Draft202012Validator:
    root = schema()
    target = root if part is None else {"$ref": f"#/$defs/{part}", "$defs": root["$defs"]}
    return jsonschema.Draft202012Validator(
        target, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_schema_is_shipped_in_the_package_and_is_draft_2020_12() -> None:
    shipped = files("timeline.exporters").joinpath("schema/timeline.schema.json")
    loaded = json.loads(shipped.read_text(encoding="utf-8"))
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(loaded)
    assert loaded == schema()


def test_story_validates_and_reads_back() -> None:
    data = export_bytes(story.story_timeline(), "json")
    document = json.loads(data)
    _validator().validate(document)
    assert list(document) == [
        "schema_version",
        "stream",
        "as_of",
        "generated_from_position",
        "last_changed",
        "entries",
    ]
    assert document["schema_version"] == SCHEMA_VERSION == 1
    assert document["stream"] == story.STREAM
    assert document["as_of"] is None
    assert document["generated_from_position"] == 6
    assert document["last_changed"] == "2025-04-21T12:00:00+00:00"
    entries = document["entries"]
    assert [e["id"] for e in entries] == [
        story.FIXED_ID_STATEMENT,
        story.FIXED_ID_INVOCATION,
        story.FIXED_ID_TRANSFER,
        story.FIXED_ID_PAYMENT,
        story.FIXED_ID_MEETING,
    ]
    for entry in entries:
        assert list(entry) == ENTRY_KEYS
    payment = entries[3]
    assert payment["when"] == "../2025-04-14"
    assert (payment["earliest"], payment["latest"], payment["precision"]) == (None, "2025-04-14", "day")
    assert payment["human"] == "before 14 April 2025"
    assert payment["revision"] == 2
    assert payment["history"] == [
        {
            "kind": "correction",
            "event_id": story.FIXED_ID_CORRECTION,
            "position": 6,
            "recorded_at": "2025-04-21T12:00:00+00:00",
            "reason": "the purpose of the payment was left out",
            "changes": {"purpose": "detention of deportees"},
        }
    ]
    assert payment["event"]["amount"] == {"value": "6000000", "currency": "USD", "approximate": True}
    assert payment["event"]["purpose"] == "detention of deportees"
    statement = entries[0]
    assert (statement["earliest"], statement["latest"]) == ("2025-01-20", "2025-02-28")
    assert statement["approximate"] is True
    assert statement["precision"] == "day"


def test_exports_are_deterministic_and_utf8() -> None:
    event = Meeting(id="m", when=When.parse("2025"), participants=("Ñandú", "中文"), title="café 😀")
    first = export_bytes(timeline_of([event]), "json")
    assert first == export_bytes(timeline_of([event]), "json")
    assert "café 😀".encode() in first
    assert b"\\u" not in first
    assert json.loads(first)["entries"][0]["precision"] == "year"


def test_as_of_and_the_all_streams_export() -> None:
    cut = story.FIXED_RECORDED_AT_BATCH + timedelta(hours=1)
    timeline = Timeline.from_records(story.records(), as_of=cut)
    document = json.loads(export_bytes(timeline, "json"))
    _validator().validate(document)
    assert document["stream"] is None
    assert document["as_of"] == cut.isoformat()
    assert document["generated_from_position"] == 5  # the correction came later
    assert all(e["revision"] == 1 for e in document["entries"])


def test_empty_timeline() -> None:
    document = json.loads(export_bytes(Timeline.from_records([]), "json"))
    _validator().validate(document)
    assert document["entries"] == []
    assert document["last_changed"] is None
    assert export_bytes(Timeline.from_records([]), "json", lines="true") == b""


def test_json_lines() -> None:
    data = export_bytes(story.story_timeline(), "json", lines="true")
    lines = data.decode().split("\n")
    assert lines[-1] == ""
    entries = [json.loads(line) for line in lines[:-1]]
    assert len(entries) == 5
    for entry in entries:
        _validator("entry").validate(entry)
    whole = json.loads(export_bytes(story.story_timeline(), "json"))
    assert entries == whole["entries"]


def test_retracted_entries_when_the_timeline_shows_them() -> None:
    event = Meeting(id="m", when=When.parse("2025-04-14"), participants=("A",))
    timeline = timeline_of([event, retract("m")], include_retracted=True)
    (entry,) = json.loads(export_bytes(timeline, "json"))["entries"]
    _validator("entry").validate(entry)
    assert entry["retracted"] is True
    assert entry["history"][0]["kind"] == "retraction"
    assert entry["history"][0]["changes"] == {}
    hidden = json.loads(export_bytes(timeline_of([event, retract("m")]), "json"))
    assert hidden["entries"] == []


def test_bad_lines_value_names_the_option() -> None:
    with pytest.raises(ValidationError) as caught:
        export_bytes(story.story_timeline(), "json", lines="maybe")
    assert caught.value.path == "options.lines"


def test_the_schema_refuses_what_it_should() -> None:
    entry = entry_json(story.story_timeline().entries[0])
    validator = _validator("entry")
    validator.validate(entry)
    for broken in (
        {**entry, "when": "March 2025"},
        {**entry, "precision": "week"},
        {**entry, "revision": 0},
        {**entry, "surprise": 1},
        {**entry, "event": {**entry["event"], "by": 5}},
        {**entry, "first_recorded": "yesterday"},
        {k: v for k, v in entry.items() if k != "latest"},
    ):
        assert not validator.is_valid(broken), broken


@given(st.lists(occurrences, min_size=1, max_size=5, unique_by=lambda e: e.id), st.data())
@settings(max_examples=60)
def test_any_events_validate_and_round_trip(events: list[Occurrence], data: st.DataObject) -> None:
    amended: list[Any] = list(events)
    first = events[0]
    if data.draw(st.booleans(), label="correct the first"):
        amended.append(correct(first.id, {"title": data.draw(st.text(min_size=1, max_size=20))}))
    timeline = timeline_of(amended)
    document = json.loads(export_bytes(timeline, "json"))
    _validator().validate(document)
    by_id = {e["id"]: e for e in document["entries"]}
    assert len(document["entries"]) == len(events)
    for shown in timeline:
        entry = by_id[shown.id]
        assert entry["event"] == to_json(shown.event)
        assert from_json(entry["event"]) == shown.event
        when = shown.event.when
        assert entry["when"] == str(when)
        assert entry["earliest"] == (None if when.earliest is None else when.earliest.isoformat())
        assert entry["latest"] == (None if when.latest is None else when.latest.isoformat())
        assert entry["title"] == shown.event.headline()
        assert entry["revision"] == shown.revision == 1 + len(entry["history"])
        assert datetime.fromisoformat(entry["last_changed"]).astimezone(UTC) == shown.last_changed
    assert [e["id"] for e in document["entries"]] == [e.id for e in timeline]
