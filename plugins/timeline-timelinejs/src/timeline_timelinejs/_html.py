"""User text to the HTML TimelineJS expects in ``headline`` and ``text``.

TimelineJS treats these fields as HTML (and sanitises them with DOMPurify, which would silently drop a
literal ``<script>`` from a title). Escaping every piece of user text keeps it as written and leaves only the
markup we add ourselves: ``<p>``, ``<br>`` and ``<a href>`` for http(s) source links.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from timeline import Event, Source

# The line breaks people type; str.splitlines would also split on form feeds, U+2028 and friends.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape(text: str) -> str:
    """`text` as HTML text: ``& < > " '`` escaped, line breaks as ``<br>``."""
    return "<br>".join(html.escape(line, quote=True) for line in _LINE_BREAK.split(text))


def _link(source: Source) -> str:
    label = source.title or source.publisher or source.url or ""
    url = source.url
    # Only web links become anchors: a `javascript:` or `data:` URL must never be clickable.
    if url is not None and urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'
    return escape(label)


def body(event: Event) -> str:
    """The slide's ``text``: the description, then where, who, and the sources, one paragraph each."""
    paragraphs = []
    if event.description:
        paragraphs.append(escape(event.description))
    if event.place:
        paragraphs.append(f"Place: {escape(event.place)}")
    names = event.involved()
    if names:
        paragraphs.append("Involved: " + ", ".join(escape(name) for name in names))
    if event.sources:
        paragraphs.append("Sources: " + ", ".join(_link(source) for source in event.sources))
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
