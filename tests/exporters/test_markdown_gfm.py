"""The Markdown export under GitHub's renderer, cmark-gfm (via cmarkgfm), with its extensions on (issue 9).

Autolinks (bare URLs, ``www.`` names, e-mail addresses) and tagfilter are what markdown-it's CommonMark
checks in test_markdown.py cannot see. User text must create no link and show exactly as written, and no text
node may hold a ``:name:`` that GitHub's emoji filter (it runs on the rendered text nodes) would turn into an
emoji.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.exporters.helpers import export_bytes
from tests.exporters.test_markdown import _PIECES
from timeline.events import Meeting, Occurrence, Statement
from timeline.exporters._markdown_text import escape
from timeline.testing import hostile_text_of as hostile_text
from timeline.testing import timeline_of
from timeline.values import Source
from timeline.when import When

EXTENSIONS = ["autolink", "table", "strikethrough", "tagfilter"]
# Raw HTML is rendered (GitHub sanitises it afterwards): our <br> must come through, and nothing else may.
OPTIONS = Options.CMARK_OPT_UNSAFE
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "a", "br", "wbr"}
EMOJI = re.compile(r":[a-z0-9_+-]+:", re.IGNORECASE)

LINKY = [
    "https://example.org/a",
    "HTTP://EXAMPLE.ORG",
    "http://x.y",
    "ftp://files.example.org",
    "www.example.org",
    "WWW.EXAMPLE.ORG",
    "_www.example.org",
    "(www.example.org)",
    "someone@example.org",
    "first.last+tag@sub.example.org",
    "mailto:a@b.org",
    "xmpp:a@b.org/r",
    "a@b",
    ":smile:",
    ":+1:",
    "::",
    ":a:b:",
    "~~gone~~",
]


def _shown(text: str) -> str:
    """What cmark-gfm shows for `text` in a cell: NUL replaced, whitespace trimmed at the start (form feeds
    and vertical tabs too), spaces and tabs at the end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd").split("\n")
    lines[0] = lines[0].lstrip(" \t\f\v")
    lines[-1] = lines[-1].rstrip(" \t")
    return "\n".join(lines)


def render(md: str) -> str:
    html: str = cmarkgfm.markdown_to_html_with_extensions(md, options=OPTIONS, extensions=EXTENSIONS)
    return html


class Page(HTMLParser):
    """The rendered page: every tag, every text node, and each table cell's and heading's text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_nodes: list[str] = []
        self.cells: list[str] = []
        self.headings: list[str] = []
        self._open: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th", "h1", "h2", "h3"):
            self._open = []
        elif tag == "br" and self._open is not None:
            self._open.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag in ("td", "th"):
            self.cells.append("".join(self._open))
            self._open = None
        elif self._open is not None and tag in ("h1", "h2", "h3"):
            self.headings.append("".join(self._open))
            self._open = None

    def handle_data(self, data: str) -> None:
        self.text_nodes.append(data)
        if self._open is not None:
            self._open.append(data)


def check_inert(html: str, *, links: int) -> Page:
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS, {tag for tag, _ in page.tags}
    anchors = [attrs.get("href") or "" for tag, attrs in page.tags if tag == "a"]
    assert len(anchors) == links, anchors
    assert all(href.lower().startswith(("http://", "https://")) for href in anchors), anchors
    for node in page.text_nodes:
        assert not EMOJI.search(node), node
    return page


@pytest.mark.parametrize("text", LINKY)
def test_linky_text_is_no_link_and_shows_as_written(text: str) -> None:
    for written in (text, f"see {text} now", f"{text},{text}"):
        html = render(f"| a |\n| --- |\n| {escape(written)} |\n\n{escape(written)}\n")
        page = check_inert(html, links=0)
        assert page.cells[1] == written
        assert "".join(page.text_nodes).count(written) == 2


hostile = hostile_text([*_PIECES, *LINKY, " ", "@", ":", ".", "www"], max_size=16)


@st.composite
def hostile_events(draw: st.DrawFn) -> list[Occurrence]:
    out: list[Occurrence] = []
    for i in range(draw(st.integers(1, 3))):
        common: dict[str, Any] = {
            "id": f"e{i}",
            "when": When.parse("2025-03"),
            "title": draw(hostile),
            "description": draw(st.none() | hostile),
            "sources": tuple(
                draw(
                    st.lists(
                        st.builds(
                            Source,
                            url=st.none() | st.just("https://example.org/r") | hostile,
                            title=hostile,
                            publisher=st.none() | hostile,
                        ),
                        max_size=2,
                    )
                )
            ),
        }
        if draw(st.booleans()):
            out.append(Meeting(participants=("A",), **common))
        else:
            out.append(Statement(by="B", text="t", **common))
    return out


@given(hostile_events(), hostile)
@example(
    [Meeting(id="e0", when=When.parse("2025"), participants=("A",), title="www.x.org :smile:")], "a@b.org"
)
@settings(max_examples=150)
def test_hostile_export_under_gfm_links_only_sources(events: list[Occurrence], title: str) -> None:
    md = export_bytes(timeline_of(events), "markdown", title=title).decode()
    web = sum(
        1 for e in events for s in e.sources if s.url and s.url.lower().startswith(("http://", "https://"))
    )
    page = check_inert(render(md), links=web)
    heading = title.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\x00", "\ufffd")
    assert page.headings[0] == heading.strip(" \t")
    for event in events:
        assert _shown(event.headline()) in page.cells
        if (
            event.description
        ):  # the Details cell: the typed facts (timeline.facts) first, then the description
            assert any(_shown(event.description) in cell for cell in page.cells)
