"""Test helpers for the TimelineJS plugin: `timeline.testing`'s strategies, settings, and an HTML reader.

(A uniquely named module rather than a conftest.py: the two plugin packages' tests may run in one session.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, settings

from timeline.testing import T0, occurrence_lists, occurrences, records, timeline_of, whens

__all__ = ["SETTINGS", "T0", "occurrence_lists", "occurrences", "records", "timeline_of", "whens"]

#: Moderate example counts (the machine is shared) and no deadline (it is noisy).
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lines_as_written(text: str) -> str:
    """`text` with each line break (CRLF, CR, LF) as LF: what ``<br>`` gives back."""
    return _LINE_BREAK.sub("\n", text)


class Reader(HTMLParser):
    """Reads the HTML the exporter wrote: paragraphs as text (``<br>`` as LF), every tag and link seen."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, label)
        self._text: list[str] = []
        self._href: str | None = None
        self._label: list[str] = []
        self.feed(markup)
        self.close()
        if self._text:
            self.paragraphs.append("".join(self._text))

    @property
    def text(self) -> str:
        """All the text, paragraphs joined by LF."""
        return "\n".join(self.paragraphs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self._text.append("\n")
            if self._href is not None:
                self._label.append("\n")
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.paragraphs.append("".join(self._text))
            self._text = []
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._label)))
            self._href = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._href is not None:
            self._label.append(data)
