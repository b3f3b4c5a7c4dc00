"""Stored events whose type no installed plugin provides: kept as stored, read as generic events.

A stream that holds a plugin's events must stay readable when the plugin is uninstalled. Such an event decodes
to an `UnknownOccurrence` (its stored data has a valid ``when``) or an `UnknownEvent` (it has not: the
timeline leaves it out), subclasses made per type tag so that ``event.TYPE`` still names the stored type. The
common fields (title, description, place, tags, sources, actors) are read where they are valid, so every
projection and exporter shows it as a generic event; `to_json` gives back the stored data exactly, so a store,
an export or a later version of the plugin sees it unchanged. Input (`from_json`) still refuses an unknown
type: only what was stored is read this way.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from timeline.errors import ValidationError
from timeline.events import Event, Occurrence, find_event_type
from timeline.values import Source
from timeline.when import When

_COMMON_TEXT = ("title", "description", "place")
_COMMON_LISTS = ("tags", "actors")


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """A stored event of a type no installed plugin provides, and with no valid ``when``."""

    TYPE: ClassVar[str] = "unknown"
    stored: Mapping[str, Any] = attrs.field(eq=False, hash=False, repr=False)
    """The stored JSON object, exactly (``type`` included); `to_json` returns a copy of it."""
    schema_version: int = 1

    def summary(self) -> str:
        """E.g. "protest (type of a plugin that is not installed)"."""
        return f"{self.TYPE} (type of a plugin that is not installed)"


@attrs.frozen(kw_only=True)
class UnknownOccurrence(Occurrence):
    """A stored occurrence of a type no installed plugin provides: shown as a generic event, type named."""

    TYPE: ClassVar[str] = "unknown"
    stored: Mapping[str, Any] = attrs.field(eq=False, hash=False, repr=False)
    """The stored JSON object, exactly (``type`` included); `to_json` returns a copy of it."""
    schema_version: int = 1

    def summary(self) -> str:
        """E.g. "protest (type of a plugin that is not installed)"."""
        return f"{self.TYPE} (type of a plugin that is not installed)"


def is_unknown(event: Event) -> bool:
    """Whether `event` was read from the store without the plugin that provides its type."""
    return isinstance(event, (UnknownEvent, UnknownOccurrence))


@functools.cache
def _class_for(type_tag: str, occurrence: bool) -> type[UnknownEvent] | type[UnknownOccurrence]:
    base: type[UnknownEvent] | type[UnknownOccurrence] = UnknownOccurrence if occurrence else UnknownEvent
    name = f"{base.__name__}[{type_tag}]"
    return type(name, (base,), {"TYPE": type_tag, "__slots__": (), "__module__": __name__})


def _common(data: Mapping[str, Any]) -> dict[str, Any]:
    """The common fields of `data` that are valid; the rest are left out (they stay in the stored data)."""
    fields: dict[str, Any] = {}
    for name in _COMMON_TEXT:
        value = data.get(name)
        if isinstance(value, str) and value:
            fields[name] = value
    for name in _COMMON_LISTS:
        value = data.get(name)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            fields[name] = tuple(value)
    sources = data.get("sources")
    if isinstance(sources, list):
        fields["sources"] = tuple(s for s in map(_source, sources) if s is not None)
    return fields


def _source(data: Any) -> Source | None:
    if not isinstance(data, dict):
        return None
    try:
        published = data.get("published")
        return Source(
            url=_text(data.get("url")),
            title=_text(data.get("title")),
            publisher=_text(data.get("publisher")),
            published=When.parse(published) if isinstance(published, str) else None,
            quote=_text(data.get("quote")),
        )
    except (ValidationError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_stored(type_tag: str, schema_version: int, data: Mapping[str, Any]) -> Event:
    """The stored event of an unknown `type_tag` as a generic event that keeps `data` (copied) exactly."""
    stored = copy.deepcopy(dict(data))
    stored.setdefault("type", type_tag)
    event_id = stored.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise ValidationError(f"stored {type_tag!r} event has no id", path="id")
    when: When | None = None
    text = stored.get("when")
    if isinstance(text, str):
        try:
            when = When.parse(text)
        except ValueError:
            when = None
    cls = _class_for(type_tag, when is not None)
    extra: dict[str, Any] = {"when": when} if when is not None else {}
    return cls(id=event_id, stored=stored, schema_version=schema_version, **extra, **_common(stored))


def stored_json(event: UnknownEvent | UnknownOccurrence) -> dict[str, Any]:
    """The JSON object the store holds for `event`: ``type`` and ``id`` first, as `to_json` orders them."""
    data = copy.deepcopy(dict(event.stored))
    out: dict[str, Any] = {"type": data.pop("type", event.TYPE), "id": data.pop("id", event.id)}
    out.update(data)
    return out


def with_changes(event: Event, changes: Mapping[str, Any]) -> Event:
    """An unknown event corrected: its stored data with whole top-level fields replaced, read again."""
    assert isinstance(event, (UnknownEvent, UnknownOccurrence))
    data = stored_json(event)
    data.update(copy.deepcopy(dict(changes)))
    return read_stored(event.TYPE, event.schema_version, data)


def missing_types(type_counts: Mapping[str, int]) -> dict[str, int]:
    """Of `type_counts` (how many events have each type tag: `Timeline.type_counts`), those of the types no
    installed plugin provides (asking the plugins first: `timeline.events.find_event_type`)."""
    return {tag: number for tag, number in type_counts.items() if find_event_type(tag) is None}


def describe_missing(counts: Mapping[str, int]) -> str:
    """One warning line naming the missing types and what to do."""
    listed = ", ".join(f"{json.dumps(tag)} ({n} event(s))" for tag, n in sorted(counts.items()))
    return (
        f"warning: no installed plugin provides the event type(s) {listed}; they are shown as generic events "
        "with their stored data kept as it is (install the plugin that registers them: 'timeline plugins')"
    )
