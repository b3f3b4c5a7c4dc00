"""The ``html`` exporter: hostile text creates no markup, structured data that cannot end early, the same
bytes for the same timeline, options and their errors, an empty page, date values HTML accepts."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from html_support import (
    PAYLOADS,
    export,
    hostile_timeline,
    json_ld,
    parse,
    records,
    story_events,
    story_page,
    timeline_of,
)
from timeline_html import HtmlExporter
from timeline_html._dates import datetime_value, when_html
from timeline_html._jsonld import script_json

from timeline import (
    Meeting,
    Source,
    Timeline,
    ValidationError,
    When,
)


def test_hostile_text_creates_no_markup() -> None:
    document = parse(export(hostile_timeline(), retracted="show"))
    assert len(document.all("script")) == 2
    assert not [n for n in document.walk() if any(name.startswith("on") for name in n.attrs)]
    assert [n.tag for n in document.walk() if n.tag in {"img", "b", "i", "style"}] == ["style"]
    nodes = document.all("li", "entry")
    titles = [n.one(cls="title").text() for n in nodes]
    assert {PAYLOADS[7], PAYLOADS[0] + PAYLOADS[1], "W" * 10_240} <= set(titles)
    # User text sits in isolating elements: dir=auto on blocks, <bdi> inline.
    for node in nodes:
        assert node.one(cls="title").attrs["dir"] == "auto"
    (place,) = document.all("p", "place")
    assert place.one("bdi").text() == PAYLOADS[2]


def test_the_json_ld_block_cannot_end_early_and_reads_back() -> None:
    data = {"name": "</script><!-- & \u2028 \u2029 >"}
    text = script_json(data)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == data
    document = parse(export(hostile_timeline()))
    ld = json_ld(document)
    assert ld["@type"] == "ItemList"
    items = ld["itemListElement"]
    assert isinstance(items, list)
    assert {item["item"]["@type"] for item in items} == {"Event"}
    names = [i["item"]["name"] for i in items]
    assert PAYLOADS[0] + PAYLOADS[1] in names


def test_schema_org_events_have_their_bounds() -> None:
    items = json_ld(story_page())["itemListElement"]
    assert isinstance(items, list)
    first, _, third, fourth = (i["item"] for i in items[:4])
    assert (first["startDate"], first["endDate"]) == ("2025-01-20", "2025-02")
    assert (third["startDate"], third["endDate"]) == ("2025-03", "2025-04-14")
    assert "startDate" not in fourth
    assert fourth["endDate"] == "2025-04-14"
    assert first["subjectOf"][0]["datePublished"] == "2025-04-14"


def test_the_same_timeline_gives_the_same_bytes() -> None:
    first = export(timeline_of(story_events()), title="T")
    assert export(timeline_of(story_events()), title="T") == first
    as_of = Timeline.from_records(records(story_events()), as_of=datetime(2025, 5, 1, 12, 0, 5, tzinfo=UTC))
    assert "as known on 1 May 2025" in parse(export(as_of)).one("p", "intro").text()


def test_options_title_lang_and_theme() -> None:
    document = parse(export(timeline_of(story_events()), title="<Story>", lang="es-419", theme="#AbC"))
    assert document.one("title").text() == "<Story>"
    assert document.one("html").attrs["lang"] == "es-419"
    assert "--accent:#aabbcc;" in document.one("style").text()
    default = parse(export(timeline_of(story_events(), stream="my-stream")))
    assert default.one("h1").text() == "my-stream"
    assert parse(export(Timeline.from_records(records(story_events())))).one("h1").text() == "Timeline"
    assert "--accent:#2563eb;" in default.one("style").text()


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"colour": "red"}, "options.colour"),
        ({"theme": "red"}, "options.theme"),
        ({"theme": "#12345"}, "options.theme"),
        ({"theme": "#123456;}body{display:none"}, "options.theme"),
        ({"lang": "en US"}, "options.lang"),
        ({"lang": '"><script>'}, "options.lang"),
        ({"retracted": "maybe"}, "options.retracted"),
    ],
)
def test_bad_options_are_validation_errors_naming_the_option(options: dict[str, str], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        HtmlExporter().export(timeline_of([]), io.BytesIO(), options)
    assert info.value.path == path


def test_an_empty_timeline_is_a_whole_page() -> None:
    document = parse(export(timeline_of([])))
    assert document.one("p", "empty").text() == "No events."
    assert document.all("svg", "track") == []
    assert json_ld(document)["numberOfItems"] == 0


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("2025", "2025"),
        ("2025-03~", "2025-03"),
        ("2025-04-14%", "2025-04-14"),
        ("2025-04-14T15:30:00-04:00", "2025-04-14T15:30:00-04:00"),
        ("2025-04-14T15:30:00Z", "2025-04-14T15:30:00Z"),
        # EDTF forms HTML has no datetime value for: a season, unspecified digits, years before 1.
        ("2024-21", None),
        ("201X", None),
        ("2024-XX", None),
        ("0000", None),
        ("-0044", None),
        ("Y170000002", None),
    ],
)
def test_datetime_values_are_what_html_accepts(part: str, value: str | None) -> None:
    assert datetime_value(part) == value


def test_interval_wording_keeps_its_text_with_bounds_marked() -> None:
    for text in ("2025-01/2025-03-10", "../2025-04-14", "2025-04/..", "2025-01-20/2025-02~"):
        when = When.parse(text)
        node = parse(f"<!DOCTYPE html><p>{when_html(when)}</p>".encode()).one("p")
        assert node.text() == when.human()
        known = [part for part in text.split("/") if part != ".."]
        assert [t.text() for t in node.all("time")] == [When.parse(part).human() for part in known]


def test_schema_org_data_carries_only_web_urls() -> None:
    sources = (Source(url="javascript:alert(1)", title="Trap"), Source(url="https://example.org/a"))
    page = export(
        timeline_of([Meeting(id="m", when=When.parse("2025"), participants=("A",), sources=sources)])
    )
    (item,) = json_ld(parse(page))["itemListElement"]
    assert item["item"]["subjectOf"] == [
        {"@type": "CreativeWork", "name": "Trap"},
        {"@type": "CreativeWork", "url": "https://example.org/a"},
    ]
