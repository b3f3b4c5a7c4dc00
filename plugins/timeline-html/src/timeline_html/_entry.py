"""One timeline entry as an ``<li>`` with an ``<article>``: heading, date, track, facts, sources, history."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from timeline_html._dates import recorded, when_html
from timeline_html._facts import facts
from timeline_html._text import escape, isolated, json_attribute

if TYPE_CHECKING:
    from timeline import Entry, Source
    from timeline_html._track import Scale

__all__ = ["anchor", "entry_html", "source_html"]

_WEB = ("https://", "http://")
_REL = "noopener noreferrer nofollow"


def anchor(entry: Entry) -> str:
    """The entry's fragment id: derived from its event id (stable across exports), never the id itself."""
    return "e-" + hashlib.sha256(entry.id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def source_html(source: Source) -> str:
    """One source: its title linked to its URL (http and https only), publisher, date and quoted passage."""
    label = f'<cite dir="auto">{escape(source.title or source.url or "")}</cite>'
    url = source.url
    if url is not None and url.lower().startswith(_WEB):
        said = f'<a href="{escape(url)}" rel="{_REL}" referrerpolicy="no-referrer">{label}</a>'
    elif url is not None and source.title is not None:
        said = f'{label} <code dir="ltr">{escape(url)}</code>'
    else:  # a URL of another scheme (javascript:, data:) is shown, never linked
        said = label
    if source.publisher:
        said += f', <span class="publisher">{isolated(source.publisher)}</span>'
    if source.published is not None:
        said += f', <span class="published">{when_html(source.published)}</span>'
    if source.quote:
        said += f'<blockquote class="quote" dir="auto">{escape(source.quote)}</blockquote>'
    return f"<li>{said}</li>"


def _facts_html(entry: Entry) -> str:
    rows = []
    for fact in facts(entry.event):
        text = escape(fact.text)
        if fact.value is not None:
            approx = ' class="approx"' if fact.approximate else ""
            text = f'<data value="{escape(fact.value)}"{approx}>{text}</data>'
        rows.append(f'<div><dt>{escape(fact.label)}</dt><dd dir="auto">{text}</dd></div>')
    return f'<dl class="facts">{"".join(rows)}</dl>' if rows else ""


def _history_html(entry: Entry) -> str:
    lines = []
    for change in entry.history:
        said = "Corrected" if change.kind == "correction" else "Retracted"
        lines.append(
            f'<li class="{change.kind}">{said} {recorded(change.recorded_at)}: {isolated(change.reason)}</li>'
        )
    return f'<ul class="history">{"".join(lines)}</ul>' if lines else ""


def entry_html(entry: Entry, scale: Scale | None, level: int, *, css_class: str = "entry") -> str:
    """`entry` as ``<li class="entry">``, its title a heading of `level` (2-6)."""
    event = entry.event
    when = event.when
    name = anchor(entry)
    marks = ""
    if when.approximate:
        marks += ' <span class="mark">approximate</span>'
    if when.uncertain:
        marks += ' <span class="mark">uncertain</span>'
    parts = [
        f'<li class="{css_class}" id="{name}" data-type="{json_attribute([event.TYPE])}" '
        f'data-tag="{json_attribute(event.tags)}" data-actor="{json_attribute(event.involved())}">',
        f'<article aria-labelledby="{name}-h">',
        f'<h{level} id="{name}-h" class="title" dir="auto">{escape(event.headline())}</h{level}>',
        f'<p class="when" data-edtf="{escape(when.text)}"><span class="date">{when_html(when)}</span>{marks} '
        f'<span class="kind">{escape(event.TYPE)}</span></p>',
    ]
    if scale is not None:
        parts.append(scale.track(when))
    if event.description:
        parts.append(f'<p class="description" dir="auto">{escape(event.description)}</p>')
    parts.append(_facts_html(entry))
    if event.place:
        parts.append(f'<p class="place">Place: {isolated(event.place)}</p>')
    if event.tags:
        tags = "".join(f"<li>{isolated(tag)}</li>" for tag in event.tags)
        parts.append(f'<div class="tags"><span class="label">Tags</span> <ul>{tags}</ul></div>')
    if event.sources:
        cited = "".join(source_html(source) for source in event.sources)
        parts.append(f'<div class="sources"><span class="label">Sources</span><ul>{cited}</ul></div>')
    parts.append(_history_html(entry))
    parts.append("</article></li>")
    return "".join(parts)
