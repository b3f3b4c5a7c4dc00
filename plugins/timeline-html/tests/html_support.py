"""Test helpers for the HTML plugin: a small DOM built with `html.parser`, the reference story, a hostile
timeline, and the shared strategies of `timeline.testing` with moderate settings.

(A uniquely named module rather than a conftest.py: the plugin packages' tests may run in one session.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from attrs import Factory, define
from hypothesis import HealthCheck, settings
from timeline_html import HtmlExporter

from timeline import (
    Correction,
    Event,
    Meeting,
    Money,
    Payment,
    Quantity,
    Retraction,
    Source,
    Statement,
    Timeline,
    Transfer,
    When,
    read_events,
)
from timeline.testing import T0, hostile_text, occurrence_lists, occurrences, records, timeline_of

__all__ = [
    "PAYLOADS",
    "SETTINGS",
    "STORY",
    "T0",
    "Node",
    "export",
    "heading_levels",
    "hostile_events",
    "hostile_text",
    "hostile_timeline",
    "json_ld",
    "occurrence_lists",
    "occurrences",
    "parse",
    "records",
    "story_events",
    "timeline_of",
]

#: Moderate example counts (the machine is shared) and no deadline (it is noisy).
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: The reference story.
STORY = Path(__file__).resolve().parents[3] / "examples" / "story.jsonl"

_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@define(eq=False)
class Node:
    """An element: its tag, attributes (entities decoded) and children (nodes and text)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = Factory(list)

    def text(self) -> str:
        """The text content, as the DOM's textContent would give it."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def walk(self) -> Iterator[Node]:
        """This node and every element under it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """Every element under this one (itself included) with that tag and/or class."""
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in (node.attrs.get("class") or "").split())
        ]

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        """The only such element."""
        (found,) = self.all(tag, cls)
        return found

    def maybe(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        """The only such element, or None."""
        found = self.all(tag, cls)
        assert len(found) <= 1, found
        return found[0] if found else None


class _Builder(HTMLParser):
    """Builds the tree; every end tag must close the element opened last (our markup is strict)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node(tag="#document", attrs={})
        self.stack = [self.root]
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag=tag, attrs=dict(attrs))
        assert len(node.attrs) == len(attrs), f"repeated attribute in <{tag}>"
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: bytes) -> Node:
    """The page's document node; the page must be UTF-8 and every element closed in order."""
    builder = _Builder()
    builder.feed(page.decode("utf-8"))
    builder.close()
    assert builder.stack == [builder.root], [node.tag for node in builder.stack]
    assert builder.declarations == ["DOCTYPE html"]
    return builder.root


def export(timeline: Timeline, **options: str) -> bytes:
    """The page for `timeline`."""
    out = io.BytesIO()
    HtmlExporter().export(timeline, out, options)
    return out.getvalue()


def story_events() -> list[Event]:
    """The reference story's events."""
    events, _ = read_events(STORY.read_text(encoding="utf-8").splitlines())
    return events


#: Text that would alter the page if it were not escaped: each sets ``window.pwned`` or hides the page.
PAYLOADS = (
    '<img src=x onerror="window.pwned=1">',
    "</script><script>window.pwned=2</script>",
    '"><svg onload="window.pwned=3"></svg>',
    "<style>body{display:none}</style>",
    "</title></head><body><h1>fake</h1>",
    "<!-- <script>window.pwned=4</script> -->",
    "\u202eevil right-to-left override",
    "\u2028line\u2029separator & <>",
)


def story_page() -> Node:
    """The reference story's page, parsed."""
    return parse(export(timeline_of(story_events()), title="El Salvador deportations"))


def hostile_events() -> list[Event]:
    """A timeline made to break pages: markup, ``</script>``, RTL overrides, a 10 KB title, CJK, emoji."""
    long_title = "W" * 10_240
    payload = " ".join(PAYLOADS)
    events: list[Event] = [
        Meeting(
            id="h1",
            when=When.parse("2025-03-02"),
            participants=("\u202eRTL override actor", "中文名字 😀", PAYLOADS[0]),
            title=PAYLOADS[0] + PAYLOADS[1],
            description=payload,
            place=PAYLOADS[2],
            tags=("</script>", "<b>tag</b>", "\u2028"),
            sources=(
                Source(url="javascript:window.pwned=5", title="<a href=x>click</a>"),
                Source(
                    url='https://example.org/?a=<b>&c="d"',
                    title=PAYLOADS[3],
                    publisher="<i>publisher</i> \u202e",
                    published=When.parse("2025-03"),
                    quote=PAYLOADS[1],
                ),
                Source(url="data:text/html,<script>window.pwned=6</script>"),
            ),
        ),
        Statement(
            id="h2",
            when=When.parse("2025-03~"),
            by="\u202e\u0628\u0627\u064a\u062f\u0646",
            text=long_title,
            title=long_title,
        ),
        Payment(
            id="h3",
            when=When.parse("../2025-04-14"),
            payer=PAYLOADS[4],
            payee="El Salvador 🇸🇻",
            amount=Money(value=Decimal("6000000"), currency="USD", approximate=True),
            title="中文标题\uff1a美国向萨尔瓦多付款 " + "😀" * 200,
        ),
        Transfer(
            id="h4",
            when=When.parse("2025-04/.."),
            subjects=PAYLOADS[5],
            origin="A" * 3000,
            destination=PAYLOADS[6],
            count=Quantity(value=250, approximate=True),
            tags=("</script>",),
        ),
        Meeting(
            id="h5", when=When.parse("2024"), participants=("x",), title=PAYLOADS[7], tags=("<b>tag</b>",)
        ),
        Meeting(
            id="h6", when=When.parse("2025-01"), participants=("gone",), title="retracted " + PAYLOADS[1]
        ),
        Correction(id="c1", target="h2", changes={"description": PAYLOADS[3]}, reason=PAYLOADS[1]),
        Retraction(id="r1", target="h6", reason=PAYLOADS[0]),
    ]
    return events


def hostile_timeline(*, include_retracted: bool = True) -> Timeline:
    """`hostile_events` folded, retracted entry included by default."""
    return Timeline.from_records(records(hostile_events()), include_retracted=include_retracted)


def json_ld(document: Node) -> dict[str, Any]:
    """The page's schema.org data."""
    (block,) = [node for node in document.all("script") if node.attrs.get("type") == "application/ld+json"]
    return cast("dict[str, Any]", json.loads(block.text()))


def heading_levels(document: Node) -> list[int]:
    """The levels of the page's headings, in document order."""
    return [int(node.tag[1]) for node in document.walk() if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
