"""The ``timelinejs`` exporter end to end: JSON parsed, HTML read back, ids, options, plugin wiring."""

from __future__ import annotations

import importlib.metadata
import io
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from timeline_timelinejs import TimelineJSExporter
from tljs_support import SETTINGS, Reader, lines_as_written, occurrence_lists, records, timeline_of

import timeline.plugins
from timeline import (
    Correction,
    Event,
    Meeting,
    Money,
    Occurrence,
    Payment,
    Retraction,
    Source,
    Timeline,
    ValidationError,
    When,
)
from timeline.testing import ExporterContract

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


def _export(events: Sequence[Event], **options: str) -> tuple[str, dict[str, Any]]:
    out = io.BytesIO()
    TimelineJSExporter().export(timeline_of(events), out, options)
    raw = out.getvalue().decode("utf-8")  # strict: the bytes must be UTF-8
    return raw, json.loads(raw)


def _expected_paragraphs(event: Occurrence) -> Iterator[str]:
    if event.description:
        yield lines_as_written(event.description)
    if event.place:
        yield "Place: " + lines_as_written(event.place)
    if event.involved():
        yield "Involved: " + ", ".join(lines_as_written(name) for name in event.involved())
    if event.sources:
        labels = (s.title or s.publisher or s.url or "" for s in event.sources)
        yield "Sources: " + ", ".join(lines_as_written(label) for label in labels)


@SETTINGS
@given(occurrence_lists)
def test_hostile_text_survives_as_text_and_creates_no_markup(events: list[Occurrence]) -> None:
    raw, doc = _export(events)
    # Script-safe: not even "</script>" in an event id can end the <script> element the JSON is pasted in.
    assert "<" not in raw
    assert ">" not in raw
    entries = timeline_of(events).entries
    assert [slide["unique_id"] for slide in doc["events"]] == [entry.id for entry in entries]
    by_id = {event.id: event for event in events}
    for slide in doc["events"]:
        event = by_id[slide["unique_id"]]
        headline = Reader(slide["text"]["headline"])
        assert set(headline.tags) <= {"br"}
        assert headline.text == lines_as_written(event.headline())
        body = Reader(slide["text"]["text"])
        assert set(body.tags) <= {"p", "br", "a"}
        assert body.paragraphs == list(_expected_paragraphs(event))
        web = [s for s in event.sources if s.url and urlsplit(s.url).scheme.lower() in ("http", "https")]
        assert [href for href, _ in body.links] == [s.url for s in web]
        assert [label for _, label in body.links] == [
            lines_as_written(s.title or s.publisher or s.url or "") for s in web
        ]


def test_dangerous_links_are_not_clickable() -> None:
    event = Meeting(
        id="m1",
        when=When.parse("2025-04-14"),
        participants=("A",),
        sources=(Source(url="javascript:alert(1)", title="click"), Source(url="https://x.org/?a=1&b=2")),
    )
    _, doc = _export([event])
    body = Reader(doc["events"][0]["text"]["text"])
    assert body.links == [("https://x.org/?a=1&b=2", "https://x.org/?a=1&b=2")]
    assert body.paragraphs[-1] == "Sources: click, https://x.org/?a=1&b=2"


def test_a_script_tag_in_a_title_is_shown_not_run() -> None:
    event = Meeting(
        id="</script><script>alert(1)</script>",
        when=When.parse("2025"),
        participants=("A & B",),
        title='<script>alert("x")</script>\nline 2',
    )
    raw, doc = _export([event])
    slide = doc["events"][0]
    assert slide["text"]["headline"] == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line 2"
    assert slide["unique_id"] == "</script><script>alert(1)</script>"
    assert "\\u003c/script\\u003e" in raw
    assert "</script>" not in raw
    assert "Involved: A &amp; B" in slide["text"]["text"]


def test_emoji_and_cjk_are_written_as_utf8() -> None:
    event = Meeting(id="m", when=When.parse("2025"), participants=("習近平",), title="会談 😀")
    out = io.BytesIO()
    TimelineJSExporter().export(timeline_of([event]), out, {})
    assert "会談 😀".encode() in out.getvalue()


