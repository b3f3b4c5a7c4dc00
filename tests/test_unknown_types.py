"""Events that are not one of the five kinds (issue 10): the built-in `happening`, and stored events of a
plugin's type after the plugin is gone (kept as stored, shown and exported as generic events, type named)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, ClassVar

import attrs
import jsonschema
import pytest

from timeline import ValidationError, export, from_json, open_store, to_json
from timeline.cli import main
from timeline.codec import decode, dumps
from timeline.events import EVENT_TYPES, Occurrence, register_event_type
from timeline.exporters.json import schema
from timeline.projections import Timeline
from timeline.testing import records
from timeline.values import Quantity

HAPPENING: dict[str, Any] = {
    "type": "happening",
    "id": "ruling-1",
    "when": "2025-04-07",
    "title": "Supreme Court lets deportations under the Alien Enemies Act resume",
    "place": "Washington, DC",
    "actors": ["US Supreme Court"],
    "sources": [{"title": "A report", "published": "2025-04-14"}],
}


@attrs.frozen(kw_only=True)
class Protest(Occurrence):
    """A plugin's event type, registered for the test and then "uninstalled"."""

    TYPE: ClassVar[str] = "test-protest"
    crowd: Quantity | None = None
    slogan: str | None = None


PROTEST: dict[str, Any] = {
    "type": "test-protest",
    "id": "protest-1",
    "when": "2025-04-12~",
    "title": "Protest outside CECOT",
    "description": "Relatives ask for news",
    "tags": ["cecot"],
    "sources": [{"url": "https://example.org/p", "title": "Report"}],
    "crowd": {"value": 300, "approximate": True},
    "slogan": "¡Libertad!",
}
SECOND: dict[str, Any] = {"type": "test-protest", "id": "protest-2", "when": "2025", "crowd": 3}


def test_happening_round_trips_and_needs_a_title() -> None:
    event = from_json(HAPPENING)
    assert event.TYPE == "happening"
    assert from_json(to_json(event)) == event
    assert event.headline() == HAPPENING["title"]
    with pytest.raises(ValidationError) as caught:
        from_json({k: v for k, v in HAPPENING.items() if k != "title"})
    assert caught.value.path == "happening.title"


def test_happening_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(HAPPENING) + "\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    assert main(["--store", db, "append", "s", str(path)]) == 0
    assert main(["--store", db, "show", "s"]) == 0
    out = capsys.readouterr().out
    assert "happening" in out
    assert HAPPENING["title"] in out
    for fmt in ("ical", "json", "markdown"):
        assert main(["--store", db, "export", fmt]) == 0
        assert "Supreme Court lets deportations" in capsys.readouterr().out


@pytest.fixture
def store_with_plugin_events(tmp_path: Path) -> str:
    """A store holding a plugin's events, the plugin then uninstalled (its type unregistered)."""
    db = str(tmp_path / "t.db")
    register_event_type(Protest)
    try:
        events = [from_json(PROTEST), from_json(SECOND), from_json(HAPPENING)]
        with open_store(db) as store:
            store.append("s", events)
    finally:
        del EVENT_TYPES[Protest.TYPE]
    return db


def test_stored_events_of_a_missing_type_are_kept_exactly(store_with_plugin_events: str) -> None:
    with open_store(store_with_plugin_events) as store:
        events = [record.event for record in store.read("s")]
    protest = events[0]
    assert protest.TYPE == "test-protest"
    assert to_json(protest) == PROTEST
    assert json.loads(dumps(protest)) == PROTEST
    assert list(to_json(protest)) == list(PROTEST)  # the same key order: type and id first
    assert protest.headline() == "Protest outside CECOT"
    assert isinstance(protest, Occurrence)
    assert str(protest.when) == "2025-04-12~"
    assert events[2].TYPE == "happening"


def test_a_missing_type_is_shown_and_exported_as_a_generic_event(
    capsys: pytest.CaptureFixture[str], store_with_plugin_events: str
) -> None:
    db = store_with_plugin_events
    assert main(["--store", db, "show", "s"]) == 0
    out, err = capsys.readouterr()
    assert "test-protest" in out
    assert "Protest outside CECOT" in out
    assert 'no installed plugin provides the event type(s) "test-protest" (2 event(s))' in err
    for fmt in ("ical", "json", "markdown"):
        assert main(["--store", db, "export", fmt]) == 0, fmt
        out, err = capsys.readouterr()
        assert "Protest outside CECOT" in out
        assert "test-protest" in err
    assert main(["--store", db, "export", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema()).validate(document)  # the happening and the generic events too
    entries = document["entries"]
    assert next(e for e in entries if e["id"] == "protest-1")["event"] == PROTEST


def test_a_correction_of_a_missing_type_applies(store_with_plugin_events: str) -> None:
    with open_store(store_with_plugin_events) as store:
        store.append(
            "s",
            [
                from_json(
                    {
                        "type": "correction",
                        "id": "c1",
                        "target": "protest-1",
                        "changes": {"title": "Vigil outside CECOT"},
                        "reason": "it was a vigil",
                    }
                )
            ],
        )
        tl = Timeline.from_store(store, stream="s")
    entry = next(e for e in tl.entries if e.id == "protest-1")
    assert entry.event.headline() == "Vigil outside CECOT"
    assert to_json(entry.event) == PROTEST | {"title": "Vigil outside CECOT"}
    for fmt in ("ical", "json", "markdown"):
        export(tl, fmt, io.BytesIO())


def test_reinstalling_the_plugin_reads_its_type_again(store_with_plugin_events: str) -> None:
    register_event_type(Protest)
    try:
        with open_store(store_with_plugin_events) as store:
            protest = next(iter(store.read("s"))).event
        assert isinstance(protest, Protest)
        assert protest.slogan == "¡Libertad!"
    finally:
        del EVENT_TYPES[Protest.TYPE]


def test_a_stored_event_of_a_missing_type_without_a_date_is_kept_and_left_out_of_timelines() -> None:
    stored = {"type": "test-protest", "id": "q", "when": "soon", "extra": [1, {"a": None}]}
    event = decode("test-protest", 3, json.loads(json.dumps(stored)))
    assert not isinstance(event, Occurrence)
    assert to_json(event) == stored
    tl = Timeline.from_records(records([event, from_json(HAPPENING)]))
    assert [e.id for e in tl.entries] == ["ruling-1"]


def test_input_of_a_missing_type_is_still_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(PROTEST)
    assert caught.value.path == "type"


def test_a_script_run_again_still_names_the_missing_type(
    capsys: pytest.CaptureFixture[str],
    store_with_plugin_events: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `export -o` resumes the Timeline from the last run's snapshot, whose entries are kept unbuilt: the
    # warning must not depend on whether the events were built.
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    out = str(tmp_path / "feed.json")
    for run in ("first", "second"):
        assert main(["--store", store_with_plugin_events, "export", "json", "-o", out]) == 0
        err = capsys.readouterr().err
        assert 'no installed plugin provides the event type(s) "test-protest" (2 event(s))' in err, run
    assert (tmp_path / "cache" / "snapshots").is_dir()
