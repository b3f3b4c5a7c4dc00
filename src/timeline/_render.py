"""Plain-text rendering of projections for `timeline show`, `ledger`, `movements` and `actors`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from timeline.facts import facts, quote_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from timeline.events import Event
    from timeline.projections import Timeline


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _details(event: Event) -> list[str]:
    """What `--details` adds under an entry: the typed facts, description, place and sources."""
    lines = list(facts(event))
    if event.description:
        lines.append(event.description)
    if event.place:
        lines.append(f"Place: {event.place}")
    for source in event.sources:
        parts = [part for part in (source.title, source.publisher) if part]
        if source.published is not None:
            parts.append(source.published.human())
        said = ", ".join(parts)
        if source.url:
            said = f"{said}: {source.url}" if said else source.url
        quote = quote_words(source)
        lines.append(f"Source: {said}" + (f" {quote}" if quote else ""))
    return [_one_line(line) for line in lines]


def render_timeline(
    tl: Timeline,
    out: TextIO,
    *,
    history: bool = False,
    details: bool = False,
    all_streams: bool = False,
    ids: bool = False,
) -> None:
    """One line per entry: the date as people say it (a date-time in its own offset), the type, the
    headline, and marks for amendments; with `details`, what the entry's fields say, indented below it;
    with `ids`, the event id first (what a correction's ``target`` names)."""
    entries = list(tl.entries)
    if tl.as_of is not None:
        out.write(f"(as known at {tl.as_of.isoformat()})\n")
    if not entries:
        out.write("(no events)\n")
        return
    dates = [entry.event.when.human() for entry in entries]
    width = max(len(d) for d in dates)
    type_width = max(len(entry.event.TYPE) for entry in entries)
    id_width = max(len(entry.id) for entry in entries) if ids else 0
    indent = " " * (id_width + 2) if ids else ""
    for when, entry in zip(dates, entries, strict=True):
        marks = []
        if entry.revision > 1:
            marks.append(f"corrected, revision {entry.revision}")
        if entry.retracted:
            marks.append("RETRACTED")
        stream = f"[{entry.stream}] " if all_streams else ""
        mark = f"  ({'; '.join(marks)})" if marks else ""
        out.write(
            (f"{entry.id:<{id_width}}  " if ids else "")
            + f"{when:<{width}}  {entry.event.TYPE:<{type_width}}  {stream}"
            f"{_one_line(entry.event.headline())}{mark}\n"
        )
        if details:
            for line in _details(entry.event):
                out.write(f"{indent}{'':<{width}}  {'':<{type_width}}    {line}\n")
        if history:
            for change in entry.history:
                what = ", ".join(change.changes) if change.changes else ""
                detail = f" {what}:" if what else ":"
                pad = f"{indent}{'':<{width}}  {'':<{type_width}}    "
                out.write(
                    f"{pad}{change.recorded_at:%Y-%m-%d %H:%M:%S} UTC "
                    f"{change.kind}{detail} {_one_line(change.reason)}\n"
                )


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")


def render_ledger(ledger: Any, out: TextIO) -> None:
    """Payments per payer, payee and currency; approximate totals are marked "about"."""
    rows: list[tuple[str, ...]] = [("PAYER", "PAYEE", "TOTAL", "PAYMENTS")]
    for line in ledger.lines:
        about = "about " if line.approximate else ""
        rows.append((line.payer, line.payee, f"{about}{line.total:,} {line.currency}", str(line.count)))
    if len(rows) == 1:
        out.write("(no payments)\n")
        return
    _table(rows, out)


def render_movements(movements: Any, out: TextIO) -> None:
    """Transfers per origin and destination with their counts; approximate or unknown counts are marked."""
    rows: list[tuple[str, ...]] = [("ORIGIN", "DESTINATION", "COUNT", "TRANSFERS")]
    for line in movements.lines:
        total = "unknown" if line.total is None else f"{'about ' if line.approximate else ''}{line.total:,}"
        rows.append((line.origin, line.destination, total, str(line.count)))
    if len(rows) == 1:
        out.write("(no transfers)\n")
        return
    _table(rows, out)


def render_actors(actors: Any, out: TextIO) -> None:
    """Each name, then the entries it appears in."""
    names = actors.names
    if not names:
        out.write("(no actors)\n")
        return
    for name in sorted(names, key=str.casefold):
        out.write(f"{name}\n")
        for entry in names[name]:
            out.write(f"    {entry.event.when.human()}: {_one_line(entry.event.headline())}\n")
