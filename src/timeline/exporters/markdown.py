"""The Markdown exporter: the timeline as a CommonMark document with GFM tables, for people to read.

Layout: ``#`` the title, ``##`` each year, ``###`` each month, in chronological order, and under each heading
a table (Date | Event | Details | Sources) with dates as people say them ("about January 2025"). An entry
goes where its date is anchored: its first possible day, or for an open start (``../2025-04-14``, "before
14 April 2025") its known end. Entries known only to the year ("2025", "about 2024", "2024/2025") come first
under their year's heading, before its months. User text is escaped (see `_markdown_text`) so it renders as
written and creates no markup. The document is written a year at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import attrs

from timeline.exporters._markdown_text import escape, escape_line, link
from timeline.exporters.base import Exporter, check_options
from timeline.exporters.pieces import RENDER_EACH
from timeline.hookspecs import hookimpl
from timeline.when import MONTHS, Precision, When

if TYPE_CHECKING:
    from timeline.exporters.pieces import Chunk, Pieces
    from timeline.projections import Entry, Timeline
    from timeline.values import Source

__all__ = ["MarkdownExporter", "timeline_register_exporters"]

_OPTIONS = MappingProxyType({"title": "the document's title; default: the stream name, or 'Timeline'"})
_TABLE_HEAD = b"| Date | Event | Details | Sources |\n| --- | --- | --- | --- |\n"


def _source(source: Source, human: Callable[[When], str] | None = None) -> str:
    """One source's cell text; `human` gives a date as escaped text (default: computed afresh)."""
    label = source.title or source.url or ""
    cell = link(label, source.url)
    extra = [escape(source.publisher)] if source.publisher else []
    if source.published is not None:
        extra.append((human or _escaped_human)(source.published))
    return f"{cell} ({', '.join(extra)})" if extra else cell


def _sources_memo(human: Callable[[When], str]) -> Callable[[Source], str]:
    """`_source`, remembered for one export: a story tends to cite the same few sources over and over."""
    said: dict[tuple[str | None, ...], str] = {}

    def source(s: Source) -> str:
        # A tuple of strings hashes in C; the attrs-generated hash of Source would run in Python.
        key = (s.url, s.title, s.publisher, None if s.published is None else s.published.text, s.quote)
        found = said.get(key)
        if found is None:
            found = said[key] = _source(s, human)
        return found

    return source


def row(entry: Entry) -> str:
    """One table row (with its line break) for `entry`."""
    return _row(entry, _escaped_human, _source)


def _escaped_human(when: When) -> str:
    return escape(when.human())


def _human_memo() -> Callable[[When], str]:
    """`When.human`, escaped, remembered per distinct date for one export (a timeline repeats its dates)."""
    said: dict[str, str] = {}

    def human(when: When) -> str:
        found = said.get(when.text)
        if found is None:
            found = said[when.text] = escape(when.human())
        return found

    return human


def _row(entry: Entry, human: Callable[[When], str], source: Callable[[Source], str]) -> str:
    event = entry.event
    description, place, history = event.description, event.place, entry.history
    if history or entry.retracted or (description and place):
        details = [escape(description)] if description else []
        if place:
            details.append("Place: " + escape(place))
        for change in reversed(history):  # the last correction
            if change.kind == "correction":
                details.append(
                    f"Corrected {change.recorded_at.astimezone(UTC):%Y-%m-%d}: {escape(change.reason)}"
                )
                break
        if entry.retracted:
            details.append("Retracted")
        said = "<br>".join(details)
    else:  # the usual case, without a list
        said = escape(description) if description else "Place: " + escape(place) if place else ""
    sources = event.sources
    cited = source(sources[0]) if len(sources) == 1 else "<br>".join([source(s) for s in sources])
    return f"| {human(event.when)} | {escape(event.headline())} | {said} | {cited} |\n"


def _year_block(year: int, loose: list[Chunk], months: dict[int, list[Chunk]]) -> bytes:
    parts: list[Chunk] = [f"\n## {year}\n".encode()]
    if loose:
        parts += [b"\n", _TABLE_HEAD, *loose]
    for month, rows in months.items():
        parts += [f"\n### {MONTHS[month - 1]} {year}\n\n".encode(), _TABLE_HEAD, *rows]
    return b"".join(parts)


def _renderer() -> Callable[[Entry], tuple[bytes, int]]:
    """An entry's piece: its row, tagged with where it goes: year * 16 + month, or + 0 when the entry is
    known to the year only. An entry goes where its date is anchored (see the module docstring)."""
    human = _human_memo()
    source = _sources_memo(human)

    def piece(entry: Entry) -> tuple[bytes, int]:
        when = entry.event.when
        anchor = when.sort_key[0]
        month = 0 if when.precision is Precision.YEAR else anchor.month
        return _row(entry, human, source).encode("utf-8"), anchor.year * 16 + month

    return piece


def _years(runs: Iterable[tuple[int, Chunk]]) -> Iterable[bytes]:
    """The document body, one year at a time, from the rows tagged by `_renderer` (in chronological order)."""
    year: int | None = None
    loose: list[Chunk] = []  # known to the year only
    months: dict[int, list[Chunk]] = {}
    for tag, rows in runs:
        anchor_year, month = divmod(tag, 16)
        if anchor_year != year:
            if year is not None:
                yield _year_block(year, loose, months)
            year, loose, months = anchor_year, [], {}
        if month == 0:
            loose.append(rows)
        else:
            months.setdefault(month, []).append(rows)
    if year is not None:
        yield _year_block(year, loose, months)


def _intro(timeline: Timeline) -> str:
    count = len(timeline)
    said = f"{count:,} event{'' if count == 1 else 's'}"
    if timeline.as_of is not None:
        said += f", as known on {timeline.as_of.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    return said + ".\n"


@attrs.frozen(kw_only=True)
class MarkdownExporter:
    """The ``markdown`` format: a readable chronology (``text/markdown``)."""

    name: str = "markdown"
    media_type: str = "text/markdown; charset=utf-8; variant=GFM"
    extension: str = ".md"
    description: str = "Markdown (CommonMark with GFM tables) chronology by year and month; for people"
    options: Mapping[str, str] = _OPTIONS

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the document to `out`, a year at a time."""
        self.export_pieces(timeline, out, options, RENDER_EACH)

    def render_scope(self, options: Mapping[str, str]) -> str:
        """A row depends on no option (the title is the document's, see `CachingExporter`)."""
        check_options(self, options)
        return "markdown/1"

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """`export`, each row taken from `pieces` (see `timeline.exporters.pieces`)."""
        check_options(self, options)
        title = options.get("title") or timeline.stream or "Timeline"
        out.write(f"# {escape_line(title)}\n\n{_intro(timeline)}".encode())
        for block in _years(pieces.runs(timeline, _renderer())):
            out.write(block)


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Provide the ``markdown`` format."""
    register(MarkdownExporter())
