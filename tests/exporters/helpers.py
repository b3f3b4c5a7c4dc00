"""Helpers for the exporter tests: timelines from events, exports to bytes, the three iCalendar clients."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import vobject
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from timeline import exporting
from timeline.events import Correction, Event, Retraction
from timeline.projections import Timeline
from timeline.store import Recorded

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = Path(__file__).with_name("icaljs_parse.mjs")
T0 = datetime(2025, 5, 1, 9, 0, 0, tzinfo=UTC)


def records_of(events: Iterable[Event], *, stream: str = "s", start: datetime = T0) -> list[Recorded]:
    """Records of `events` in order: positions 1.., one second apart from `start`."""
    return [
        Recorded(position=i, stream=stream, version=i, recorded_at=start + timedelta(seconds=i), event=event)
        for i, event in enumerate(events, start=1)
    ]


def timeline_of(events: Iterable[Event], *, stream: str = "s", **kwargs: Any) -> Timeline:
    """A Timeline of one stream holding `events` (occurrences, corrections, retractions) in order."""
    return Timeline.from_records(records_of(events, stream=stream), stream=stream, **kwargs)


def correct(target: str, changes: dict[str, Any], *, event_id: str | None = None) -> Correction:
    """A correction of `target`."""
    return Correction(id=event_id or f"fix-{target}", target=target, changes=changes, reason="a better word")


def retract(target: str) -> Retraction:
    """A retraction of `target`."""
    return Retraction(id=f"drop-{target}", target=target, reason="source withdrawn")


def export_bytes(timeline: Timeline, format: str, **options: str) -> bytes:
    """What `timeline.export` writes for this format and these options."""
    with tempfile.TemporaryFile() as out:
        exporting.export(timeline, format, out, **options)  # a real file, not only BytesIO
        out.seek(0)
        return out.read()


# -- the iCalendar clients ---------------------------------------------------------------------


def icaljs_available() -> bool:
    """True if node and the pinned ical.js are there; in CI (CI set) their absence fails the test instead."""
    present = (
        shutil.which("node") is not None and (ROOT / "node_modules" / "ical.js" / "package.json").exists()
    )
    if not present and os.environ.get("CI"):
        pytest.fail("CI must test against ical.js: install node and run `npm ci` at the repository root")
    return present


def parse_icaljs(data: bytes) -> dict[str, Any]:
    """What Mozilla's ical.js reads from `data` (see icaljs_parse.mjs)."""
    if not icaljs_available():
        pytest.skip("node or node_modules/ical.js is missing (run `npm ci`); CI=true makes this a failure")
    with tempfile.NamedTemporaryFile(suffix=".ics") as f:
        f.write(data)
        f.flush()
        done = subprocess.run(
            ["node", str(ICALJS_SCRIPT), f.name], capture_output=True, check=False, cwd=ROOT, timeout=120
        )
    assert done.returncode == 0, done.stderr.decode()
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def parse_strict(data: bytes) -> Any:
    """The strict `ical` package's calendar (Home Assistant's parser)."""
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def parse_vobject(data: bytes) -> Any:
    """vobject's calendar, read with validation."""
    return vobject.readOne(data.decode("utf-8"), validate=True)


def vobject_events(calendar: Any) -> Sequence[Any]:
    """The VEVENTs vobject found (none: an empty list)."""
    return list(getattr(calendar, "vevent_list", []))


def hostile_text(pieces: Sequence[str], *, max_size: int) -> st.SearchStrategy[str]:
    """Non-empty text mixing any characters with `pieces` (fragments that are markup in the format tested)."""
    fragment = st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), st.sampled_from(list(pieces))
    )
    return st.lists(fragment, min_size=1, max_size=max_size).map("".join)