def test_slide_shape_follows_the_timelinejs_format() -> None:
    payment = Payment(
        id="p1",
        when=When.parse("../2025-04-14"),
        payer="United States",
        payee="El Salvador",
        amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
    )
    _, doc = _export([payment])
    assert doc == {
        "events": [
            {
                "start_date": {"year": 2025, "month": 4, "day": 14, "display_date": "before 14 April 2025"},
                "display_date": "before 14 April 2025",
                "text": {
                    "headline": "United States pays El Salvador about 6,000,000 USD",
                    "text": "<p>Involved: United States, El Salvador</p>",
                },
                "unique_id": "p1",
            }
        ]
    }


def test_corrections_keep_the_unique_id_and_retractions_leave() -> None:
    first = Meeting(id="m1", when=When.parse("2025-03"), participants=("A",), title="old")
    second = Meeting(id="m2", when=When.parse("2025-04"), participants=("B",), title="gone")
    fix = Correction(id="c1", target="m1", changes={"title": "new", "when": "2025-03-05~"}, reason="r")
    drop = Retraction(id="r1", target="m2", reason="withdrawn")
    _, doc = _export([first, second, fix, drop])
    assert [s["unique_id"] for s in doc["events"]] == ["m1"]
    assert doc["events"][0]["text"]["headline"] == "new"
    start = {"year": 2025, "month": 3, "day": 5, "display_date": "about 5 March 2025"}
    assert doc["events"][0]["start_date"] == start


def test_retracted_entries_stay_out_even_when_the_timeline_shows_them() -> None:
    events: list[Event] = [
        Meeting(id="m1", when=When.parse("2025"), participants=("A",)),
        Retraction(id="r1", target="m1", reason="withdrawn"),
    ]
    tl = Timeline.from_records(records(events), include_retracted=True)
    assert len(tl.entries) == 1
    out = io.BytesIO()
    TimelineJSExporter().export(tl, out, {})
    assert json.loads(out.getvalue())["events"] == []


def test_options_title_and_group() -> None:
    events: list[Event] = [Meeting(id="m1", when=When.parse("2025"), participants=("A",))]
    _, doc = _export(events, title="Deportations <2025> & fees", group="type")
    assert doc["title"] == {"text": {"headline": "Deportations &lt;2025&gt; &amp; fees", "text": ""}}
    assert doc["events"][0]["group"] == "meeting"
    _, doc = _export(events, group="stream")
    assert doc["events"][0]["group"] == "story"
    _, doc = _export(events)
    assert "title" not in doc
    assert "group" not in doc["events"][0]


@pytest.mark.parametrize(
    ("options", "path"),
    [({"colour": "red"}, "options.colour"), ({"group": "actor"}, "options.group")],
)
def test_bad_options_are_validation_errors_naming_the_option(options: dict[str, str], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        TimelineJSExporter().export(timeline_of([]), io.BytesIO(), options)
    assert info.value.path == path


def test_an_empty_timeline_is_a_valid_document() -> None:
    _, doc = _export([])
    assert doc == {"events": []}


# -- the plugin as installed ----------------------------------------------------------------------


def test_the_entry_point_is_named_after_the_distribution() -> None:
    (point,) = importlib.metadata.entry_points(group="timeline", name="timeline_timelinejs")
    assert point.value == "timeline_timelinejs"
    assert point.dist is not None
    assert point.dist.name == "timeline-timelinejs"


class TestTimelineJSKeepsTheExporterContract(ExporterContract):
    """Found, blockable, writes bytes, deterministic, retractions left out, options checked."""

    format = "timelinejs"
    plugin = "timeline_timelinejs"


def test_timeline_exports_through_the_plugin() -> None:
    assert isinstance(timeline.plugins.make_plugin_manager().get_exporter("timelinejs"), TimelineJSExporter)
    out = io.BytesIO()
    timeline.export(timeline_of([]), "timelinejs", out, title="T")
    assert json.loads(out.getvalue())["title"]["text"]["headline"] == "T"
