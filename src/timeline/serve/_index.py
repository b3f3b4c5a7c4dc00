"""The index page: each stream, and the feed of all of them, with a link per installed format.

Every stream name and format name is HTML-escaped and percent-encoded in links: a stream name is whatever
an appender chose (``<script>`` included). Calendar formats also get a ``webcal://`` link, which calendar
apps open as a subscription.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from timeline.serve.routes import ALL_STREAMS, STREAMS, suffixes

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from timeline.exporters.base import Exporter

_CALENDAR_TYPES = ("text/calendar",)


def link_suffixes(exporters: Mapping[str, Exporter]) -> dict[str, str]:
    """Each format's suffix in links: its extension when that names it, else ``.NAME``."""
    known = suffixes(exporters)
    return {
        name: exporter.extension if known.get(exporter.extension.lower()) == name else f".{name}"
        for name, exporter in sorted(exporters.items())
    }


def _links(base_url: str, path: str, exporters: Mapping[str, Exporter], links: Mapping[str, str]) -> str:
    items: list[str] = []
    for name, exporter in sorted(exporters.items()):
        url = f"{base_url}{path}{links[name]}"
        if exporter.media_type.split(";")[0].strip().lower() in _CALENDAR_TYPES:
            webcal = "webcal" + url[url.index(":") :]
            items.append(f'<a href="{escape(webcal)}">subscribe ({escape(name)})</a>')
        items.append(f'<a href="{escape(url)}">{escape(name)}</a>')
    return " · ".join(items)


def index_page(base_url: str, streams: Sequence[str], exporters: Mapping[str, Exporter]) -> bytes:
    """The HTML page; `base_url` is the application's absolute URL without its final slash."""
    links = link_suffixes(exporters)
    rows = [f"<li><strong>All streams</strong>: {_links(base_url, ALL_STREAMS, exporters, links)}</li>"]
    for stream in streams:
        path = STREAMS + quote(stream, safe="")
        rows.append(f"<li><strong>{escape(stream)}</strong>: {_links(base_url, path, exporters, links)}</li>")
    if not streams:
        rows.append("<li>No stream yet.</li>")
    page = "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8"><title>Timeline feeds</title></head>',
            "<body><h1>Timeline feeds</h1>",
            "<p>Subscribe to a calendar with its webcal link; every feed also takes the options of"
            " <code>timeline export</code> as a query, such as <code>?as_of=2025-04-01</code>, and its"
            " filters: <code>?tag=…&amp;type=payment&amp;actor=…</code> (each repeatable).</p>",
            "<ul>",
            *rows,
            "</ul></body></html>",
            "",
        ]
    )
    return page.encode("utf-8")
