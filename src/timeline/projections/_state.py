"""Entries to JSON and back, for checkpoints. Events use the codec's JSON form plus their schema versions."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from timeline.codec import decode, event_class, to_json
from timeline.errors import ValidationError
from timeline.events import Occurrence
from timeline.projections.entry import Change, Entry

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def save_entries(entries: Iterable[Entry]) -> dict[str, Any]:
    """``{"schema": {type: schema version}, "entries": [...]}`` for `entries` (JSON-ready)."""
    schema: dict[str, int] = {}
    out = []
    for entry in entries:
        schema.setdefault(entry.original.TYPE, entry.original.SCHEMA_VERSION)
        item: dict[str, Any] = {
            "stream": entry.stream,
            "position": entry.position,
            "first_recorded": entry.first_recorded.isoformat(),
            "original": to_json(entry.original),
        }
        if entry.revision > 1:  # otherwise the effective event is the original: not written twice
            item["event"] = to_json(entry.event)
        if entry.history:
            item["history"] = [_change_to_json(change) for change in entry.history]
        if entry.retracted:
            item["retracted"] = True
        out.append(item)
    return {"schema": schema, "entries": out}


def _change_to_json(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "event_id": change.event_id,
        "position": change.position,
        "recorded_at": change.recorded_at.isoformat(),
        "reason": change.reason,
        "changes": dict(change.changes),
    }


def restore_entries(state: Mapping[str, Any]) -> list[Entry]:
    """The entries `save_entries` wrote (in the same order)."""
    schema: Mapping[str, int] = state["schema"]
    out = []
    for item in state["entries"]:
        original = _occurrence(item["original"], schema)
        event = _occurrence(item["event"], schema) if "event" in item else original
        history = tuple(_change_from_json(change) for change in item.get("history", ()))
        first_recorded = datetime.fromisoformat(item["first_recorded"])
        out.append(
            Entry(
                id=original.id,
                stream=item["stream"],
                event=event,
                original=original,
                position=item["position"],
                revision=1 + sum(change.kind == "correction" for change in history),
                first_recorded=first_recorded,
                last_changed=history[-1].recorded_at if history else first_recorded,
                history=history,
                retracted=bool(item.get("retracted", False)),
            )
        )
    return out


def _occurrence(data: Mapping[str, Any], schema: Mapping[str, int]) -> Occurrence:
    tag = data["type"]
    version = schema.get(tag, event_class(tag).SCHEMA_VERSION)
    event = decode(tag, version, dict(data))
    if not isinstance(event, Occurrence):
        raise ValidationError(f"checkpoint entry {event.id!r} is a {event.TYPE}, not an occurrence")
    return event


def _change_from_json(data: Mapping[str, Any]) -> Change:
    return Change(
        kind=data["kind"],
        event_id=data["event_id"],
        position=data["position"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        reason=data["reason"],
        changes=MappingProxyType(dict(data["changes"])),
    )
