"""Helpers for the exporter tests: timelines from events, exports to bytes, the three iCalendar clients."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from timeline import exporting
from timeline.projections import Timeline

if TYPE_CHECKING:
    from collections.abc import Sequence

ROOT = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = Path(__file__).with_name("icaljs_parse.mjs")


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
