"""Occurrences kept as the JSON they were stored as, built into typed events only when something reads them.

A rebuild is bound by building typed events, not by reading rows: the fold needs only an occurrence's id,
type and `when`, so it keeps a `Stored` tuple ``(type tag, schema version, JSON text, When)`` in the entry
and `build` makes the typed event the first time `Entry.event` or `Entry.original` is read. Only the
built-in occurrence types of the current schema version take this road (their `when` is found in the text
without parsing it); any other record is decoded at once, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import orjson

from timeline._fastcodec import DECODE_ERRORS
from timeline.codec import decoder_for, event_class
from timeline.errors import StoreError, ValidationError
from timeline.events import Event, Occurrence
from timeline.store._decoding import decode_stored
from timeline.when import When

if TYPE_CHECKING:
    from collections.abc import Callable

    from timeline.store.contract import RawRecord

__all__ = ["Stored", "build", "decode_row", "lazy_version", "when_of", "when_text"]

#: An occurrence not built yet: (type tag, schema version, its stored JSON text, its `when`: parsed, or its
#: text in a restored snapshot, parsed when a sort needs it: `when_text`).
Stored: TypeAlias = tuple[str, int, str, "When | str"]

_KEY = '"when":"'
_decoders: dict[tuple[str, int], Callable[[dict[str, Any]], Event]] = {}
_versions: dict[str, int] = {}
_WHERE = "the event log"


def lazy_version(type_tag: str) -> int:
    """The schema version at which records of `type_tag` may be kept unbuilt, -1 if none: a built-in
    occurrence type at its current version (no upcaster to run; its nested values have no ``when`` key)."""
    version = _versions.get(type_tag)
    if version is None:
        try:
            cls: type[Event] | None = event_class(type_tag)
        except ValidationError:  # no plugin provides it: the typed decode keeps it as an unknown event
            cls = None
        lazy = cls is not None and issubclass(cls, Occurrence) and cls.__module__ == "timeline.events"
        version = _versions[type_tag] = cls.SCHEMA_VERSION if lazy and cls is not None else -1
    return version


def when_of(data: str) -> When | None:
    """The top-level `when` of a built-in occurrence's canonical JSON, or None if it cannot be read so.

    A ``"when":"`` in the text is a key: a quote inside a JSON string is escaped, so the sequence cannot
    come from a value, and a built-in occurrence has no other ``when`` key.
    """
    start = data.find(_KEY)
    if start < 0:
        return None
    start += len(_KEY)
    end = data.find('"', start)
    text = data[start:end]
    if end < 0 or "\\" in text:
        return None
    try:
        return When.parse(text)
    except ValueError:  # not what we write: the typed decode says what is wrong
        return None


def when_text(value: When | str) -> When:
    """A `Stored` tuple's `when`, parsed (`When.parse` is cached: values repeat)."""
    return When.parse(value) if isinstance(value, str) else value


def _decode(type_tag: str, schema_version: int, data: str, position: int) -> Event:
    kind = (type_tag, schema_version)
    decode = _decoders.get(kind) or _decoders.setdefault(kind, decoder_for(type_tag, schema_version))
    try:
        return decode(orjson.loads(data))
    except DECODE_ERRORS:  # not what we write (orjson's errors are ValueErrors): the validating path
        return decode_stored(_WHERE, position, type_tag, schema_version, data)


def decode_row(row: RawRecord) -> Event:
    """The typed event of a stored row (`timeline.store.contract.RawRecord`)."""
    position, _, _, type_tag, schema_version, _, _, data = row
    return _decode(type_tag, schema_version, data, position)


def build(stored: Stored, position: int) -> Occurrence:
    """The typed occurrence of a `Stored` tuple (the record at global `position`)."""
    type_tag, schema_version, data, _ = stored
    event = _decode(type_tag, schema_version, data, position)
    if not isinstance(event, Occurrence):
        raise StoreError(f"{_WHERE}: the record at position {position} is a {event.TYPE}, not an occurrence")
    return event
