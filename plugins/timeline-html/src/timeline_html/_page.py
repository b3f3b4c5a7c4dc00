"""The whole page: head (Content-Security-Policy, stylesheet), header, filters, the years, the retracted
entries, footer, the schema.org data and the filter script."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC
from typing import TYPE_CHECKING

import attrs

from timeline_html._dates import MONTHS, day_words
from timeline_html._entry import entry_html
from timeline_html._jsonld import event_data, item_list, script_json
from timeline_html._layout import years
from timeline_html._script import SCRIPT, SCRIPT_HASH
from timeline_html._style import stylesheet
from timeline_html._text import escape
from timeline_html._track import GRADIENTS, Scale

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from timeline import Entry, Timeline

__all__ = ["Page", "content_security_policy"]


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(style: str) -> str:
    """Nothing from anywhere; only this stylesheet and the filter script, by hash; no base, no form target."""
    return (
        f"default-src 'none'; style-src {_hash(style)}; script-src {SCRIPT_HASH}; img-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def _choices(name: str, label: str, values: Sequence[str]) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return (
        f'<label for="filter-{name}">{label}<select id="filter-{name}" name="{name}">'
        f'<option value="">All</option>{options}</select></label>'
    )


def _filters(entries: Sequence[Entry]) -> str:
    tags = sorted({tag for e in entries for tag in e.event.tags})
    types = sorted({e.event.TYPE for e in entries})
    actors = sorted({name for e in entries for name in e.event.involved()})
    return (
        '<form id="filters" class="filters" role="search" aria-label="Filter the events" hidden>'
        f"{_choices('tag', 'Tag', tags)}{_choices('type', 'Type', types)}{_choices('actor', 'Actor', actors)}"
        '<button type="reset">Show all</button></form>\n'
    )


@attrs.frozen(kw_only=True)
class Page:
    """What the options decided: the title, the language, whether to list retracted entries, the colour."""

    title: str
    lang: str
    show_retracted: bool
    accent: str

    def _intro(self, timeline: Timeline, count: int) -> str:
        said = f"{count:,} event{'' if count == 1 else 's'}"
        if timeline.as_of is not None:
            moment = timeline.as_of.astimezone(UTC)
            stamp = f"{moment:%Y-%m-%dT%H:%M:%S}Z"
            said += f', as known on <time datetime="{stamp}">{day_words(moment.date())}</time>'
        return f'<p class="intro">{said}.</p>'

    def _legend(self, scale: Scale | None) -> str:
        if scale is None:
            return ""
        start, end = (
            f'<time datetime="{day:%Y-%m}">{MONTHS[day.month - 1]} {day.year}</time>'
            for day in (scale.start, scale.end)
        )
        return (
            f'<p class="legend">The line under each date places the event between {start} and {end}: '
            "a dot is a day, a bar a longer span, a fading bar a span with an open end, a dashed mark an "
            "approximate or uncertain date.</p>"
        )

    def _retracted(self, entries: Sequence[Entry], scale: Scale | None) -> str:
        items = "".join(entry_html(e, scale, 3, css_class="retracted-entry") for e in entries)
        return (
            '<section class="retracted" aria-labelledby="retracted"><h2 id="retracted">Retracted</h2>'
            '<p class="intro">Withdrawn after publication; kept here so readers can see what changed.</p>'
            f"<ol>{items}</ol></section>\n"
        )

    def chunks(self, timeline: Timeline) -> Iterator[str]:
        """The page's text, in pieces (a year of entries at a time)."""
        shown = [e for e in timeline.entries if not e.retracted]
        withdrawn = [e for e in timeline.entries if e.retracted] if self.show_retracted else []
        scale = Scale.covering(e.event.when for e in (*shown, *withdrawn))
        style = stylesheet(self.accent)
        title = escape(self.title)
        yield (
            f'<!DOCTYPE html>\n<html lang="{escape(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(style)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="color-scheme" content="light dark">\n<meta name="referrer" content="no-referrer">\n'
            f'<meta name="generator" content="timeline-html">\n<title>{title}</title>\n'
            f"<style>{style}</style>\n</head>\n<body>\n"
            '<a class="skip" href="#main">Skip to the events</a>\n'
            f'<header class="page"><h1 dir="auto">{title}</h1>{self._intro(timeline, len(shown))}'
            f"{self._legend(scale)}</header>\n{_filters(shown)}"
            f'<main id="main" tabindex="-1">\n{GRADIENTS}\n'
            '<p id="filter-status" class="status" role="status" aria-live="polite"></p>\n'
        )
        if not shown:
            yield '<p class="empty">No events.</p>\n'
        yield from years(shown, scale)
        if withdrawn:
            yield self._retracted(withdrawn, scale)
        changed = timeline.last_changed
        footer = "Made with timeline."
        if changed is not None:
            footer = f"Last changed on {day_words(changed.astimezone(UTC).date())}. {footer}"
        data = item_list(self.title, [event_data(e) for e in shown])
        yield (
            f"</main>\n<footer><p>{footer}</p></footer>\n"
            f'<script type="application/ld+json">{script_json(data)}</script>\n'
            f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
        )
