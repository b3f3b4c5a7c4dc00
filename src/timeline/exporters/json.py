"""The JSON exporter: the timeline as one JSON document (or JSON Lines), described by a published JSON Schema.

The document is ``{"schema_version": 1, "stream", "as_of", "generated_from_position", "last_changed",
"entries": [...]}``, one entry per line inside ``entries``; with ``lines=true`` each line is one entry and
nothing else. Keys come in a fixed order, text is UTF-8 (not \\u-escaped), and the output is written as it is
produced, a batch of entries at a time. The schema (Draft 2020-12) ships inside the package: `schema()`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs

from timeline._speed import json_text
from timeline.codec import to_json
from timeline.exporters._memo import iso_instants
from timeline.exporters.base import Exporter, check_options, flag_option
from timeline.exporters.pieces import RENDER_EACH, write_chunks
from timeline.hookspecs import hookimpl
from timeline.when import When

if TYPE_CHECKING:
    from timeline.exporters.pieces import Chunk, Pieces
    from timeline.projections import Entry, Timeline

__all__ = ["SCHEMA_VERSION", "JSONExporter", "entry_json", "schema", "timeline_register_exporters"]

SCHEMA_VERSION = 1
"""The `schema_version` of what this module writes (bumped on any incompatible change)."""

_OPTIONS = MappingProxyType(
    {"lines": "true: JSON Lines, one entry per line and no envelope (default: false)"}
)
_PRECISION = {1: "year", 2: "month", 3: "day", 4: "time"}
_SEPARATORS = (", ", ": ")
_encode = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS).encode
_string = json.encoder.encode_basestring  # C: a str as JSON text (not ASCII-escaped)


_dump = json_text(*_SEPARATORS)  # `_encode` with its C encoder built once (see timeline._speed)
# Stands for the event's sources in its encoding (a string value can't hold it: its quotes would be escaped).
_PLACEHOLDER = '"sources": 0'


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the export, as shipped in the package."""
    text = files("timeline.exporters").joinpath("schema/timeline.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def entry_json(entry: Entry) -> dict[str, Any]:
    """One entry as the export writes it (see the schema's ``$defs/entry``)."""
    return _entry_json(entry, When.human, datetime.isoformat)


def _entry_json(entry: Entry, human: Callable[[When], str], iso: Callable[[datetime], str]) -> dict[str, Any]:
    event = entry.event
    when = event.when
    data = to_json(event)
    earliest, latest = when.earliest, when.latest
    return {
        "id": entry.id,
        "stream": entry.stream,
        "type": data["type"],
        "when": data["when"],
        "earliest": None if earliest is None else earliest.isoformat(),
        "latest": None if latest is None else latest.isoformat(),
        "precision": _PRECISION[when.precision],
        "approximate": when.approximate,
        "uncertain": when.uncertain,
        "human": human(when),
        "title": event.headline(),
        "revision": entry.revision,
        "first_recorded": iso(entry.first_recorded),
        "last_changed": iso(entry.last_changed),
        "retracted": entry.retracted,
        "history": [
            {
                "kind": change.kind,
                "event_id": change.event_id,
                "position": change.position,
                "recorded_at": iso(change.recorded_at),
                "reason": change.reason,
                "changes": dict(change.changes),
            }
            for change in entry.history
        ],
        "sources": data.get("sources", []),
        "event": data,
    }


def _when_memo() -> Callable[[When], str]:
    """The entry's keys from ``"when"`` to ``"human"``, as JSON text, remembered per distinct date for one
    export: they depend on the date alone, and a timeline repeats its dates."""
    said: dict[str, str] = {}

    def when_text(when: When) -> str:
        found = said.get(when.text)
        if found is None:
            earliest, latest = when.earliest, when.latest
            found = said[when.text] = (
                f'"when": {_string(when.text)}, '
                f'"earliest": {"null" if earliest is None else _string(earliest.isoformat())}, '
                f'"latest": {"null" if latest is None else _string(latest.isoformat())}, '
                f'"precision": "{_PRECISION[when.precision]}", '
                f'"approximate": {"true" if when.approximate else "false"}, '
                f'"uncertain": {"true" if when.uncertain else "false"}, "human": {_string(when.human())}'
            )
        return found

    return when_text


def _entry_texts() -> Callable[[Entry], str]:
    """A function: entry -> ``_encode(entry_json(entry))``, for one export. The text is spliced from pieces
    instead of encoding a fresh dict per entry: the date keys and instants are remembered per distinct value,
    and the sources, written twice (on the entry and in its event), are encoded once."""
    when_text, iso = _when_memo(), iso_instants()
    dump, string = _dump, _string

    def text(entry: Entry) -> str:
        event = entry.event
        data = to_json(event)
        sources = data.get("sources")
        if sources:
            # The event with a placeholder for its sources, which are encoded once and put in both places.
            data["sources"] = 0
            sources_text, event_text = dump(sources), dump(data)
            if event_text.count(_PLACEHOLDER) == 1:  # else a field's own "sources": 0 (never an event's)
                event_text = event_text.replace(_PLACEHOLDER, '"sources": ' + sources_text)
            else:
                data["sources"] = sources
                event_text = dump(data)
        else:
            sources_text, event_text = "[]", dump(data)
        history = entry.history
        history_text = (
            dump(
                [
                    {
                        "kind": change.kind,
                        "event_id": change.event_id,
                        "position": change.position,
                        "recorded_at": iso(change.recorded_at),
                        "reason": change.reason,
                        "changes": dict(change.changes),
                    }
                    for change in history
                ]
            )
            if history
            else "[]"
        )
        return (
            f'{{"id": {string(entry.id)}, "stream": {string(entry.stream)}, "type": {string(data["type"])}, '
            f'{when_text(event.when)}, "title": {string(event.headline())}, "revision": {entry.revision:d}, '
            f'"first_recorded": "{iso(entry.first_recorded)}", "last_changed": "{iso(entry.last_changed)}", '
            f'"retracted": {"true" if entry.retracted else "false"}, "history": {history_text}, '
            f'"sources": {sources_text}, "event": {event_text}}}'
        )

    return text


def _header(timeline: Timeline) -> dict[str, Any]:
    as_of, last = timeline.as_of, timeline.last_changed
    return {
        "schema_version": SCHEMA_VERSION,
        "stream": timeline.stream,
        "as_of": None if as_of is None else as_of.isoformat(),
        "generated_from_position": timeline.position,
        "last_changed": None if last is None else last.isoformat(),
    }


def _renderer(separator: str) -> Callable[[Entry], tuple[bytes, int]]:
    """An entry's piece: its encoding followed by `separator`."""
    text = _entry_texts()

    def piece(entry: Entry) -> tuple[bytes, int]:
        return (text(entry) + separator).encode("utf-8"), 0

    return piece


def _without_last_separator(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """`chunks` with the separator after the last entry (``,\n``) cut off."""
    pending: Chunk | None = None
    for chunk in chunks:
        if pending is not None:
            yield pending
        pending = chunk
    if pending is not None:
        yield pending[:-2]


@attrs.frozen(kw_only=True)
class JSONExporter:
    """The ``json`` format: the entries with their dates, history and event fields (``application/json``)."""

    name: str = "json"
    media_type: str = "application/json"
    extension: str = ".json"
    description: str = "JSON document (or JSON Lines) with a published JSON Schema; for programs"
    options: Mapping[str, str] = _OPTIONS

    def export(self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str]) -> None:
        """Write the document (or the lines) to `out`, a batch of entries at a time."""
        self.export_pieces(timeline, out, options, RENDER_EACH)

    def render_scope(self, options: Mapping[str, str]) -> str:
        """An entry's piece depends on `lines` alone among the options (see `CachingExporter`)."""
        check_options(self, options)
        return f"json/{SCHEMA_VERSION} lines={flag_option(options, 'lines', False)}"

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """`export`, each entry's text taken from `pieces` (see `timeline.exporters.pieces`)."""
        check_options(self, options)
        if flag_option(options, "lines", False):
            write_chunks(out, (chunk for _, chunk in pieces.runs(timeline, _renderer("\n"))))
            return
        head = _encode(_header(timeline))
        # Our own encoding of the header, reopened to append the array: '{..., "entries": [' + entries + ']}'.
        out.write(f'{head[:-1]}, "entries": [\n'.encode())
        if not len(timeline):
            out.write(b"]}\n")
            return
        # The last piece ends with a separator that must not precede the closing bracket.
        chunks = (chunk for _, chunk in pieces.runs(timeline, _renderer(",\n")))
        write_chunks(out, _without_last_separator(chunks))
        out.write(b"\n]}\n")


@hookimpl
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Provide the ``json`` format."""
    register(JSONExporter())
