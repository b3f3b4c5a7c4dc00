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
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs

from timeline._speed import json_text
from timeline.codec import to_json
from timeline.exporters._json_text import EventText, event_text
from timeline.exporters._memo import iso_instants
from timeline.exporters.base import Exporter, check_options, flag_option
from timeline.exporters.pieces import RENDER_EACH, write_chunks
from timeline.hookspecs import hookimpl
from timeline.when import Precision, When

if TYPE_CHECKING:
    from timeline.events import Occurrence
    from timeline.exporters.pieces import Chunk, Pieces
    from timeline.projections import Entry, Timeline

__all__ = ["SCHEMA_VERSION", "JSONExporter", "entry_json", "schema", "timeline_register_exporters"]

SCHEMA_VERSION = 1
"""The `schema_version` of what this module writes (bumped on any incompatible change)."""

_OPTIONS = MappingProxyType(
    {"lines": "true: JSON Lines, one entry per line and no envelope (default: false)"}
)
_PRECISION = {precision: precision.name.lower() for precision in Precision}
_SEPARATORS = (", ", ": ")
_encode = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS).encode
_string = json.encoder.encode_basestring  # C: a str as JSON text (not ASCII-escaped)


_dump = json_text(*_SEPARATORS)  # `_encode` with its C encoder built once (see timeline._speed)


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the export, as shipped in the package."""
    # Here, not at the top: importing it (pathlib, tempfile, zipfile...) costs more than a small export.
    from importlib.resources import files

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
    first, last = when.first, when.last
    return {
        "id": entry.id,
        "stream": entry.stream,
        "type": data["type"],
        "when": data["when"],
        "earliest": None if first is None else first.isoformat(),
        "latest": None if last is None else last.isoformat(),
        "anchor": when.anchor.isoformat(),
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
            first, last = when.first, when.last
            found = said[when.text] = (
                f'"when": {_string(when.text)}, '
                f'"earliest": {"null" if first is None else _string(first.isoformat())}, '
                f'"latest": {"null" if last is None else _string(last.isoformat())}, '
                f'"anchor": {_string(when.anchor.isoformat())}, '
                f'"precision": "{_PRECISION[when.precision]}", '
                f'"approximate": {"true" if when.approximate else "false"}, '
                f'"uncertain": {"true" if when.uncertain else "false"}, "human": {_string(when.human())}'
            )
        return found

    return when_text


def _entry_texts() -> Callable[[Entry], str]:
    """A function: entry -> ``_encode(entry_json(entry))``, for one export. The text is spliced from pieces
    instead of encoding a fresh dict per entry: the event's text from code generated for its class
    (`timeline.exporters._json_text`), its sources written once for both places, and the date keys and
    instants remembered per distinct value."""
    when_text, iso = _when_memo(), iso_instants()
    string, texts = _string, _event_texts()

    def text(entry: Entry) -> str:
        event = entry.event
        type_text, event_text, sources_text = texts(event)
        history = entry.history
        history_text = (
            _dump(
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
            f'{{"id": {string(entry.id)}, "stream": {string(entry.stream)}, "type": {type_text}, '
            f'{when_text(event.when)}, "title": {string(event.headline())}, "revision": {entry.revision:d}, '
            f'"first_recorded": "{iso(entry.first_recorded)}", "last_changed": "{iso(entry.last_changed)}", '
            f'"retracted": {"true" if entry.retracted else "false"}, "history": {history_text}, '
            f'"sources": {sources_text}, "event": {event_text}}}'
        )

    return text


def _event_texts() -> Callable[[Occurrence], tuple[str, str, str]]:
    """A function: event -> (its type, its JSON text, its sources' JSON text), by the generated code of its
    class where there is one, else by encoding `to_json(event)` (see `timeline.exporters._json_text`)."""
    known: dict[type, EventText | None] = {}

    def texts(event: Occurrence) -> tuple[str, str, str]:
        kind = type(event)
        function = known.get(kind)
        if function is None and kind not in known:
            function = known[kind] = event_text(kind)
        if function is not None:
            try:
                return function(event)
            except TypeError:  # a value of another type than its field's: the reference way
                pass
        data = to_json(event)
        return _string(data["type"]), _dump(data), _dump(data.get("sources", []))

    return texts


def _header(timeline: Timeline) -> dict[str, Any]:
    as_of, last = timeline.as_of, timeline.last_changed
    return {
        "schema_version": SCHEMA_VERSION,
        "stream": timeline.stream,
        "as_of": None if as_of is None else as_of.isoformat(),
        "generated_from_position": timeline.position,
        "last_changed": None if last is None else last.isoformat(),
    }


def _script_safe(text: str) -> str:
    """JSON text that can be pasted into an HTML ``<script>`` block (and read by pre-2019 JavaScript).

    ``</``, U+2028 and U+2029 occur only inside strings here, where ``<\\/``, ``\\u2028`` and ``\\u2029`` mean
    the same.
    """
    if "</" in text:
        text = text.replace("</", "<\\/")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


def _renderer(separator: str) -> Callable[[Entry], tuple[bytes, int]]:
    """An entry's piece: its encoding (script-safe) followed by `separator`."""
    text = _entry_texts()

    def piece(entry: Entry) -> tuple[bytes, int]:
        return _script_safe(text(entry) + separator).encode("utf-8"), 0

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
        return f"json/{SCHEMA_VERSION}.2 script-safe lines={flag_option(options, 'lines', False)}"

    def export_pieces(
        self, timeline: Timeline, out: BinaryIO, options: Mapping[str, str], pieces: Pieces
    ) -> None:
        """`export`, each entry's text taken from `pieces` (see `timeline.exporters.pieces`)."""
        check_options(self, options)
        if flag_option(options, "lines", False):
            write_chunks(out, (chunk for _, chunk in pieces.runs(timeline, _renderer("\n"))))
            return
        head = _script_safe(_encode(_header(timeline)))
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
