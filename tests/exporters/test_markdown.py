"""The Markdown exporter, read back with markdown-it-py (CommonMark + GFM tables and strikethrough).

Hostile user text must render as itself: equal cell counts in every row, and no emphasis, code, HTML,
links, images or strikethrough that the text did not ask for in plain words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS, mdTrim

from tests.exporters.helpers import export_bytes
from timeline import testing
from timeline.events import Correction, Meeting, Occurrence, Statement
from timeline.exporters._markdown_text import escape, link
from timeline.projections import Timeline
from timeline.testing import hostile_text_of as hostile_text
from timeline.testing import story, timeline_of
from timeline.values import Source
from timeline.when import When

if TYPE_CHECKING:
    from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
COLUMNS = 4
FORBIDDEN = {
    "em_open",
    "strong_open",
    "s_open",
    "code_inline",
    "code_block",
    "fence",
    "html_block",
    "image",
    "blockquote_open",
    "bullet_list_open",
    "ordered_list_open",
    "hr",
    "lheading",
    "softbreak",
    "hardbreak",
}


def _render(md: str) -> list[Token]:
    return MD.parse(md)


def _inline_text(token: Token) -> str:
    """The text an inline token shows, with our <br> as a line break."""
    parts = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "html_inline":
            assert child.content == "<br>", child.content
            parts.append("\n")
        elif child.type in ("link_open", "link_close"):
            continue
        else:
            raise AssertionError(f"unexpected {child.type}: {child.content!r}")
    return "".join(parts)


def _tables(tokens: list[Token]) -> list[list[list[Token]]]:
    """Each table as its rows, each row as the inline tokens of its cells."""
    tables: list[list[list[Token]]] = []
    row: list[Token] | None = None
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            assert row is not None
            tables[-1].append(row)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(token)
    return tables


def check_document(md: str) -> tuple[list[Token], list[list[list[Token]]]]:
    """The structural checks every export must pass; returns the tokens and the tables."""
    tokens = _render(md)
    everything = [*tokens, *(c for t in tokens for c in (t.children or []))]
    kinds = {t.type for t in everything}
    assert not kinds & FORBIDDEN, kinds & FORBIDDEN
    for t in everything:
        if t.type == "html_inline":
            assert t.content == "<br>"
    tables = _tables(tokens)
    for table in tables:
        assert [_inline_text(c) for c in table[0]] == ["Date", "Event", "Details", "Sources"]
        for row in table:
            assert len(row) == COLUMNS
    tags = [t.tag for t in tokens if t.type == "heading_open"]
    assert tags[:1] == ["h1"]
    assert set(tags[1:]) <= {"h2", "h3"}
    return tokens, tables


def _shown(text: str) -> str:
    """What CommonMark shows for `text` in a cell: NUL replaced, the cell trimmed at both ends (its line
    breaks are ``<br>`` in the source, which trimming keeps)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd").split("\n")
    lines[0] = lines[0].lstrip(MD_TRIM_CHARS)
    lines[-1] = lines[-1].rstrip(MD_TRIM_CHARS)
    return "\n".join(lines)


def test_story_layout() -> None:
    md = export_bytes(story.story_timeline(), "markdown", title="El Salvador deportations").decode()
    tokens, tables = check_document(md)
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [
        ("h1", "El Salvador deportations"),
        ("h2", "2025"),
        ("h3", "January 2025"),
        ("h3", "March 2025"),
        ("h3", "April 2025"),
    ]
    rows = [[_inline_text(c) for c in row] for table in tables for row in table[1:]]
    assert [r[0] for r in rows] == [
        "between 20 January 2025 and about February 2025",
        "March 2025",
        "March 2025",
        "before 14 April 2025",
        "14 April 2025",
    ]
    assert rows[3][2] == "Corrected 2025-04-21: the purpose of the payment was left out"
    assert rows[4][2] == "Place: White House, Washington, DC"
    assert md.startswith("# El Salvador deportations\n\n5 events.\n")
    assert md == export_bytes(story.story_timeline(), "markdown", title="El Salvador deportations").decode()


def test_default_title_and_as_of() -> None:
    md = export_bytes(story.story_timeline(), "markdown").decode()
    assert md.startswith(f"# {story.STREAM}\n")
    cut = datetime(2025, 4, 20, 13, 0, tzinfo=UTC)
    md = export_bytes(Timeline.from_records(story.records(), as_of=cut), "markdown").decode()
    assert md.startswith("# Timeline\n\n5 events, as known on 2025-04-20 13:00:00 UTC.\n")
    assert export_bytes(Timeline.from_records([]), "markdown") == b"# Timeline\n\n0 events.\n"


