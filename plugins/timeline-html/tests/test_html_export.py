"""The ``html`` exporter: the reference story, the page's parts, facts, sources, corrections and retractions.
Hostile text, structured data, determinism and options are in test_html_safety.py."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from html_support import (
    Node,
    export,
    heading_levels,
    hostile_timeline,
    json_ld,
    parse,
    records,
    story_events,
    story_page,
    timeline_of,
)

from timeline import (
    Correction,
    Meeting,
    Money,
    Occurrence,
    Payment,
    Quantity,
    Retraction,
    Source,
    Statement,
    Timeline,
    Transfer,
    When,
)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _csp(document: Node) -> dict[str, str]:
    (meta,) = [m for m in document.all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    directives = [part.strip().split(" ", 1) for part in (meta.attrs["content"] or "").split(";")]
    return {name: value for name, value in directives}


def test_the_reference_story_has_every_event_with_its_date() -> None:
    document = story_page()
    entries = timeline_of(story_events()).entries
    nodes = document.all("li", "entry")
    assert [n.one(cls="title").text() for n in nodes] == [e.event.headline() for e in entries]
    assert [n.one("span", "date").text() for n in nodes] == [e.event.when.human() for e in entries]
    assert document.one("title").text() == "El Salvador deportations"
    assert "10 events." in document.one("p", "intro").text()


def test_the_csp_allows_only_the_page_own_style_and_script_by_hash() -> None:
    document = story_page()
    csp = _csp(document)
    (style,) = document.all("style")
    scripts = [s for s in document.all("script") if "type" not in s.attrs]
    assert len(scripts) == 1
    assert csp == {
        "default-src": "'none'",
        "style-src": _hash(style.text()),
        "script-src": _hash(scripts[0].text()),
        "img-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    head = document.one("head")
    assert [child.tag for child in head.children if isinstance(child, Node)][:2] == ["meta", "meta"]


def test_nothing_is_loaded_from_elsewhere() -> None:
    page = export(hostile_timeline(), retracted="show").decode()
    document = parse(page.encode())
    for node in document.walk():
        assert "src" not in node.attrs
        assert node.tag not in {"link", "img", "iframe", "object", "embed", "base"}
    assert "@import" not in page
    assert re.findall(r"url\(([^)]*)\)", document.one("style").text()) == ["#fade-start", "#fade-end"]
    hrefs = {node.attrs["href"] for node in document.all("a")}
    assert hrefs == {"#main", 'https://example.org/?a=<b>&c="d"'}


def test_the_page_is_complete_without_script_and_the_filters_wait_for_it() -> None:
    document = story_page()
    form = document.one("form")
    assert "hidden" in form.attrs
    assert form.attrs["role"] == "search"
    selects = {s.attrs["name"]: [o.attrs["value"] for o in s.all("option")] for s in form.all("select")}
    assert selects["type"] == ["", "invocation", "meeting", "payment", "statement", "transfer"]
    assert "Nayib Bukele" in selects["actor"]
    assert selects["tag"][:3] == ["", "CECOT", "deportations"]
    for select in form.all("select"):
        (label,) = [lab for lab in form.all("label") if lab.attrs["for"] == select.attrs["id"]]
        assert label.one("select") is select


def test_landmarks_and_headings_in_order() -> None:
    document = story_page()
    body = document.one("body")
    tops = [child.tag for child in body.children if isinstance(child, Node)]
    assert tops[:5] == ["a", "header", "form", "main", "footer"]
    assert document.one("html").attrs["lang"] == "en"
    levels = heading_levels(document)
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    assert [h.text() for h in document.all("h2")] == ["2025"]
    assert [h.text() for h in document.all("h3")] == ["January 2025", "March 2025", "April 2025"]


def test_intervals_and_open_ends_carry_their_bounds_in_time_elements() -> None:
    nodes = {n.attrs["id"]: n for n in story_page().all("li", "entry")}
    dates = [n.one("span", "date") for n in nodes.values()]
    assert [[t.attrs["datetime"] for t in d.all("time")] for d in dates][:4] == [
        ["2025-01-20", "2025-02"],
        ["2025-03"],
        ["2025-03", "2025-04-14"],
        ["2025-04-14"],
    ]
    first = dates[0]
    assert first.text() == "between 20 January 2025 and about February 2025"
    assert [t.text() for t in first.all("time")] == ["20 January 2025", "about February 2025"]


def _track(event: Occurrence) -> Node:
    """The track of `event` on a page whose scale is all of 2025."""
    ends = [
        Meeting(id=i, when=When.parse(f"2025-{i}"), participants=("A",), title=i) for i in ("01-01", "12-31")
    ]
    nodes = parse(export(timeline_of([event, *ends]))).all("li", "entry")
    (node,) = [n for n in nodes if n.one(cls="title").text() == event.headline()]
    return node.one("svg", "track")


@pytest.mark.parametrize(
    ("when", "shape", "classes"),
    [
        ("2025-01-01", "circle", {"point"}),
        ("2025-03-02T10:00:00Z", "circle", {"point"}),
        ("2025-03-02~", "circle", {"point", "approx"}),
        ("2025-03", "rect", {"bar"}),
        ("2025", "rect", {"bar"}),
        ("2025-02?", "rect", {"bar", "approx"}),
        ("2025-01/2025-03-10", "rect", {"bar"}),
        ("../2025-04-14", "rect", {"bar", "fade-start"}),
        ("2025-04/..", "rect", {"bar", "fade-end"}),
    ],
)
def test_the_track_draws_a_date_as_what_it_is(when: str, shape: str, classes: set[str]) -> None:
    track = _track(Meeting(id="m", when=When.parse(when), participants=("A",), title="m"))
    assert track.attrs["aria-hidden"] == "true"
    (mark,) = [
        n for n in track.all() if n.tag in {"circle", "rect"} and "rail" not in (n.attrs["class"] or "")
    ]
    assert mark.tag == shape
    assert set((mark.attrs["class"] or "").split()) == classes


def test_track_positions_on_the_story_span() -> None:
    march = _track(Meeting(id="m", when=When.parse("2025-03"), participants=("A",), title="m")).all("rect")[1]
    # The scale is all of 2025 (365 days); March is days 59 to 89.
    assert march.attrs["x"] == f"{59 * 100 / 365:.2f}%"
    assert march.attrs["width"] == f"{31 * 100 / 365:.2f}%"
    day = _track(Meeting(id="m", when=When.parse("2025-01-01"), participants=("A",), title="m")).one("circle")
    assert day.attrs["cx"] == f"{0.5 * 100 / 365:.2f}%"


def test_typed_facts_with_approximate_figures_marked() -> None:
    events = [
        Payment(
            id="p", when=When.parse("2025"), payer="US", payee="SV", purpose="detention",
            amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
        ),
        Transfer(id="t", when=When.parse("2025"), subjects="people", origin="US", destination="CECOT",
                 count=Quantity(value=250)),
        Statement(id="s", when=When.parse("2025"), by="Leavitt", text="about $6 million"),
    ]  # fmt: skip
    nodes = parse(export(timeline_of(events))).all("li", "entry")
    said = [[(d.one("dt").text(), d.one("dd").text()) for d in n.one("dl").all("div")] for n in nodes]
    assert said == [
        [("Paid by", "US"), ("Paid to", "SV"), ("Amount", "about $6,000,000"), ("Purpose", "detention")],
        [("Moved", "people"), ("Count", "250"), ("From", "US"), ("To", "CECOT")],
        [("Said by", "Leavitt"), ("Said", "about $6 million")],
    ]
    amount = nodes[0].one("data")
    assert (amount.attrs["value"], amount.attrs["class"]) == ("6000000", "approx")
    assert nodes[1].one("data").attrs == {"value": "250"}


@attrs.frozen(kw_only=True)
class _Vote(Occurrence):
    TYPE: ClassVar[str] = "vote"
    body: str
    votes_for: int
    unused: str | None = None


def test_a_plugin_event_type_shows_its_own_fields() -> None:
    node = parse(export(timeline_of([_Vote(id="v", when=When.parse("2025"), body="Senate", votes_for=51)])))
    said = [(d.one("dt").text(), d.one("dd").text()) for d in node.one("dl").all("div")]
    assert said == [("Body", "Senate"), ("Votes for", "51")]


def test_sources_link_only_web_urls_with_publisher_and_date() -> None:
    sources = (
        Source(
            url="https://example.org/a",
            title="Report",
            publisher="Agency",
            published=When.parse("2025-04-14"),
        ),
        Source(url="javascript:alert(1)", title="Trap"),
        Source(url="https://example.org/b"),
        Source(title="Printed only", quote="a passage"),
    )
    node = parse(
        export(timeline_of([Meeting(id="m", when=When.parse("2025"), participants=("A",), sources=sources)]))
    )
    items = node.one("div", "sources").all("li")
    assert [i.text() for i in items] == [
        "Report, Agency, 14 April 2025",
        "Trap javascript:alert(1)",
        "https://example.org/b",
        "Printed onlya passage",
    ]
    links = node.one("div", "sources").all("a")
    assert [a.attrs["href"] for a in links] == ["https://example.org/a", "https://example.org/b"]
    assert all(a.attrs["rel"] == "noopener noreferrer nofollow" for a in links)
    assert items[0].one("time").attrs["datetime"] == "2025-04-14"


def _amended() -> list[Occurrence | Correction | Retraction]:
    return [
        Meeting(id="m1", when=When.parse("2025-03"), participants=("A",), title="old"),
        Meeting(id="m2", when=When.parse("2025-04"), participants=("B",), title="withdrawn one"),
        Correction(id="c1", target="m1", changes={"title": "new"}, reason="the name was wrong"),
        Retraction(id="r1", target="m2", reason="not confirmed"),
    ]


def test_corrections_are_shown_on_the_entry() -> None:
    (node,) = parse(export(timeline_of(_amended()))).all("li", "entry")
    assert node.one(cls="title").text() == "new"
    (line,) = node.one("ul", "history").all("li")
    assert line.text() == "Corrected 1 May 2025: the name was wrong"
    assert line.one("time").attrs["datetime"] == "2025-05-01T12:00:03Z"


@pytest.mark.parametrize("include_retracted", [False, True])
def test_retracted_entries_are_left_out_by_default(include_retracted: bool) -> None:
    timeline = Timeline.from_records(records(_amended()), include_retracted=include_retracted)
    page = export(timeline)
    assert b"withdrawn one" not in page
    assert parse(page).all("section", "retracted") == []


def test_retracted_entries_listed_with_the_option() -> None:
    timeline = Timeline.from_records(records(_amended()), include_retracted=True)
    document = parse(export(timeline, retracted="show"))
    section = document.one("section", "retracted")
    assert section.one("h2").text() == "Retracted"
    (item,) = section.all("li", "retracted-entry")
    assert item.one("h3").text() == "withdrawn one"
    assert item.one("ul", "history").text() == "Retracted 1 May 2025: not confirmed"
    assert [n.one(cls="title").text() for n in document.all("li", "entry")] == ["new"]
    assert [i["item"]["name"] for i in json_ld(document)["itemListElement"]] == ["new"]
