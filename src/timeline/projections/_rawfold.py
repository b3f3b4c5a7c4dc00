"""The fold of stored rows (`EventStore.read_all_raw`): the rebuild's hot path.

A built-in occurrence becomes an entry keeping its stored JSON (`timeline.projections._lazy`): no typed
event is built, no JSON parsed. Any other record (corrections, retractions, other types, old schema
versions, and every record when `reported_by` needs the sources' dates) is decoded and folded as the typed
fold does (`timeline.projections._folding.fold_event`), with the same rules and the same outcome.
"""

from __future__ import annotations

from itertools import islice
from sys import intern
from typing import TYPE_CHECKING, Any

from timeline.projections._folding import fold_event, reported_on
from timeline.projections._lazy import decode_row, when_of
from timeline.projections._lazy import lazy_version as lazy_version_of
from timeline.projections.entry import Entry, new_entry
from timeline.store.contract import Recorded

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from timeline.projections.timeline import Timeline
    from timeline.store.contract import RawRecord
    from timeline.when import When

__all__ = ["fold_rows"]

_KEY = '"when":"'
_KEY_LENGTH = len(_KEY)
_MISSING: Any = object()
_PAGE = 10_000  # rows whose ids a restored Timeline's filter looks up at once


def _told(rows: Iterable[RawRecord], expect: Callable[[list[str]], None]) -> Iterator[RawRecord]:
    """`rows`, the ids of each page of them told to `expect` before the page is folded."""
    pages = iter(rows)
    while page := list(islice(pages, _PAGE)):
        expect([row[6] for row in page])
        yield from page


def fold_rows(timeline: Timeline, rows: Iterable[RawRecord]) -> int:
    """Fold stored rows (in position order) into `timeline`; return how many were folded.

    Locals only in the loop, as in `Timeline._fold`; the caller pauses the collector.
    """
    stream, as_of, start, reported_by = (
        timeline.stream,
        timeline.as_of,
        timeline.position,
        timeline.reported_by,
    )
    position, version, last_changed = timeline.position, timeline._version, timeline._last_changed
    last_id = timeline._last_id
    by_id = timeline._by_id
    bulk = not by_id
    before: dict[str, Entry | None] = {}
    noted = None if bulk else before
    lazy_versions: dict[str, int] = {}  # type tag -> the schema version kept unbuilt (-1: none)
    whens: dict[str, When | None] = {}  # the text after the "when" key -> its value (None: cannot be read so)
    find = str.find
    folded = 0
    expect = getattr(by_id, "expect", None)
    if expect is not None:  # restored: its filter looks up the catch-up's ids a page at a time
        rows = _told(rows, expect)
    try:
        for row in rows:
            at, name, row_version, type_tag, schema_version, recorded_at, event_id, data = row
            if at <= start:
                continue
            if as_of is not None and recorded_at > as_of:
                break
            if stream is not None and name != stream:
                continue
            lazy_version = lazy_versions.get(type_tag)
            if lazy_version is None:
                lazy_version = lazy_versions[type_tag] = (
                    -1 if reported_by is not None else lazy_version_of(type_tag)
                )
            when = None
            found = find(data, _KEY) if schema_version == lazy_version else -1
            if found >= 0:  # `when_of`, its text looked up first: parsing it is a tenth of the fold's cost
                found += _KEY_LENGTH
                text = data[found : find(data, '"', found)]
                when = whens.get(text, _MISSING)
                if when is _MISSING:
                    when = whens[text] = when_of(data)
            if when is not None:
                if event_id not in by_id:
                    if noted is not None:
                        noted[event_id] = None
                    stored = (intern(type_tag), schema_version, data, when)  # one copy of each tag
                    by_id[event_id] = new_entry(
                        event_id, intern(name), stored, stored, at, 1, recorded_at, recorded_at, (), False
                    )
            else:
                event = decode_row(row)
                if reported_by is not None and reported_on(event, recorded_at) > reported_by:
                    continue
                record = Recorded(
                    position=at, stream=name, version=row_version, recorded_at=recorded_at, event=event
                )
                fold_event(by_id, noted, record, event)
            folded += 1
            if at > position:
                position, last_id = at, event_id
            if stream is not None and row_version > version:
                version = row_version
            if last_changed is None or recorded_at > last_changed:
                last_changed = recorded_at
    finally:
        timeline._settle(position, version, last_changed, last_id, before, bulk=bulk and folded > 0)
    return folded