def test_year_only_entries_come_first_under_their_year() -> None:
    events = [
        Meeting(id="a", when=When.parse("2024-01-01"), participants=("A",), title="new year"),
        Meeting(id="b", when=When.parse("2024~"), participants=("A",), title="some time in 2024"),
        Meeting(id="c", when=When.parse("2024-06"), participants=("A",), title="june"),
        Meeting(id="d", when=When.parse("../2025"), participants=("A",), title="before 2025"),
        Meeting(id="e", when=When.parse("2024-11/2025-02"), participants=("A",), title="winter"),
    ]
    md = export_bytes(timeline_of(events), "markdown").decode()
    tokens, tables = check_document(md)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["story", "2024", "January 2024", "June 2024", "November 2024", "2025"]
    titles = [[_inline_text(row[1]) for row in table[1:]] for table in tables]
    assert titles == [["some time in 2024"], ["new year"], ["june"], ["winter"], ["before 2025"]]


def test_sources_become_links_only_for_web_urls() -> None:
    event = Meeting(
        id="m",
        when=When.parse("2025-04-14"),
        participants=("A",),
        sources=(
            Source(
                url="https://example.org/a b|(c)",
                title="Report [1]",
                publisher="Wire",
                published=When.parse("2025-04-15"),
            ),
            Source(url="javascript:alert(1)", title="Trap"),
            Source(title="Only a title"),
        ),
    )
    _tokens, tables = check_document(export_bytes(timeline_of([event]), "markdown").decode())
    cell = tables[0][1][3]
    links = [c for c in cell.children or [] if c.type == "link_open"]
    assert [c.attrs["href"] for c in links] == ["https://example.org/a%20b%7C%28c%29"]
    assert _inline_text(cell) == "Report [1] (Wire, 15 April 2025)\nTrap (javascript:alert(1))\nOnly a title"


def test_escaping_helpers() -> None:
    assert escape("plain text, nothing to do") == "plain text, nothing to do"
    assert escape("*a* | `b` <i>\r\nc") == "\\*a\\* \\| \\`b\\` \\<i\\><br>c"
    assert link("x", None) == "x"


_PIECES = [
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "~~",
    "~",
    "|",
    "\\|",
    "`|`",
    "\\",
    "[",
    "]",
    "](",
    "![x](y)",
    "<",
    ">",
    "<b>",
    "<script>alert(1)</script>",
    "<!-- c -->",
    "&amp;",
    "&#x41;",
    "&",
    "$",
    "$$",
    "#",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\n---\n",
    "\n===\n",
    "\n- item\n",
    "\n1. item\n",
    "\n> quote\n",
    "\n    code\n",
    "\n```\n",
    "---",
    "| --- |",
    "https://example.org",
    "<https://example.org>",
    "www.example.org",
    " ",
    "\t",
    "\x00",
    "😀",
    "中文",
]
hostile = hostile_text(_PIECES, max_size=20)


#: 1 to 4 meetings and statements with hostile text in every field the document shows.
hostile_events = st.lists(
    testing.occurrences(text=hostile, names=st.sampled_from(("A", "B")), kinds=("meeting", "statement")),
    min_size=1,
    max_size=4,
    unique_by=lambda e: e.id,
)


@given(hostile_events, hostile, hostile)
@example(
    [
        Statement(
            id="x", when=When.parse("2025-03"), by="B", text="t", title="a `|` b", description="*x*\n# y"
        )
    ],
    "\\",
    "| a | b |",
)
@settings(max_examples=120)
def test_hostile_text_renders_as_itself(events: list[Occurrence], title: str, reason: str) -> None:
    fix = Correction(id="fix", target=events[0].id, changes={"tags": ["x"]}, reason=reason)
    timeline = timeline_of([*events, fix])
    md = export_bytes(timeline, "markdown", title=title).decode()
    tokens, tables = check_document(md)
    heading = title.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\x00", "\ufffd")
    assert _inline_text(tokens[1]) == mdTrim(heading)
    rows = [row for table in tables for row in table[1:]]
    assert len(rows) == len(events)
    shown: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        shown.setdefault((_inline_text(row[0]), _inline_text(row[1])), []).append(_inline_text(row[2]))
    for entry in timeline:  # each entry has a row with its date, headline and details
        event = entry.event
        details = shown[(event.when.human(), _shown(event.headline()))]
        if entry.id == events[0].id:
            assert any(d.endswith(_shown(f"Corrected 2025-05-01: {reason}")) for d in details)
        if event.description:
            assert any(d.startswith(_shown(event.description)) for d in details)
    links = sum(1 for t in tokens for c in (t.children or []) if c.type == "link_open")
    web = sum(
        1 for e in events for s in e.sources if s.url and s.url.lower().startswith(("http://", "https://"))
    )
    assert links == web


@pytest.mark.parametrize("option", ["colour", "lines"])
def test_unknown_options(option: str) -> None:
    from timeline.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        export_bytes(story.story_timeline(), "markdown", **{option: "x"})
    assert caught.value.path == f"options.{option}"
