"""TimelineJS slides show what the typed fields say (issue 10), as `timeline.facts` words it."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest
from timeline_timelinejs import to_timelinejs

from timeline.events import Occurrence

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.test_facts import IDS, TYPED

from timeline.testing import timeline_of


@pytest.mark.parametrize(("event", "line"), TYPED, ids=IDS)
def test_slide_text_shows_the_facts(event: Occurrence, line: str) -> None:
    (slide,) = to_timelinejs(timeline_of([event]))["events"]
    assert slide["text"]["text"].startswith(f"<p>{html.escape(line, quote=True)}</p>")
