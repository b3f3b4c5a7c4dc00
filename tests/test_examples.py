"""The reference story in examples/: valid, sourced, at the article's precision, and published end to end."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from timeline import Occurrence, Timeline, open_store
from timeline.cli import main
from timeline.jsonl import read_events

EXAMPLES = Path(__file__).parent.parent / "examples"
STORY = EXAMPLES / "story.jsonl"
STREAM = "el-salvador-deportations"


def load_publisher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("publish_feed", EXAMPLES / "publish_feed.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_story_events_are_valid_sourced_and_keep_the_article_precision() -> None:
    with STORY.open(encoding="utf-8") as handle:
        events, _ = read_events(handle)
    assert len(events) == 10
    assert len({e.id for e in events}) == 10
    for event in events:
        assert isinstance(event, Occurrence)
        assert event.sources, f"{event.id} cites no source"
        assert str(event.sources[0].published) == "2025-04-14"
    by_id = {e.id: e for e in events if isinstance(e, Occurrence)}
    # No invented days or numbers: the precision of the report, as examples/README.md explains.
    assert str(by_id["sv-02-alien-enemies-act"].when) == "2025-03"
    assert str(by_id["sv-03-deportation-to-cecot"].when) == "2025-03/2025-04-14"
    assert str(by_id["sv-04-detention-fee"].when) == "../2025-04-14"
    assert str(by_id["sv-06-white-house-meeting"].when) == "2025-04-14"
    raw = [json.loads(line) for line in STORY.read_text(encoding="utf-8").splitlines()]
    transfer = next(r for r in raw if r["type"] == "transfer")
    assert transfer["count"] == {"value": 250, "approximate": True}
    payment = next(r for r in raw if r["type"] == "payment")
    assert payment["amount"] == {"value": "6000000", "currency": "USD", "approximate": True}


def test_the_main_job_on_the_sqlite_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `./dev demo` runs: append to ./timeline.db, then export .ics, .json and .md with -o."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_STORE", raising=False)
    assert main(["append", STREAM, str(STORY)]) == 0
    for fmt, name in [("ical", "story.ics"), ("json", "story.json"), ("markdown", "story.md")]:
        assert main(["export", fmt, "--stream", STREAM, "-o", name]) == 0
    assert (tmp_path / "story.ics").read_bytes().count(b"BEGIN:VEVENT") == 10
    assert len(json.loads((tmp_path / "story.json").read_text(encoding="utf-8"))["entries"]) == 10
    assert "Trump hosts Bukele at the White House" in (tmp_path / "story.md").read_text(encoding="utf-8")
    assert main(["show", STREAM]) == 0
    shown = capsys.readouterr().out
    assert "by 14 April 2025" in shown
    assert "between 20 January 2025 and about February 2025" in shown


def test_publish_feed_is_idempotent_and_byte_stable(tmp_path: Path) -> None:
    publisher = load_publisher()
    db = str(tmp_path / "desk.db")
    args = ["--store", db, "--stream", STREAM, "--out", str(tmp_path / "feeds"), str(STORY)]
    assert publisher.main(args) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    assert sorted(first) == [f"{STREAM}.ics", f"{STREAM}.json", f"{STREAM}.md"]
    assert publisher.main(args) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == first
    with open_store(db) as store:
        assert store.head() == 10
        assert len(Timeline.from_store(store, stream=STREAM)) == 10


def test_publish_feed_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "meeting", "when": "2025-02-30", "participants": ["A"]}\n', encoding="utf-8")
    publisher = load_publisher()
    args = ["--store", str(tmp_path / "d.db"), "--stream", "s", "--out", str(tmp_path / "f"), str(bad)]
    assert publisher.main(args) == 2
