"""A `timeline` plugin: export a Timeline as Knight Lab TimelineJS 3 JSON (format ``timelinejs``).

Install it next to `timeline` and ``timeline export timelinejs`` works; the entry point in the ``timeline``
group is this module, whose `timeline_register_exporters` hook registers `TimelineJSExporter`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs

from timeline import check_options, choice_option, hookimpl
from timeline_timelinejs._dates import slide_dates

if TYPE_CHECKING:
    from timeline import Entry, Exporter, Timeline

__all__ = ["TimelineJSExporter", "timeline_register_exporters", "to_timelinejs"]

_GROUPS = ("none", "type", "stream")

# Characters that only ever occur inside JSON strings here; as \u escapes the JSON can be pasted into an
# HTML <script> element (no "</script>" from an event id) and read by pre-2019 JavaScript (U+2028/9).
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _slide(entry: Entry, group: str) -> dict[str, Any]:
    # The HTML helpers (and the stdlib's html) imported by the first export, not by loading the plugins.
    from timeline_timelinejs._html import body, escape

    event = entry.event
    slide = slide_dates(event.when)
    slide["text"] = {"headline": escape(event.headline()), "text": body(event)}
    if group == "type":
        slide["group"] = group_label(event.TYPE)
    elif group == "stream":
        slide["group"] = group_label(entry.stream)
    slide["unique_id"] = entry.id
    slide["autolink"] = False  # TimelineJS would turn URLs, www. names and e-mail addresses into links
    return slide


def group_label(name: str) -> str:
    """A group name as TimelineJS needs it: escaped twice, since it decodes the label once before it
    inserts it as HTML (its headline and text are inserted as given)."""
    from timeline_timelinejs._html import escape

    return escape(escape(name))


def to_timelinejs(timeline: Timeline, *, title: str | None = None, group: str = "none") -> dict[str, Any]:
    """The TimelineJS document of `timeline` as a dict: ``{"title"?: slide, "events": [slide, ...]}``.

    Retracted entries are left out, even from a Timeline built with ``include_retracted=True``: a
    TimelineJS slide cannot say that an event was withdrawn. `group` is ``none``, ``type`` or ``stream``.
    """
    if group not in _GROUPS:
        raise ValueError(f"group must be one of {', '.join(_GROUPS)}, not {group!r}")
    from timeline_timelinejs._html import escape

    doc: dict[str, Any] = {}
    if title:
        doc["title"] = {"text": {"headline": escape(title), "text": ""}, "autolink": False}
    doc["events"] = [_slide(entry, group) for entry in timeline.entries if not entry.retracted]
    return doc


@attrs.frozen(kw_only=True)
class TimelineJSExporter:
    """The ``timelinejs`` format: one JSON document for TimelineJS 3 (``new TL.Timeline(id, data)``)."""

    name: str = "timelinejs"
    media_type: str = "application/json"
    extension: str = ".json"
    description: str = "Knight Lab TimelineJS 3 JSON: one slide per event, fuzzy dates in display_date"
    options: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType(
            {
                "title": "headline of a title slide (default: no title slide)",
                "group": "rows in the time navigation: none (default), type (event type) or stream",
            }
        )
    )

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the TimelineJS JSON of `timeline` to `out` (UTF-8, ending with a newline)."""
        check_options(self, options)
        group = choice_option(options, "group", _GROUPS)
        doc = to_timelinejs(timeline, title=options.get("title"), group=group)
        text = json.dumps(doc, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE)
        out.write(text.encode("utf-8") + b"\n")


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``timelinejs`` format."""
    register(TimelineJSExporter())
