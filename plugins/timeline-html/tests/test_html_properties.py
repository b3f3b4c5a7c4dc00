"""Property tests: every text field of any (hostile) timeline reads back from the page exactly as written.

The page is parsed with `html.parser` into a strict tree (every end tag must close the element opened last),
so text that opened or closed an element would fail the parse or change the tree, and text that was not
escaped would not read back as itself.
"""

from __future__ import annotations

import json

from html_support import SETTINGS, Node, export, hostile_text, json_ld, occurrence_lists, parse, records
from hypothesis import given
from hypothesis import strategies as st
from timeline_html._dates import datetime_value
from timeline_html._facts import facts

from timeline import Correction, Entry, Event, Occurrence, Retraction, Timeline, When

_OURS = frozenset(
    "html head meta title style body a header h1 h2 h3 h4 p form label select option button main svg defs "
    "lineargradient stop section time ol li article span rect circle div dl dt dd data ul cite code bdi "
    "blockquote footer script".split()
)


def _expect_when(node: Node, when: When) -> None:
    assert node.one("span", "date").text() == when.human()
    assert node.one("p", "when").attrs["data-edtf"] == when.text
    datetimes = [t.attrs["datetime"] for t in node.one("span", "date").all("time")]
    values = [datetime_value(part) for part in when.text.split("/") if part not in ("..", "")]
    assert datetimes in ([v for v in values if v is not None], [v for v in values[:1] if v is not None])


def _expect_entry(node: Node, entry: Entry) -> None:
    event = entry.event
    assert node.one(cls="title").text() == event.headline()
    _expect_when(node, event.when)
    assert node.one("span", "kind").text() == event.TYPE
    assert json.loads(node.attrs["data-type"] or "") == [event.TYPE]
    assert json.loads(node.attrs["data-tag"] or "") == list(event.tags)
    assert json.loads(node.attrs["data-actor"] or "") == list(event.involved())
    description = node.maybe("p", "description")
    assert (description.text() if description else None) == (event.description or None)
    place = node.maybe("p", "place")
    assert (place.text() if place else None) == (f"Place: {event.place}" if event.place else None)
    said = (
        [(div.one("dt").text(), div.one("dd").text()) for div in node.all("dl")[0].all("div")]
        if facts(event)
        else []
    )
    assert said == [(fact.label, fact.text) for fact in facts(event)]
    tags = node.maybe("div", "tags")
    assert ([li.text() for li in tags.all("li")] if tags else []) == list(event.tags)
    cited = node.maybe("div", "sources")
    items = cited.one("ul").children if cited else []
    assert len(items) == len(event.sources)
    for item, source in zip(items, event.sources, strict=True):
        assert isinstance(item, Node)
        assert item.one("cite").text() == (source.title or source.url)
        links = item.all("a")
        if source.url and source.url.lower().startswith(("http://", "https://")):
            assert [link.attrs["href"] for link in links] == [source.url]
        else:
            assert links == []
        publisher = item.maybe("span", "publisher")
        assert (publisher.text() if publisher else None) == (source.publisher or None)
        published = item.maybe("span", "published")
        assert (published.text() if published else None) == (
            source.published.human() if source.published else None
        )
    history = node.maybe("ul", "history")
    lines = [li.text() for li in history.all("li")] if history else []
    assert len(lines) == len(entry.history)
    for line, change in zip(lines, entry.history, strict=True):
        assert line.startswith("Corrected " if change.kind == "correction" else "Retracted ")
        assert line.endswith(": " + change.reason)


def _check_page(page: bytes, timeline: Timeline, *, title: str) -> Node:
    document = parse(page)
    assert {node.tag for node in document.walk()} - {"#document"} <= _OURS
    assert not [name for node in document.walk() for name in node.attrs if name.startswith("on")]
    assert document.one("title").text() == title
    assert document.one("h1").text() == title
    shown = [entry for entry in timeline.entries if not entry.retracted]
    nodes = document.all("li", "entry")
    assert len(nodes) == len(shown)
    for node, entry in zip(nodes, shown, strict=True):
        _expect_entry(node, entry)
    data = json_ld(document)
    items = data["itemListElement"]
    assert isinstance(items, list)
    assert [item["item"]["name"] for item in items] == [entry.event.headline() for entry in shown]
    assert [item["item"]["identifier"] for item in items] == [entry.id for entry in shown]
    assert data["name"] == title
    return document


@SETTINGS
@given(occurrence_lists, hostile_text)
def test_every_text_field_reads_back(events: list[Occurrence], title: str) -> None:
    timeline = Timeline.from_records(records(events))
    _check_page(export(timeline, title=title), timeline, title=title)


@st.composite
def _amended(draw: st.DrawFn) -> list[Event]:
    """Occurrences, some corrected (title, description) and some retracted, every reason hostile."""
    events: list[Event] = list(draw(occurrence_lists.filter(bool)))
    for i, target in enumerate(list(events)):
        kind = draw(st.sampled_from(("none", "correct", "retract", "both")))
        if kind in ("correct", "both"):
            changes = {draw(st.sampled_from(("title", "description"))): draw(hostile_text)}
            events.append(
                Correction(id=f"c{i}", target=target.id, changes=changes, reason=draw(hostile_text))
            )
        if kind in ("retract", "both"):
            events.append(Retraction(id=f"r{i}", target=target.id, reason=draw(hostile_text)))
    return events


@SETTINGS
@given(_amended(), st.sampled_from(("show", "hide")))
def test_corrections_and_retractions_read_back(events: list[Event], retracted: str) -> None:
    timeline = Timeline.from_records(records(events), include_retracted=True)
    document = _check_page(export(timeline, title="T", retracted=retracted), timeline, title="T")
    withdrawn = [entry for entry in timeline.entries if entry.retracted]
    nodes = document.all("li", "retracted-entry")
    assert len(nodes) == (len(withdrawn) if retracted == "show" else 0)
    for node, entry in zip(nodes, withdrawn if retracted == "show" else [], strict=True):
        _expect_entry(node, entry)


@SETTINGS
@given(occurrence_lists)
def test_the_same_timeline_gives_the_same_bytes(events: list[Occurrence]) -> None:
    first = export(Timeline.from_records(records(events)))
    assert export(Timeline.from_records(records(events))) == first
