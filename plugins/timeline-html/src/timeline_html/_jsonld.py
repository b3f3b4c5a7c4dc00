"""schema.org data for search engines: the entries as an ``ItemList`` of ``Event`` s, in JSON-LD.

The JSON goes inside a ``<script type="application/ld+json">`` block, where the HTML parser ends the block at
the first ``</script`` whatever JSON thinks. So `script_json` writes ``<``, ``>`` and ``&`` as ``\\u003c``…
(JSON reads them back as the same characters, and no tag or comment can start), and U+2028/U+2029 as
escapes too (old JavaScript parsers end a line there).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from timeline_html._dates import datetime_value

if TYPE_CHECKING:
    from timeline import Entry, Source, When

__all__ = ["event_data", "item_list", "script_json"]

_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(data: object) -> str:
    """`data` as JSON text that is safe verbatim inside a ``<script>`` block (and still means `data`)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _bounds(when: When) -> dict[str, str]:
    """``startDate`` and ``endDate`` where they are known and ISO 8601 can say them."""
    start, _, end = when.text.partition("/")
    said = {}
    for key, part in (("startDate", start), ("endDate", end)):
        value = datetime_value(part) if part else None
        if value is not None:
            said[key] = value
    return said


def _work(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if source.title:
        work["name"] = source.title
    if source.url and source.url.lower().startswith(("https://", "http://")):
        work["url"] = source.url  # other schemes (javascript:, data:) are no address for a search engine
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published is not None:
        work["datePublished"] = _bounds(source.published).get("startDate", str(source.published))
    return work


def event_data(entry: Entry) -> dict[str, Any]:
    """One entry as a schema.org ``Event``."""
    event = entry.event
    data: dict[str, Any] = {"@type": "Event", "identifier": entry.id, "name": event.headline()}
    data.update(_bounds(event.when))
    if event.description:
        data["description"] = event.description
    if event.place:
        data["location"] = {"@type": "Place", "name": event.place}
    if event.sources:
        data["subjectOf"] = [_work(source) for source in event.sources]
    return data


def item_list(title: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's JSON-LD document: an ``ItemList`` named `title` holding `events` in order."""
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": title,
        "numberOfItems": len(events),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "item": item} for i, item in enumerate(events, start=1)
        ],
    }
